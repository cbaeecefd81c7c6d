// Package hardware probes the host that runs the models: its CPU, its RAM
// (clamped by a cgroup memory limit when one applies) and its GPUs.
//
// [Probe] returns an [Info], a plain value whose JSON encoding is a stable
// contract read by the scheduler. [Info.BudgetBytes] turns it into the number
// of bytes that models may occupy.
//
// GPUs are found without cgo: NVIDIA through the nvidia-smi CSV query, AMD
// through the amdgpu sysfs files, and Apple silicon as unified memory with a
// usable share of RAM. A host without a GPU is not an error; [Info.Notes]
// says what was not found and why.
package hardware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
)

// Info describes the host. Its JSON encoding is a stable public contract:
// fields may be added, but none is renamed, removed or changes meaning.
type Info struct {
	// CPU describes the processors.
	CPU CPU `json:"cpu"`
	// Memory describes system RAM, clamped by the cgroup limit if lower.
	Memory Memory `json:"memory"`
	// GPUs lists the accelerators found, NVIDIA first, then AMD, then Apple.
	// It encodes as [] (never null) when there is none.
	GPUs []GPU `json:"gpus"`
	// Platform is runtime.GOOS + "/" + runtime.GOARCH, e.g. "linux/amd64".
	Platform string `json:"platform"`
	// Notes are human-readable remarks about the probe: tools not found,
	// fallbacks taken, limits applied. They are meant for display, not for
	// parsing.
	Notes []string `json:"notes,omitempty"`
}

// MarshalJSON encodes i, writing a nil GPUs as [] so that consumers never
// see null.
func (i Info) MarshalJSON() ([]byte, error) {
	type plain Info // drops the method, avoiding recursion
	if i.GPUs == nil {
		i.GPUs = []GPU{}
	}
	return json.Marshal(plain(i))
}

// CPU describes the host's processors.
type CPU struct {
	// Model is the processor's marketing name, e.g. "AMD EPYC 7763" or
	// "Apple M2 Pro"; the vendor or architecture when the OS gives no name.
	Model string `json:"model"`
	// LogicalCores counts hardware threads online on the host.
	LogicalCores int `json:"logical_cores"`
	// PhysicalCores counts physical cores; it equals LogicalCores when the
	// OS does not report them.
	PhysicalCores int `json:"physical_cores"`
}

// Memory describes system RAM in bytes.
type Memory struct {
	// TotalBytes is the RAM this process can be given: the host's physical
	// RAM, or the cgroup limit when that is lower.
	TotalBytes uint64 `json:"total_bytes"`
	// AvailableBytes is the RAM that can be allocated now without swapping:
	// the kernel's estimate (MemAvailable on Linux), capped by what the
	// cgroup limit leaves after the cgroup's non-reclaimable usage.
	AvailableBytes uint64 `json:"available_bytes"`
	// CgroupLimitBytes is the memory limit of this process's cgroup (v1 or
	// v2, the lowest along its path), or 0 when there is none.
	CgroupLimitBytes uint64 `json:"cgroup_limit_bytes"`
	// Source names what bounds TotalBytes: "meminfo" (Linux /proc/meminfo),
	// "cgroup" (a cgroup limit below physical RAM), "sysctl" (macOS),
	// "GlobalMemoryStatusEx" (Windows), or "gopsutil" elsewhere.
	Source string `json:"source"`
}

// GPU describes one accelerator. Byte counts are 0 when the driver does not
// report them.
type GPU struct {
	// Index is the device's position among GPUs of the same vendor: the
	// nvidia-smi index, the order of the DRM cards, 0 for Apple.
	Index int `json:"index"`
	// Vendor is "nvidia", "amd" or "apple".
	Vendor string `json:"vendor"`
	// Name is the product name, e.g. "NVIDIA H200".
	Name string `json:"name"`
	// UUID identifies the device where the driver reports one ("GPU-…" for
	// NVIDIA); it is empty otherwise.
	UUID string `json:"uuid"`
	// TotalBytes is the device memory; for unified memory, the system RAM.
	TotalBytes uint64 `json:"total_bytes"`
	// UsedBytes is the device memory in use now.
	UsedBytes uint64 `json:"used_bytes"`
	// FreeBytes is the device memory free now.
	FreeBytes uint64 `json:"free_bytes"`
	// Driver is the driver version or name, e.g. "580.159.04" or "amdgpu".
	Driver string `json:"driver"`
	// ComputeCap is the CUDA compute capability, e.g. "9.0"; empty for
	// other vendors and old NVIDIA drivers.
	ComputeCap string `json:"compute_cap"`
	// Unified reports memory shared with the CPU (Apple silicon).
	Unified bool `json:"unified"`
	// UsableBytes is what a model may use on this device: FreeBytes for a
	// discrete GPU; for unified memory, the share of RAM the GPU may wire
	// (about 2/3 of RAM up to 36 GiB, 3/4 above, or the iogpu.wired_limit_mb
	// override), capped by available RAM.
	UsableBytes uint64 `json:"usable_bytes"`
}

// Config configures [Probe]. The zero value is valid: each zero field means
// its default.
type Config struct {
	// NvidiaSMI is the nvidia-smi command, looked up in PATH unless it
	// contains a path separator. Default "nvidia-smi".
	NvidiaSMI string
	// SysRoot is the directory under which /proc and /sys are read, so a
	// probe can look at a host filesystem mounted elsewhere or, in tests, at
	// a fake tree. Default "/".
	SysRoot string
	// Timeout bounds each external command (nvidia-smi). Default 10s.
	Timeout time.Duration
}

// DefaultConfig returns the configuration that a zero Config stands for.
func DefaultConfig() Config {
	return Config{NvidiaSMI: "nvidia-smi", SysRoot: "/", Timeout: 10 * time.Second}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.NvidiaSMI == "" {
		c.NvidiaSMI = d.NvidiaSMI
	}
	if c.SysRoot == "" {
		c.SysRoot = d.SysRoot
	}
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	return c
}

// sources holds the functions through which a probe reads the machine.
// Probe uses the real ones; tests replace single fields.
type sources struct {
	cpuCounts     func(ctx context.Context, logical bool) (int, error)
	cpuInfo       func(ctx context.Context) ([]cpu.InfoStat, error)
	virtualMemory func(ctx context.Context) (*mem.VirtualMemoryStat, error)
	run           commandRunner
	fsys          fs.FS // the tree under Config.SysRoot
}

func defaultSources(cfg Config) sources {
	return sources{
		cpuCounts:     cpu.CountsWithContext,
		cpuInfo:       cpu.InfoWithContext,
		virtualMemory: mem.VirtualMemoryWithContext,
		run:           runCommand,
		fsys:          os.DirFS(cfg.SysRoot),
	}
}

// Probe inspects the host. It does not fail for lack of a GPU or of GPU
// tools; those cases are reported in [Info.Notes]. It returns an error only
// when ctx is already done or system memory cannot be read at all; CPU
// counts fall back to runtime.NumCPU.
//
// Probe may run external commands (nvidia-smi), each bounded by
// cfg.Timeout and by ctx.
func Probe(ctx context.Context, cfg Config) (Info, error) {
	cfg = cfg.withDefaults()
	return probe(ctx, cfg, defaultSources(cfg))
}

func probe(ctx context.Context, cfg Config, src sources) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("hardware: probe: %w", err)
	}
	// Point gopsutil at cfg.SysRoot explicitly, so that it neither reads the
	// HOST_PROC/HOST_SYS environment variables nor ignores the config.
	ctx = context.WithValue(ctx, common.EnvKey, common.EnvMap{
		common.HostProcEnvKey: filepath.Join(cfg.SysRoot, "proc"),
		common.HostSysEnvKey:  filepath.Join(cfg.SysRoot, "sys"),
	})

	info := Info{Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var notes []string
	info.CPU, notes = probeCPU(ctx, src)
	info.Notes = append(info.Notes, notes...)

	m, notes, err := probeMemory(ctx, src)
	if err != nil {
		return Info{}, fmt.Errorf("hardware: probe memory: %w", err)
	}
	info.Memory = m
	info.Notes = append(info.Notes, notes...)

	gpus, notes := probeGPUs(ctx, cfg, src, info)
	info.GPUs = append([]GPU{}, gpus...)
	info.Notes = append(info.Notes, notes...)
	if len(info.GPUs) == 0 {
		info.Notes = append(info.Notes, "no GPU found: models run on the CPU from system RAM")
	}
	return info, nil
}

// BudgetBytes returns the bytes that models may occupy, keeping the fraction
// margin (0 to 1, clamped) in reserve: the sum of the GPUs' UsableBytes when
// any GPU reports usable memory, else the available RAM (already capped by
// the cgroup limit), times 1-margin.
func (i Info) BudgetBytes(margin float64) uint64 {
	var total uint64
	for _, g := range i.GPUs {
		total += g.UsableBytes
	}
	if total == 0 {
		total = i.Memory.AvailableBytes
	}
	switch {
	case margin <= 0 || math.IsNaN(margin):
		return total
	case margin >= 1:
		return 0
	}
	return uint64(float64(total) * (1 - margin))
}

// errNoMemory reports a memory reading that gave no total.
var errNoMemory = errors.New("total memory reported as 0")
