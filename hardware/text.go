package hardware

import (
	"fmt"
	"io"
)

// WriteRows writes the probe for a person as "label\tvalue" rows, for a
// tabwriter: the CPU, the memory, each GPU, the budget for models with
// margin of the probed memory kept free, then the notes.
func (i Info) WriteRows(w io.Writer, margin float64) {
	fmt.Fprintf(w, "CPU\t%s, %d logical / %d physical cores\n", i.CPU.Model, i.CPU.LogicalCores, i.CPU.PhysicalCores)
	fmt.Fprintf(w, "RAM\t%s total, %s available (%s)\n", formatBytes(i.Memory.TotalBytes), formatBytes(i.Memory.AvailableBytes), i.Memory.Source)
	if len(i.GPUs) == 0 {
		fmt.Fprintf(w, "GPU\tnone found: models run on the CPU\n")
	}
	for _, g := range i.GPUs {
		fmt.Fprintf(w, "GPU %d\t%s (%s), %s total, %s free, %s usable\n", g.Index, g.Name, g.Vendor, formatBytes(g.TotalBytes), formatBytes(g.FreeBytes), formatBytes(g.UsableBytes))
	}
	fmt.Fprintf(w, "Budget\t%s for models (%.0f%% kept free, as Ollama does)\n", formatBytes(i.BudgetBytes(margin)), margin*100)
	for _, n := range i.Notes {
		fmt.Fprintf(w, "Note\t%s\n", n)
	}
}
