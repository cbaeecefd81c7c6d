package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/search"
)

// reportOptions are report's flags.
type reportOptions struct {
	run        runFlags
	mf         muxFlags
	sf         scaleFlags
	out        string
	samples    int
	samplesSet bool // --samples given
}

func (a *App) reportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report --run DIR",
		Short: "Write a self-contained HTML report and a Markdown summary of a run (no daemon needed)",
		Long: `report replays a run's samples and writes DIR/report/report.html (one
self-contained page: inline CSS, charts as inline SVG, no network assets) and
DIR/report/report.md (the same tables in Markdown, for terminals and pull
requests). It shows the run's settings (run.json), the results table (SLM-MUX,
each model, each model with self-consistency, Agent Forest, oracle, with
standard errors), which model's answer SLM-MUX chose and how often it was
right, per-subject accuracy (when items.jsonl has subjects), the model
selection search (paper objective, compared with the official and mux
objectives) and the scaling curves.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.samplesSet = cmd.Flags().Changed("samples")
			if err := o.run.validate("report"); err != nil {
				return err
			}
			return a.runReport(o)
		},
	}
	f := cmd.Flags()
	o.run.register(f)
	f.StringVar(&o.out, "out", "", "folder for report.html and report.md (default: DIR/report)")
	f.IntVar(&o.samples, "samples", 0, "samples per model k for the results table (default: all stored; the samples curve always spans 1..all)")
	o.sf.register(cmd, false)
	o.mf.register(cmd)
	return cmd
}

func (a *App) runReport(o reportOptions) error {
	run, err := a.loadRun(o.run)
	if err != nil {
		return err
	}
	if maxN := run.Dataset.MaxSamples(); o.samplesSet && (o.samples < 1 || o.samples > maxN) {
		return usagef("report: --%w", &mux.KError{K: o.samples, Max: maxN})
	}
	r, tie, err := o.build(run)
	if err != nil {
		return err
	}
	out := o.out
	if out == "" {
		out = filepath.Join(o.run.dir, "report")
	}
	files, err := report.WriteFiles(out, r.Files())
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := r.TieTable().WriteText(a.Stdout); err != nil {
		return err
	}
	if len(r.Signals) > 0 {
		fmt.Fprintln(a.Stdout)
		if err := r.SignalTable().WriteText(a.Stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.Stdout, "\nSLM-MUX %s\nwrote %s\n", tieNote(tie.Rule), strings.Join(files, ", "))
	return nil
}

// build replays run for the report under the flags' settings.
func (o reportOptions) build(run *engine.Run) (*report.Report, mux.TieRule, error) {
	ds := run.Dataset
	p, err := o.mf.parseProfile()
	if err != nil {
		return nil, mux.TieRule{}, err
	}
	acc, tie, err := o.mf.tie(ds)
	if err != nil {
		return nil, mux.TieRule{}, err
	}
	scfg, err := o.sf.build(run, p, tie)
	if err != nil {
		return nil, mux.TieRule{}, err
	}
	in, err := run.ReportInput()
	if err != nil {
		return nil, mux.TieRule{}, err
	}
	in.Scale, in.ValAcc = scfg, acc
	scc := confidence.SimConfig{K: o.samples, Trials: o.sf.trials, Seed: o.sf.seed, ValAcc: tie.ValAcc}
	signals, skipped, err := run.SignalRows(scc, p)
	if err != nil {
		return nil, mux.TieRule{}, analysisErr("report", err)
	}
	in.Signals = signals
	for _, s := range skipped {
		in.Notes = append(in.Notes, "confidence signal "+skippedNote(s))
	}
	in.Search = search.DefaultConfig(search.Paper)
	in.Search.KMax = o.sf.kMax // 0: the search's default, 5 or the pool size if smaller
	in.Search.Profile, in.Search.ValAcc, in.Search.Agreement = p, tie.ValAcc, tie.Agreement
	r, err := report.Build(in, tie.Sim(mux.SimConfig{K: o.samples, Trials: o.sf.trials, Seed: o.sf.seed, Profile: p}))
	if err != nil {
		return nil, mux.TieRule{}, analysisErr("report", err)
	}
	return r, tie, nil
}

// skippedNote says why the report left a confidence signal out.
func skippedNote(s engine.Skipped) string {
	switch {
	case errors.Is(s.Err, engine.ErrNoProbe):
		return "probe: no probe file (slmmux calibrate --run DIR writes DIR/probe.json)"
	case errors.Is(s.Err, engine.ErrSignalData):
		return fmt.Sprintf("%s: not recorded in this run (slmmux eval --confidence %s records it)", s.Method, s.Method)
	}
	return fmt.Sprintf("%s: %v", s.Method, s.Err)
}
