package hardware

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseNvidiaSMI(t *testing.T) {
	h200 := GPU{
		Index: 0, Vendor: "nvidia", Name: "NVIDIA H200",
		UUID:       "GPU-eb2d6679-cc7d-cc0d-c35d-9aec36603251",
		TotalBytes: 143771 * mib, UsedBytes: 0, FreeBytes: 143156 * mib, UsableBytes: 143156 * mib,
		Driver: "580.159.04", ComputeCap: "9.0",
	}
	tests := []struct {
		name    string
		file    string
		want    []GPU
		wantErr string
	}{
		{name: "h200", file: "h200.csv", want: []GPU{h200}},
		{name: "several GPUs", file: "multi.csv", want: []GPU{
			{Index: 0, Vendor: "nvidia", Name: "NVIDIA A100-SXM4-80GB", UUID: "GPU-2f6c1a4e-8d1b-4c55-9e0c-6a1b2c3d4e5f",
				TotalBytes: 81920 * mib, UsedBytes: 1024 * mib, FreeBytes: 80310 * mib, UsableBytes: 80310 * mib,
				Driver: "550.54.15", ComputeCap: "8.0"},
			{Index: 1, Vendor: "nvidia", Name: "NVIDIA A100-SXM4-80GB", UUID: "GPU-7a9e3b21-0c4d-4f7e-8a2b-1c2d3e4f5a6b",
				TotalBytes: 81920 * mib, UsedBytes: 40960 * mib, FreeBytes: 40374 * mib, UsableBytes: 40374 * mib,
				Driver: "550.54.15", ComputeCap: "8.0"},
			{Index: 2, Vendor: "nvidia", Name: "NVIDIA GeForce RTX 4090", UUID: "GPU-c0ffee00-1234-5678-9abc-def012345678",
				TotalBytes: 24564 * mib, UsedBytes: 388 * mib, FreeBytes: 23786 * mib, UsableBytes: 23786 * mib,
				Driver: "550.54.15", ComputeCap: "8.9"},
		}},
		{name: "empty output", file: "empty.csv", want: nil},
		{name: "no devices", file: "no-devices.txt", want: nil},
		{name: "N/A, Not Supported, spaces, CRLF", file: "odd.csv", want: []GPU{
			{Index: 0, Vendor: "nvidia", Name: "NVIDIA GeForce GTX 1650", UUID: "GPU-11111111-2222-3333-4444-555555555555",
				TotalBytes: 4096 * mib, UsedBytes: 284 * mib, FreeBytes: 3812 * mib, UsableBytes: 3812 * mib,
				Driver: "536.23", ComputeCap: "7.5"},
			{Index: 1, Vendor: "nvidia", Name: "NVIDIA T400", Driver: "536.23"},
		}},
		{name: "old driver without compute_cap", file: "old-driver.csv", want: []GPU{
			{Index: 0, Vendor: "nvidia", Name: "Tesla K80", UUID: "GPU-8b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
				TotalBytes: 11441 * mib, FreeBytes: 11373 * mib, UsableBytes: 11373 * mib, Driver: "470.223.02"},
		}},
		{name: "too few fields", file: "short-line.csv", wantErr: "line 1: got 4 fields, want 8"},
		{name: "bad number", file: "bad-number.csv", wantErr: "line 1: memory.total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustOpen(t, filepath.Join("testdata", "nvidia-smi", tt.file))
			got, err := parseNvidiaSMI(f)
			checkErr(t, err, tt.wantErr)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseNvidiaSMI:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseNvidiaSMIInlineCRLF(t *testing.T) {
	// Also covered by testdata/nvidia-smi/odd.csv; this case does not depend
	// on how a checkout treats line ends.
	in := strings.ReplaceAll(string(mustRead(t, "testdata/nvidia-smi/multi.csv")), "\n", "\r\n")
	got, err := parseNvidiaSMI(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[2].ComputeCap != "8.9" || got[2].Driver != "550.54.15" {
		t.Errorf("CRLF input parsed as %+v", got)
	}
}

// fakeRunner answers nvidia-smi calls from a script keyed by the query.
type fakeRunner struct {
	out   map[bool][]byte // by "query includes compute_cap"
	err   map[bool]error
	delay time.Duration
	calls []string
}

func (f *fakeRunner) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	f.calls = append(f.calls, name+" "+strings.Join(args, " "))
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, fmt.Errorf("signal: killed")
		}
	}
	full := strings.Contains(args[0], "compute_cap")
	return f.out[full], f.err[full]
}

func TestProbeNvidia(t *testing.T) {
	h200 := mustRead(t, "testdata/nvidia-smi/h200.csv")
	oldDriver := mustRead(t, "testdata/nvidia-smi/old-driver.csv")
	tests := []struct {
		name      string
		runner    fakeRunner
		wantGPUs  int
		wantNote  string
		wantCalls int
	}{
		{name: "h200", runner: fakeRunner{out: map[bool][]byte{true: h200}}, wantGPUs: 1, wantCalls: 1},
		{name: "binary not in PATH", runner: fakeRunner{err: map[bool]error{true: &exec.Error{Name: "nvidia-smi", Err: exec.ErrNotFound}}},
			wantNote: "nvidia-smi not found", wantCalls: 1},
		{name: "binary path missing", runner: fakeRunner{err: map[bool]error{true: &fs.PathError{Op: "fork/exec", Path: "/x", Err: fs.ErrNotExist}}},
			wantNote: "nvidia-smi not found", wantCalls: 1},
		{name: "driver without GPU exits 6", runner: fakeRunner{
			out: map[bool][]byte{true: []byte("No devices were found\n")},
			err: map[bool]error{true: errors.New("exit status 6: No devices were found")}},
			wantNote: "nvidia-smi: no devices were found", wantCalls: 1},
		{name: "driver not loaded", runner: fakeRunner{err: map[bool]error{true: errors.New(
			"exit status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver")}},
			wantNote: "nvidia-smi failed: exit status 9: NVIDIA-SMI has failed", wantCalls: 1},
		{name: "old driver rejects compute_cap", runner: fakeRunner{
			out: map[bool][]byte{false: oldDriver},
			err: map[bool]error{true: errors.New(`exit status 2: Field "compute_cap" is not a valid field to query.`)}},
			wantGPUs: 1, wantCalls: 2},
		{name: "hangs past the timeout", runner: fakeRunner{delay: time.Minute},
			wantNote: "nvidia-smi timed out after 50ms", wantCalls: 1},
		{name: "unparsable output", runner: fakeRunner{out: map[bool][]byte{true: []byte("garbage\n")}},
			wantNote: "nvidia-smi output not understood: line 1: got 1 fields", wantCalls: 1},
		{name: "GPU without memory figures", runner: fakeRunner{out: map[bool][]byte{true: []byte("0, NVIDIA GB10, GPU-1, [N/A], [N/A], [N/A], 580.95.05, 12.1\n")}},
			wantGPUs: 1, wantNote: "nvidia GPU 0 (NVIDIA GB10) reports no memory size", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{NvidiaSMI: "nvidia-smi", Timeout: 50 * time.Millisecond}
			gpus, notes := probeNvidia(t.Context(), cfg, tt.runner.run)
			if len(gpus) != tt.wantGPUs {
				t.Errorf("got %d GPUs, want %d", len(gpus), tt.wantGPUs)
			}
			if tt.wantNote == "" && len(notes) > 0 {
				t.Errorf("unexpected notes %q", notes)
			}
			if tt.wantNote != "" && !slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, tt.wantNote) }) {
				t.Errorf("notes %q lack %q", notes, tt.wantNote)
			}
			if len(tt.runner.calls) != tt.wantCalls {
				t.Errorf("ran %d times (%q), want %d", len(tt.runner.calls), tt.runner.calls, tt.wantCalls)
			}
		})
	}
}

func TestRunCommand(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil || runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	tests := []struct {
		name    string
		script  string
		wantOut string
		wantErr string
	}{
		{name: "stdout only", script: "echo '0, X'; echo warn >&2", wantOut: "0, X\n"},
		{name: "failure carries stderr", script: "echo out; echo 'driver gone' >&2; exit 9", wantOut: "out\n", wantErr: "exit status 9: driver gone"},
		{name: "failure carries stdout", script: "echo 'No devices were found'; exit 6", wantOut: "No devices were found\n", wantErr: "exit status 6: No devices were found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCommand(t.Context(), "sh", "-c", tt.script)
			checkErr(t, err, tt.wantErr)
			if string(out) != tt.wantOut {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
		})
	}
	t.Run("fake nvidia-smi script", func(t *testing.T) {
		script := mustScript(t, `case "$1" in --query-gpu=index,name,uuid,memory.total,memory.used,memory.free,driver_version,compute_cap)
  [ "$2" = --format=csv,noheader,nounits ] && cat "$H200"; exit $?;; esac; exit 2`)
		t.Setenv("H200", mustAbs(t, "testdata/nvidia-smi/h200.csv"))
		gpus, notes := probeNvidia(t.Context(), Config{NvidiaSMI: script, Timeout: 5 * time.Second}, runCommand)
		if len(gpus) != 1 || gpus[0].UUID != "GPU-eb2d6679-cc7d-cc0d-c35d-9aec36603251" || len(notes) != 0 {
			t.Errorf("got %+v, notes %q", gpus, notes)
		}
	})
	t.Run("killed at the timeout", func(t *testing.T) {
		script := mustScript(t, "sleep 30")
		start := time.Now()
		gpus, notes := probeNvidia(t.Context(), Config{NvidiaSMI: script, Timeout: 100 * time.Millisecond}, runCommand)
		if len(gpus) != 0 || !slices.Equal(notes, []string{"nvidia-smi timed out after 100ms"}) {
			t.Errorf("got %+v, notes %q", gpus, notes)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %s", d)
		}
	})
	t.Run("missing binary", func(t *testing.T) {
		_, err := runCommand(t.Context(), "slmmux-no-such-nvidia-smi")
		if !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("err = %v, want exec.ErrNotFound", err)
		}
	})
}

// mustScript writes an executable shell script into a temporary directory
// and returns its path.
func mustScript(tb testing.TB, body string) string {
	tb.Helper()
	name := filepath.Join(tb.TempDir(), "nvidia-smi")
	if err := os.WriteFile(name, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		tb.Fatal(err)
	}
	return name
}

func mustAbs(tb testing.TB, name string) string {
	tb.Helper()
	abs, err := filepath.Abs(name)
	if err != nil {
		tb.Fatal(err)
	}
	return abs
}

func mustOpen(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = f.Close() })
	return f
}

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// checkErr fails tb unless err is nil and want is "", or err contains want.
func checkErr(tb testing.TB, err error, want string) {
	tb.Helper()
	switch {
	case want == "" && err != nil:
		tb.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		tb.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		tb.Fatalf("error %q, want one containing %q", err, want)
	}
}
