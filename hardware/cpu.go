package hardware

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/shirou/gopsutil/v4/cpu"
)

// probeCPU reads the processor counts and model name. It never fails: when
// the OS does not answer it falls back to runtime.NumCPU and says so in the
// notes.
func probeCPU(ctx context.Context, src sources) (CPU, []string) {
	var c CPU
	var notes []string

	logical, err := src.cpuCounts(ctx, true)
	if err != nil || logical <= 0 {
		logical = runtime.NumCPU()
		notes = append(notes, fmt.Sprintf("logical CPU count unavailable (%s); using runtime.NumCPU = %d", errText(err), logical))
	}
	c.LogicalCores = logical

	physical, err := src.cpuCounts(ctx, false)
	if err != nil || physical <= 0 || physical > logical {
		physical = logical
		notes = append(notes, "physical core count unavailable; reporting logical count")
	}
	c.PhysicalCores = physical

	if n := runtime.NumCPU(); n < logical {
		notes = append(notes, fmt.Sprintf("this process may run on %d of the %d logical CPUs (affinity mask)", n, logical))
	}

	stats, err := src.cpuInfo(ctx)
	c.Model = cpuModel(stats)
	if err != nil && len(stats) == 0 {
		notes = append(notes, fmt.Sprintf("CPU model unavailable (%s)", errText(err)))
	}
	return c, notes
}

// cpuModel picks a display name from the per-CPU records: the first model
// name, else the vendor (with family and model numbers), else the
// architecture.
func cpuModel(stats []cpu.InfoStat) string {
	for _, s := range stats {
		if m := strings.Join(strings.Fields(s.ModelName), " "); m != "" {
			return m
		}
	}
	for _, s := range stats {
		if v := strings.TrimSpace(s.VendorID); v != "" {
			if s.Family != "" && s.Model != "" {
				return fmt.Sprintf("%s family %s model %s", v, s.Family, s.Model)
			}
			return v
		}
	}
	return runtime.GOARCH
}

// errText renders a possibly nil error for a note.
func errText(err error) string {
	if err == nil {
		return "no value"
	}
	return err.Error()
}
