package main

import (
	"context"
	"encoding/json"
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
	info.WriteRows(w, 0.20)
	d.WriteRows(w)
	w.Flush()
}
