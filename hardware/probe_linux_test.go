package hardware

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestProbeThisMachine checks Probe against what the test reads itself.
func TestProbeThisMachine(t *testing.T) {
	info, err := Probe(t.Context(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(info, "", "  ")
	t.Logf("Probe on this machine:\n%s", b)

	if info.CPU.LogicalCores != runtime.NumCPU() {
		t.Errorf("LogicalCores = %d, want runtime.NumCPU() = %d", info.CPU.LogicalCores, runtime.NumCPU())
	}
	if info.CPU.PhysicalCores < 1 || info.CPU.PhysicalCores > info.CPU.LogicalCores {
		t.Errorf("PhysicalCores = %d, want 1..%d", info.CPU.PhysicalCores, info.CPU.LogicalCores)
	}
	if info.CPU.Model == "" {
		t.Error("CPU model is empty")
	}

	want := memTotalFromProc(t)
	cg, err := readCgroupMemory(os.DirFS("/"))
	if err != nil {
		t.Fatal(err)
	}
	if cg.Limit != 0 && cg.Limit < want {
		want = cg.Limit
	}
	if diff := float64(info.Memory.TotalBytes) - float64(want); diff > 0.01*float64(want) || -diff > 0.01*float64(want) {
		t.Errorf("TotalBytes = %d, want %d ±1%%", info.Memory.TotalBytes, want)
	}
	if info.Memory.AvailableBytes == 0 || info.Memory.AvailableBytes > info.Memory.TotalBytes {
		t.Errorf("AvailableBytes = %d, want in (0, %d]", info.Memory.AvailableBytes, info.Memory.TotalBytes)
	}
	if info.Memory.CgroupLimitBytes != cg.Limit {
		t.Errorf("CgroupLimitBytes = %d, want %d", info.Memory.CgroupLimitBytes, cg.Limit)
	}

	if info.GPUs == nil {
		t.Error("GPUs is nil")
	}
	for _, g := range info.GPUs {
		if g.Vendor == "apple" || g.Unified {
			t.Errorf("Linux reported an Apple/unified GPU: %+v", g)
		}
	}
	if info.BudgetBytes(0.1) == 0 {
		t.Error("BudgetBytes(0.1) = 0")
	}
}

// memTotalFromProc reads MemTotal from /proc/meminfo, in bytes.
func memTotalFromProc(tb testing.TB) uint64 {
	tb.Helper()
	sc := bufio.NewScanner(mustOpen(tb, "/proc/meminfo"))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no MemTotal in /proc/meminfo")
	return 0
}

// TestProbeFakeSysRoot runs the real Probe, gopsutil included, on a fake
// /proc and cgroup v2 tree: a container limited to 4 GiB.
func TestProbeFakeSysRoot(t *testing.T) {
	root, err := filepath.Abs("testdata/sysroot/container-v2")
	if err != nil {
		t.Fatal(err)
	}
	info, err := Probe(t.Context(), Config{SysRoot: root, NvidiaSMI: filepath.Join(root, "no-nvidia-smi")})
	if err != nil {
		t.Fatal(err)
	}
	if want := (CPU{Model: "AMD EPYC", LogicalCores: 2, PhysicalCores: 2}); info.CPU != want {
		t.Errorf("CPU = %+v, want %+v", info.CPU, want)
	}
	// 4 GiB limit, 1 GiB charged of which 250 MiB is inactive page cache.
	wantMem := Memory{
		TotalBytes:       4 << 30,
		AvailableBytes:   4<<30 - (1<<30 - 262144000),
		CgroupLimitBytes: 4 << 30,
		Source:           "cgroup",
	}
	if info.Memory != wantMem {
		t.Errorf("Memory = %+v, want %+v", info.Memory, wantMem)
	}
	if len(info.GPUs) != 0 {
		t.Errorf("GPUs = %+v, want none", info.GPUs)
	}
	wantNote(t, info, "memory limited to 4.0 GiB by cgroup v2 /")
	wantNote(t, info, "nvidia-smi not found")
	wantNote(t, info, "no GPU found")
}
