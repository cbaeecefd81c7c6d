package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/search"
)

// scaleFlags are the scaling curves' settings, shared with report.
type scaleFlags struct {
	samples string
	trials  int
	seed    uint64
	kMax    int
}

// register adds the flags; withSamples adds --samples for the samples
// curve's x values.
func (sf *scaleFlags) register(cmd *cobra.Command, withSamples bool) {
	f := cmd.Flags()
	if withSamples {
		f.StringVar(&sf.samples, "samples", "", "samples per model on the samples curve: 1..K, a list 1,3,5, or one count (default: 1..all stored)")
	}
	f.IntVar(&sf.trials, "trials", 10, "seeded trials per point (mean and standard error)")
	f.Uint64Var(&sf.seed, "seed", 0, "seed of the trials' sample draws")
	f.IntVar(&sf.kMax, "k-max", 0, "largest subset searched and on the models curve (default: 5, or the pool size if smaller)")
}

// build checks the flags against ds and returns the Scale config.
func (sf *scaleFlags) build(run *engine.Run, p mux.Profile, tie mux.TieRule) (search.ScaleConfig, error) {
	ds := run.Dataset
	ks, err := search.ParseSampleCounts(sf.samples, engine.MaxSamples)
	if err != nil {
		return search.ScaleConfig{}, usagef("--samples %q: %w", strings.TrimSpace(sf.samples), err)
	}
	if sf.trials < 1 || sf.trials > mux.MaxTrials {
		return search.ScaleConfig{}, usagef("--trials %d: need 1 to %d", sf.trials, mux.MaxTrials)
	}
	if sf.kMax < 0 || sf.kMax > len(ds.Models) {
		return search.ScaleConfig{}, usagef("--k-max %d: the pool has %d model(s) (%v)", sf.kMax, len(ds.Models), ds.Models)
	}
	return search.ScaleConfig{Samples: ks, Trials: sf.trials, Seed: sf.seed, KMax: sf.kMax,
		Profile: p, ValAcc: tie.ValAcc, Agreement: tie.Agreement, Costs: run.Costs}, nil
}

// scaleOptions are scale's flags.
type scaleOptions struct {
	run runFlags
	mf  muxFlags
	sf  scaleFlags
	out string
}

func (a *App) scaleCmd() *cobra.Command {
	var o scaleOptions
	cmd := &cobra.Command{
		Use:   "scale --run DIR",
		Short: "Accuracy as samples per model and models grow: the paper's scaling curves (no daemon needed)",
		Long: `scale replays a run's samples to draw the paper's scaling curves:

  adding samples  SLM-MUX and Agent Forest (pooled majority) with every model,
                  at each number of samples per model k (--samples, default
                  1..all stored), each point the mean ± standard error over
                  --trials seeded draws;
  adding models   the best subset of N models by the paper objective (λ=1) for
                  N = 1..--k-max, its SLM-MUX and Agent Forest accuracy at the
                  largest k, and its union accuracy (some model right).

Where samples.jsonl recorded output_tokens and duration_ms, each point also
shows the tokens and model seconds spent per item (k samples of each model),
for accuracy per unit of local compute. Writes samples.csv, models.csv and
SVG charts (samples.svg, models.svg, compute.svg) into --out.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.run.validate("scale"); err != nil {
				return err
			}
			return a.runScale(o)
		},
	}
	f := cmd.Flags()
	o.run.register(f)
	f.StringVar(&o.out, "out", "", "folder for the CSV files and charts (default: DIR/scale)")
	o.sf.register(cmd, true)
	o.mf.register(cmd)
	return cmd
}

func (a *App) runScale(o scaleOptions) error {
	run, err := a.loadRun(o.run)
	if err != nil {
		return err
	}
	p, tie, err := o.mf.build(run.Dataset)
	if err != nil {
		return err
	}
	cfg, err := o.sf.build(run, p, tie)
	if err != nil {
		return err
	}
	sc, err := search.Scale(run.Dataset, cfg)
	if err != nil {
		return analysisErr("scale", err)
	}
	out := o.out
	if out == "" {
		out = filepath.Join(o.run.dir, "scale")
	}
	files, err := report.WriteFiles(out, report.ScaleFiles(sc))
	if err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	samples, models := report.ScaleTables(sc)
	for _, t := range []report.Table{samples, models} {
		if err := t.WriteText(a.Stdout); err != nil {
			return err
		}
		fmt.Fprintln(a.Stdout)
	}
	fmt.Fprintf(a.Stdout, "%d trial(s), seed %d; SLM-MUX %s\nwrote %s\n", sc.Trials, sc.Seed, tieNote(tie.Rule), strings.Join(files, ", "))
	return nil
}
