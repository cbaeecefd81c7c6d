package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/hardware"
	"github.com/slmmux/slmmux/models/ollama"
)

func (a *App) probeCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Report CPU, RAM, GPUs and the Ollama daemon: what this machine can run",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, err := hardware.Probe(cmd.Context(), hardware.DefaultConfig())
			if err != nil {
				return err
			}
			d := a.probeDaemon(cmd.Context())
			if asJSON {
				return writeProbeJSON(a, info, d)
			}
			printProbe(a, info, d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (the schema is in docs/formats.md)")
	return cmd
}

// probeDaemon asks OLLAMA_HOST's daemon about itself, for 3 s at most.
func (a *App) probeDaemon(ctx context.Context) ollama.Status {
	c, err := a.client()
	if err != nil {
		return ollama.Status{Error: err.Error(), Running: []ollama.RunningModel{}}
	}
	return c.Status(ctx, 3*time.Second)
}

// writeProbeJSON writes probe --json: the machine's facts with the daemon's
// status as "daemon".
func writeProbeJSON(a *App, info hardware.Info, d ollama.Status) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	m["daemon"] = d
	return writeJSON(a.Stdout, m)
}

func printProbe(a *App, info hardware.Info, d ollama.Status) {
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "CPU\t%s, %d logical / %d physical cores\n", info.CPU.Model, info.CPU.LogicalCores, info.CPU.PhysicalCores)
	fmt.Fprintf(w, "RAM\t%s total, %s available (%s)\n", gib(info.Memory.TotalBytes), gib(info.Memory.AvailableBytes), info.Memory.Source)
	if len(info.GPUs) == 0 {
		fmt.Fprintf(w, "GPU\tnone found: models run on the CPU\n")
	}
	for _, g := range info.GPUs {
		fmt.Fprintf(w, "GPU %d\t%s (%s), %s total, %s free, %s usable\n", g.Index, g.Name, g.Vendor, gib(g.TotalBytes), gib(g.FreeBytes), gib(g.UsableBytes))
	}
	fmt.Fprintf(w, "Budget\t%s for models (20%% kept free, as Ollama does; see slmmux plan)\n", gib(info.BudgetBytes(0.20)))
	if d.Reachable {
		v := d.Version
		if v == "0.0.0" {
			v = "version unknown (0.0.0: built from source)"
		}
		fmt.Fprintf(w, "Ollama\t%s at %s, %d model(s) loaded\n", v, d.Host, len(d.Running))
		switch has, known := ollama.VersionAtLeast(d.Version, ollama.FeatureLogprobs.Since); {
		case !known:
			fmt.Fprintf(w, "  features\tunknown for this build (logprobs need %s or later)\n", ollama.FeatureLogprobs.Since)
		case has:
			fmt.Fprintf(w, "  features\tlogprobs\n")
		default:
			fmt.Fprintf(w, "  features\tno logprobs (they need Ollama %s or later)\n", ollama.FeatureLogprobs.Since)
		}
		for _, r := range d.Running {
			fmt.Fprintf(w, "  %s\t%s (%s in VRAM)\n", r.Name, gib(uint64(r.SizeBytes)), gib(uint64(r.VRAMBytes)))
		}
	} else {
		fmt.Fprintf(w, "Ollama\tnot reachable at %s: start it with `ollama serve` or set OLLAMA_HOST\n", cmp.Or(d.Host, ollama.DefaultHost))
	}
	for _, n := range info.Notes {
		fmt.Fprintf(w, "Note\t%s\n", n)
	}
	w.Flush()
}

func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }
