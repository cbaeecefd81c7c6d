package hardware

import (
	"context"
	"fmt"
)

// probeMemory reads system RAM through gopsutil and clamps it by the
// cgroup memory limit where the platform has one. It fails only when RAM
// cannot be read; an unreadable cgroup becomes a note.
func probeMemory(ctx context.Context, src sources) (Memory, []string, error) {
	vm, err := src.virtualMemory(ctx)
	if err != nil {
		return Memory{}, nil, err
	}
	if vm == nil || vm.Total == 0 {
		return Memory{}, nil, errNoMemory
	}
	m := Memory{
		TotalBytes:     vm.Total,
		AvailableBytes: min(vm.Available, vm.Total),
		Source:         hostMemSource,
	}
	var notes []string
	cg, err := cgroupMemoryLimit(src.fsys)
	if err != nil {
		notes = append(notes, fmt.Sprintf("cgroup memory limit not read: %v", err))
	}
	m, notes2 := applyCgroup(m, cg)
	return m, append(notes, notes2...), nil
}

// applyCgroup clamps host memory m by the cgroup's limit: the total becomes
// the limit when that is lower, and the available memory is capped by what
// the limit leaves after the cgroup's working set.
func applyCgroup(m Memory, cg cgroupMemory) (Memory, []string) {
	if cg.Limit == 0 {
		return m, nil
	}
	var notes []string
	m.CgroupLimitBytes = cg.Limit
	if cg.Limit < m.TotalBytes {
		m.TotalBytes = cg.Limit
		m.Source = "cgroup"
		notes = append(notes, fmt.Sprintf("memory limited to %s by cgroup v%d %s", formatBytes(cg.Limit), cg.Version, cg.Path))
	}
	var left uint64
	if ws := cg.workingSet(); ws < cg.Limit {
		left = cg.Limit - ws
	}
	m.AvailableBytes = min(m.AvailableBytes, left, m.TotalBytes)
	return m, notes
}

// formatBytes renders n in binary units with one decimal, e.g. "7.5 GiB".
func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
