package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
)

// calibrateOptions are calibrate's flags.
type calibrateOptions struct {
	run             runFlags
	out, embedModel string
	config          string
}

func (a *App) calibrateCmd() *cobra.Command {
	var o calibrateOptions
	cmd := &cobra.Command{
		Use:   "calibrate --run DIR [--out FILE] [--embed-model M]",
		Short: "Train the probe confidence signal on a labelled run (embeds its replies through the daemon)",
		Long: `calibrate embeds every stored reply of a labelled run folder through the daemon
(with --embed-model, else each model itself; with --config, on the host that has
the model) and fits, per model, a logistic
probe predicting from a reply's embedding whether its answer is correct. It
writes the probe file (default DIR/probe.json) that --confidence probe --probe
FILE uses in ask, eval, mux and serve (config: probe).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.run.validate("calibrate"); err != nil {
				return err
			}
			if o.out == "" {
				o.out = filepath.Join(o.run.dir, runstore.ProbeFile)
			}
			return a.runCalibrate(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.run.register(f)
	f.Lookup("run").Usage = "labelled run folder (required)"
	f.Lookup("models").Usage = "comma-separated models (default: the run's)"
	f.StringVar(&o.out, "out", "", "probe file to write (default: DIR/probe.json)")
	f.StringVar(&o.embedModel, "embed-model", "", "the model that embeds replies (default: each model itself); ask, eval and serve must use the same")
	f.StringVar(&o.config, "config", "", configHelp)
	return cmd
}

func (a *App) runCalibrate(ctx context.Context, o calibrateOptions) error {
	run, err := a.loadRun(o.run)
	if err != nil {
		return err
	}
	samples, err := runstore.ReadSamples(o.run.dir) // with their replies
	if err != nil {
		return err
	}
	lh, err := a.openHosts(ctx, hostOptions{config: o.config, pf: defaultPlanFlags(), numThread: 1})
	if err != nil {
		return err
	}
	if _, err := engine.CheckEmbed(ctx, lh.Hosts, run.Dataset.Models, o.embedModel); err != nil {
		return (&confidenceFlags{}).embedErr(err)
	}
	pf, err := engine.Calibrate(ctx, lh.Hosts, run, samples, o.embedModel)
	var few *engine.FewRepliesError
	if errors.As(err, &few) {
		return usagef("calibrate: %w (run eval with more items)", err)
	}
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	if err := report.ProbeTable(pf, run.Dataset.Models).WriteText(a.Stdout); err != nil {
		return err
	}
	if err := runstore.WriteFile(o.out, func(w io.Writer) error { return writeJSON(w, pf) }); err != nil {
		return fmt.Errorf("calibrate: --out: %w", err)
	}
	fmt.Fprintf(a.Stdout, "probe written to %s: use it with --confidence probe --probe %s\n", o.out, o.out)
	return nil
}
