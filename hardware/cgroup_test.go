package hardware

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseCgroupMax(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr string
	}{
		{name: "max file", in: string(mustRead(t, "testdata/cgroup/v2-memory.max-unlimited")), want: 0},
		{name: "8 GiB file", in: string(mustRead(t, "testdata/cgroup/v2-memory.max-8g")), want: 8 << 30},
		{name: "no newline", in: "1048576", want: 1 << 20},
		{name: "garbage", in: "lots\n", wantErr: "parse cgroup value"},
		{name: "negative", in: "-1\n", wantErr: "parse cgroup value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCgroupMax(tt.in)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("parseCgroupMax(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCgroupV1Limit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr string
	}{
		{name: "unlimited, captured", in: string(mustRead(t, "testdata/cgroup/v1-memory.limit_in_bytes-unlimited")), want: 0},
		{name: "unlimited, LONG_MAX", in: "9223372036854775807\n", want: 0},
		{name: "unlimited, -1", in: "-1\n", want: 0},
		{name: "2 GiB file", in: string(mustRead(t, "testdata/cgroup/v1-memory.limit_in_bytes-2g")), want: 2 << 30},
		{name: "just under the threshold", in: "4611686018427387903", want: v1Unlimited - 1},
		{name: "garbage", in: "max\n", wantErr: "parse cgroup value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCgroupV1Limit(tt.in)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("parseCgroupV1Limit(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMemoryStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    uint64
		wantErr string
	}{
		{name: "v2", in: string(mustRead(t, "testdata/cgroup/v2-memory.stat")), want: 262144000},
		{name: "v1 captured, hierarchical total", in: string(mustRead(t, "testdata/cgroup/v1-memory.stat")), want: 178847744},
		{name: "v1 total wins", in: "inactive_file 10\ntotal_inactive_file 30\n", want: 30},
		{name: "neither key", in: "anon 5\nfile 6\n", want: 0},
		{name: "empty", in: "", want: 0},
		{name: "bad value", in: "inactive_file x\n", wantErr: "memory.stat inactive_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMemoryStat(strings.NewReader(tt.in))
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("parseMemoryStat = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseProcCgroup(t *testing.T) {
	tests := []struct {
		name           string
		file           string
		wantV1, wantV2 string
	}{
		{name: "v1 hybrid, captured", file: "proc-self-cgroup-v1-hybrid", wantV1: "/process_api/f2feeebda75492d6658aed06fc135494", wantV2: "/"},
		{name: "v2 systemd service", file: "proc-self-cgroup-v2", wantV2: "/user.slice/user-1000.slice/user@1000.service/app.slice/ollama.service"},
		{name: "v2 namespaced container", file: "proc-self-cgroup-v2-namespaced", wantV2: "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v1, v2, err := parseProcCgroup(mustOpen(t, filepath.Join("testdata", "cgroup", tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if v1 != tt.wantV1 || v2 != tt.wantV2 {
				t.Errorf("got (%q, %q), want (%q, %q)", v1, v2, tt.wantV1, tt.wantV2)
			}
		})
	}
}

func TestReadCgroupMemory(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	v2stat := file(string(mustRead(t, "testdata/cgroup/v2-memory.stat")))
	const svc = "/user.slice/app.slice/ollama.service"
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    cgroupMemory
		wantErr string
	}{
		{name: "no cgroup files", fsys: fstest.MapFS{}, want: cgroupMemory{}},
		{name: "v2 namespaced container", fsys: fstest.MapFS{
			"proc/self/cgroup":                 file("0::/\n"),
			"sys/fs/cgroup/cgroup.controllers": file("cpu memory pids\n"),
			"sys/fs/cgroup/memory.max":         file("4294967296\n"),
			"sys/fs/cgroup/memory.current":     file("1073741824\n"),
			"sys/fs/cgroup/memory.stat":        v2stat,
		}, want: cgroupMemory{Version: 2, Path: "/", Limit: 4 << 30, Usage: 1 << 30, InactiveFile: 262144000}},
		{name: "v2 host without limit", fsys: fstest.MapFS{
			"proc/self/cgroup":                               file("0::" + svc + "\n"),
			"sys/fs/cgroup/cgroup.controllers":               file("cpu memory\n"),
			"sys/fs/cgroup" + svc + "/memory.max":            file("max\n"),
			"sys/fs/cgroup/user.slice/memory.max":            file("max\n"),
			"sys/fs/cgroup/user.slice/app.slice/memory.max":  file("max\n"),
			"sys/fs/cgroup/user.slice/app.slice/memory.stat": v2stat,
		}, want: cgroupMemory{Version: 2}},
		{name: "v2 parent limit is lower", fsys: fstest.MapFS{
			"proc/self/cgroup":                                  file("0::" + svc + "\n"),
			"sys/fs/cgroup/cgroup.controllers":                  file("cpu memory\n"),
			"sys/fs/cgroup" + svc + "/memory.max":               file("17179869184\n"),
			"sys/fs/cgroup" + svc + "/memory.current":           file("5\n"),
			"sys/fs/cgroup/user.slice/app.slice/memory.max":     file("8589934592\n"),
			"sys/fs/cgroup/user.slice/app.slice/memory.current": file("3221225472\n"),
			"sys/fs/cgroup/user.slice/memory.max":               file("max\n"),
		}, want: cgroupMemory{Version: 2, Path: "/user.slice/app.slice", Limit: 8 << 30, Usage: 3 << 30}},
		{name: "v1 hybrid like the dev machine, no limit", fsys: fstest.MapFS{
			"proc/self/cgroup":                           file(string(mustRead(t, "testdata/cgroup/proc-self-cgroup-v1-hybrid"))),
			"sys/fs/cgroup/unified/cgroup.controllers":   file(""),
			"sys/fs/cgroup/memory/memory.limit_in_bytes": file("9223372036854771712\n"),
			"sys/fs/cgroup/memory/process_api/f2feeebda75492d6658aed06fc135494/memory.limit_in_bytes": file(string(mustRead(t, "testdata/cgroup/v1-memory.limit_in_bytes-unlimited"))),
		}, want: cgroupMemory{Version: 1}},
		{name: "v1 container without cgroupns: own path absent", fsys: fstest.MapFS{
			"proc/self/cgroup":                           file("4:memory:/docker/0123abcd\n0::/\n"),
			"sys/fs/cgroup/memory/memory.limit_in_bytes": file("2147483648\n"),
			"sys/fs/cgroup/memory/memory.usage_in_bytes": file(string(mustRead(t, "testdata/cgroup/v1-memory.usage_in_bytes"))),
			"sys/fs/cgroup/memory/memory.stat":           file(string(mustRead(t, "testdata/cgroup/v1-memory.stat"))),
		}, want: cgroupMemory{Version: 1, Path: "/", Limit: 2 << 30, Usage: 202776576, InactiveFile: 178847744}},
		{name: "path escaping the mount", fsys: fstest.MapFS{
			"proc/self/cgroup":                 file("0::/../../outside\n"),
			"sys/fs/cgroup/cgroup.controllers": file("memory\n"),
			"sys/fs/cgroup/memory.max":         file("1073741824\n"),
		}, want: cgroupMemory{Version: 2, Path: "/", Limit: 1 << 30}},
		{name: "corrupt limit", fsys: fstest.MapFS{
			"sys/fs/cgroup/cgroup.controllers": file("memory\n"),
			"sys/fs/cgroup/memory.max":         file("lots\n"),
		}, wantErr: "sys/fs/cgroup/memory.max: parse cgroup value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readCgroupMemory(tt.fsys)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("readCgroupMemory:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestApplyCgroup(t *testing.T) {
	host := Memory{TotalBytes: 24 << 30, AvailableBytes: 20 << 30, Source: "meminfo"}
	tests := []struct {
		name     string
		cg       cgroupMemory
		want     Memory
		wantNote string
	}{
		{name: "no limit", cg: cgroupMemory{Version: 2}, want: host},
		{name: "limit below RAM", cg: cgroupMemory{Version: 2, Path: "/", Limit: 4 << 30, Usage: 2 << 30, InactiveFile: 1 << 30},
			want:     Memory{TotalBytes: 4 << 30, AvailableBytes: 3 << 30, CgroupLimitBytes: 4 << 30, Source: "cgroup"},
			wantNote: "memory limited to 4.0 GiB by cgroup v2 /"},
		{name: "limit above RAM caps nothing", cg: cgroupMemory{Version: 1, Limit: 64 << 30, Usage: 1 << 30},
			want: Memory{TotalBytes: 24 << 30, AvailableBytes: 20 << 30, CgroupLimitBytes: 64 << 30, Source: "meminfo"}},
		{name: "limit above RAM, usage near it", cg: cgroupMemory{Version: 1, Limit: 32 << 30, Usage: 30 << 30},
			want: Memory{TotalBytes: 24 << 30, AvailableBytes: 2 << 30, CgroupLimitBytes: 32 << 30, Source: "meminfo"}},
		{name: "usage over limit", cg: cgroupMemory{Version: 2, Path: "/x", Limit: 1 << 30, Usage: 2 << 30},
			want:     Memory{TotalBytes: 1 << 30, AvailableBytes: 0, CgroupLimitBytes: 1 << 30, Source: "cgroup"},
			wantNote: "memory limited to 1.0 GiB by cgroup v2 /x"},
		{name: "inactive cache above usage", cg: cgroupMemory{Version: 2, Path: "/", Limit: 8 << 30, Usage: 1 << 30, InactiveFile: 2 << 30},
			want:     Memory{TotalBytes: 8 << 30, AvailableBytes: 8 << 30, CgroupLimitBytes: 8 << 30, Source: "cgroup"},
			wantNote: "memory limited to 8.0 GiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes := applyCgroup(host, tt.cg)
			if got != tt.want {
				t.Errorf("applyCgroup:\n got %+v\nwant %+v", got, tt.want)
			}
			if note := strings.Join(notes, "\n"); !strings.HasPrefix(note, tt.wantNote) || (tt.wantNote == "" && note != "") {
				t.Errorf("notes %q, want prefix %q", notes, tt.wantNote)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		name string
		in   uint64
		want string
	}{
		{name: "bytes", in: 512, want: "512 B"},
		{name: "KiB", in: 1536, want: "1.5 KiB"},
		{name: "GiB", in: 4 << 30, want: "4.0 GiB"},
		{name: "H200", in: 143771 * mib, want: "140.4 GiB"},
		{name: "max", in: 1<<64 - 1, want: "16.0 EiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatBytes(tt.in); got != tt.want {
				t.Errorf("formatBytes(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
