package hardware

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
)

// fakeSources returns sources that describe a 4-thread, 2-core, 16 GiB
// host without GPUs; tests override single fields.
func fakeSources() sources {
	return sources{
		cpuCounts: func(_ context.Context, logical bool) (int, error) {
			if logical {
				return 4, nil
			}
			return 2, nil
		},
		cpuInfo: func(context.Context) ([]cpu.InfoStat, error) {
			return []cpu.InfoStat{{ModelName: "Intel(R) Core(TM)  i5-8250U CPU @ 1.60GHz", VendorID: "GenuineIntel"}}, nil
		},
		virtualMemory: func(context.Context) (*mem.VirtualMemoryStat, error) {
			return &mem.VirtualMemoryStat{Total: 16 << 30, Available: 12 << 30}, nil
		},
		run: func(context.Context, string, ...string) ([]byte, error) {
			return nil, &exec.Error{Name: "nvidia-smi", Err: exec.ErrNotFound}
		},
		fsys: fstest.MapFS{},
	}
}

func TestProbeWithSources(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		edit    func(*sources)
		check   func(t *testing.T, info Info)
		wantErr string
	}{
		{name: "plain host", check: func(t *testing.T, info Info) {
			want := CPU{Model: "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", LogicalCores: 4, PhysicalCores: 2}
			if info.CPU != want {
				t.Errorf("CPU = %+v, want %+v", info.CPU, want)
			}
			wantMem := Memory{TotalBytes: 16 << 30, AvailableBytes: 12 << 30, Source: hostMemSource}
			if info.Memory != wantMem {
				t.Errorf("Memory = %+v, want %+v", info.Memory, wantMem)
			}
			if info.Platform != runtime.GOOS+"/"+runtime.GOARCH {
				t.Errorf("Platform = %q", info.Platform)
			}
			if info.GPUs == nil {
				t.Error("GPUs is nil, want an empty slice")
			}
		}},
		{name: "ctx already done", ctx: cancelled, wantErr: "hardware: probe: context canceled"},
		{name: "memory unreadable", edit: func(s *sources) {
			s.virtualMemory = func(context.Context) (*mem.VirtualMemoryStat, error) { return nil, errors.New("no meminfo") }
		}, wantErr: "hardware: probe memory: no meminfo"},
		{name: "memory reads as zero", edit: func(s *sources) {
			s.virtualMemory = func(context.Context) (*mem.VirtualMemoryStat, error) { return &mem.VirtualMemoryStat{}, nil }
		}, wantErr: "total memory reported as 0"},
		{name: "available above total", edit: func(s *sources) {
			s.virtualMemory = func(context.Context) (*mem.VirtualMemoryStat, error) {
				return &mem.VirtualMemoryStat{Total: 8 << 30, Available: 9 << 30}, nil
			}
		}, check: func(t *testing.T, info Info) {
			if info.Memory.AvailableBytes != 8<<30 {
				t.Errorf("AvailableBytes = %d, want it capped at total", info.Memory.AvailableBytes)
			}
		}},
		{name: "CPU counts unavailable", edit: func(s *sources) {
			s.cpuCounts = func(context.Context, bool) (int, error) { return 0, errors.New("no cpuinfo") }
		}, check: func(t *testing.T, info Info) {
			if info.CPU.LogicalCores != runtime.NumCPU() || info.CPU.PhysicalCores != runtime.NumCPU() {
				t.Errorf("CPU = %+v, want runtime.NumCPU = %d", info.CPU, runtime.NumCPU())
			}
			wantNote(t, info, "logical CPU count unavailable (no cpuinfo)")
			wantNote(t, info, "physical core count unavailable")
		}},
		{name: "CPU model unavailable", edit: func(s *sources) {
			s.cpuInfo = func(context.Context) ([]cpu.InfoStat, error) { return nil, errors.New("wmi timeout") }
		}, check: func(t *testing.T, info Info) {
			if info.CPU.Model != runtime.GOARCH {
				t.Errorf("Model = %q, want %q", info.CPU.Model, runtime.GOARCH)
			}
			wantNote(t, info, "CPU model unavailable (wmi timeout)")
		}},
		{name: "cgroup limit applies", edit: func(s *sources) {
			s.fsys = fstest.MapFS{
				"sys/fs/cgroup/cgroup.controllers": {Data: []byte("memory\n")},
				"sys/fs/cgroup/memory.max":         {Data: []byte("2147483648\n")},
			}
		}, check: func(t *testing.T, info Info) {
			if runtime.GOOS != "linux" {
				return // cgroups are read on Linux only
			}
			want := Memory{TotalBytes: 2 << 30, AvailableBytes: 2 << 30, CgroupLimitBytes: 2 << 30, Source: "cgroup"}
			if info.Memory != want {
				t.Errorf("Memory = %+v, want %+v", info.Memory, want)
			}
		}},
		{name: "no GPU", check: func(t *testing.T, info Info) {
			if runtime.GOOS == "darwin" {
				return
			}
			if len(info.GPUs) != 0 {
				t.Errorf("GPUs = %+v, want none", info.GPUs)
			}
			wantNote(t, info, "nvidia-smi not found")
			wantNote(t, info, "no GPU found")
		}},
		{name: "one H200", edit: func(s *sources) {
			s.run = func(context.Context, string, ...string) ([]byte, error) {
				return mustRead(t, "testdata/nvidia-smi/h200.csv"), nil
			}
		}, check: func(t *testing.T, info Info) {
			if runtime.GOOS == "darwin" {
				return
			}
			if len(info.GPUs) != 1 || info.GPUs[0].Name != "NVIDIA H200" {
				t.Fatalf("GPUs = %+v, want the H200", info.GPUs)
			}
			if got := info.BudgetBytes(0); got != 143156*mib {
				t.Errorf("BudgetBytes(0) = %d, want the H200's free memory", got)
			}
			if slices.ContainsFunc(info.Notes, func(n string) bool { return strings.Contains(n, "GPU") }) {
				t.Errorf("unexpected GPU notes %q", info.Notes)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fakeSources()
			if tt.edit != nil {
				tt.edit(&src)
			}
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			info, err := probe(ctx, DefaultConfig(), src)
			checkErr(t, err, tt.wantErr)
			if tt.check != nil {
				tt.check(t, info)
			}
		})
	}
}

func wantNote(tb testing.TB, info Info, prefix string) {
	tb.Helper()
	if !slices.ContainsFunc(info.Notes, func(n string) bool { return strings.HasPrefix(n, prefix) }) {
		tb.Errorf("notes %q lack %q", info.Notes, prefix)
	}
}

func TestBudgetBytes(t *testing.T) {
	ram := Memory{TotalBytes: 32 << 30, AvailableBytes: 20 << 30}
	two := []GPU{{UsableBytes: 10 << 30}, {UsableBytes: 6 << 30}}
	tests := []struct {
		name   string
		info   Info
		margin float64
		want   uint64
	}{
		{name: "RAM only", info: Info{Memory: ram}, margin: 0, want: 20 << 30},
		{name: "RAM with 10% margin", info: Info{Memory: ram}, margin: 0.1, want: 18 << 30},
		{name: "GPUs summed", info: Info{Memory: ram, GPUs: two}, margin: 0, want: 16 << 30},
		{name: "GPUs with 25% margin", info: Info{Memory: ram, GPUs: two}, margin: 0.25, want: 12 << 30},
		{name: "GPU without usable memory falls back to RAM", info: Info{Memory: ram, GPUs: []GPU{{Name: "T400"}}}, want: 20 << 30},
		{name: "negative margin clamps to 0", info: Info{Memory: ram}, margin: -1, want: 20 << 30},
		{name: "margin 1 leaves nothing", info: Info{Memory: ram}, margin: 1, want: 0},
		{name: "margin above 1 clamps", info: Info{Memory: ram}, margin: 3, want: 0},
		{name: "H200 exact", info: Info{GPUs: []GPU{{UsableBytes: 143156 * mib}}}, want: 143156 * mib},
		{name: "empty info", info: Info{}, margin: 0.1, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.info.BudgetBytes(tt.margin); got != tt.want {
				t.Errorf("BudgetBytes(%v) = %d, want %d", tt.margin, got, tt.want)
			}
		})
	}
}

func TestInfoJSON(t *testing.T) {
	tests := []struct {
		name string
		info Info
		want string
	}{
		{name: "nil GPUs encode as []", info: Info{Platform: "linux/amd64"},
			want: `{"cpu":{"model":"","logical_cores":0,"physical_cores":0},"memory":{"total_bytes":0,"available_bytes":0,"cgroup_limit_bytes":0,"source":""},"gpus":[],"platform":"linux/amd64"}`},
		{name: "full contract", info: Info{
			CPU:      CPU{Model: "AMD EPYC", LogicalCores: 16, PhysicalCores: 8},
			Memory:   Memory{TotalBytes: 1, AvailableBytes: 2, CgroupLimitBytes: 3, Source: "cgroup"},
			GPUs:     []GPU{{Index: 0, Vendor: "nvidia", Name: "NVIDIA H200", UUID: "GPU-x", TotalBytes: 4, UsedBytes: 5, FreeBytes: 6, Driver: "580.159.04", ComputeCap: "9.0", UsableBytes: 7}},
			Platform: "linux/amd64",
			Notes:    []string{"n"},
		}, want: `{"cpu":{"model":"AMD EPYC","logical_cores":16,"physical_cores":8},` +
			`"memory":{"total_bytes":1,"available_bytes":2,"cgroup_limit_bytes":3,"source":"cgroup"},` +
			`"gpus":[{"index":0,"vendor":"nvidia","name":"NVIDIA H200","uuid":"GPU-x","total_bytes":4,"used_bytes":5,"free_bytes":6,"driver":"580.159.04","compute_cap":"9.0","unified":false,"usable_bytes":7}],` +
			`"platform":"linux/amd64","notes":["n"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.info)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("JSON:\n got %s\nwant %s", b, tt.want)
			}
			var back Info
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.GPUs == nil || len(back.GPUs) != len(tt.info.GPUs) {
				t.Errorf("round trip GPUs = %#v", back.GPUs)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Config
		want Config
	}{
		{name: "zero", in: Config{}, want: DefaultConfig()},
		{name: "kept", in: Config{NvidiaSMI: "/opt/nv/nvidia-smi", SysRoot: "/host", Timeout: time.Second},
			want: Config{NvidiaSMI: "/opt/nv/nvidia-smi", SysRoot: "/host", Timeout: time.Second}},
		{name: "negative timeout", in: Config{Timeout: -1}, want: DefaultConfig()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.withDefaults(); got != tt.want {
				t.Errorf("withDefaults = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func BenchmarkProbe(b *testing.B) {
	cfg := DefaultConfig()
	for b.Loop() {
		if _, err := Probe(b.Context(), cfg); err != nil {
			b.Fatal(err)
		}
	}
}
