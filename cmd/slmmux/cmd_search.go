package main

import (
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/search"
)

// checkPool rejects pools a search cannot run on, naming the flags.
func checkPool(name string, ds *mux.Dataset, kMin, kMax int) error {
	n := len(ds.Models)
	switch {
	case n < 2:
		return usagef("%s: the run has only one model (%s); a search needs at least 2: run eval with more models, or pass --models a,b,...", name, ds.Models[0])
	case kMin > n:
		return usagef("%s: --k-min %d: the pool has only %d models (%v)", name, kMin, n, ds.Models)
	case kMax > n:
		return usagef("%s: --k-max %d: the pool has only %d models (%v)", name, kMax, n, ds.Models)
	case kMin < 1 || kMin > kMax:
		return usagef("%s: --k-min %d --k-max %d: need 1 ≤ k-min ≤ k-max", name, kMin, kMax)
	}
	return nil
}

// searchOptions are search's flags.
type searchOptions struct {
	run                     runFlags
	mf                      muxFlags
	objective               string
	kMin, kMax, top, robust int
	lambda, holdout         float64
	seed                    uint64
	asJSON                  bool
	kMaxSet, lambdaSet      bool // --k-max, --lambda given

	obj search.Objective // --objective, set by validate
}

func (a *App) searchCmd() *cobra.Command {
	var o searchOptions
	cmd := &cobra.Command{
		Use:   "search --run DIR",
		Short: "Find the best subset of models for SLM-MUX over stored samples (no daemon needed)",
		Long: `search scores every subset of K models (K from --k-min to --k-max) over a run's
samples and prints the best subset per K and the top subsets overall.

Objectives:
  paper     union accuracy − λ·contradiction, both shares of all items (λ=1):
            the paper's objective. A model is correct on an item when its own
            answer (most frequent non-empty) is; --robust-level r: when at least
            r of its samples are. Contradiction: some model of the subset is
            consistently wrong (≥2 samples, one wrong non-empty answer) where
            another is correct.
  official  the authors' code: contradiction ÷ union-correct items, λ=0.5 and
            robust level 2 unless given; empty samples count as an answer.
  mux       the subset's own SLM-MUX accuracy on the run (all samples).

Every pick also shows its SLM-MUX accuracy, and a table compares the three
objectives' picks. --holdout F keeps a seeded fraction F of the items out of
the search and reports SLM-MUX accuracy on them. Ties go to higher union
accuracy, then to the earlier subset in model order; a best subset is never
empty.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.kMaxSet, o.lambdaSet = cmd.Flags().Changed("k-max"), cmd.Flags().Changed("lambda")
			if err := o.validate(); err != nil {
				return err
			}
			return a.runSearch(o)
		},
	}
	f := cmd.Flags()
	o.run.register(f)
	f.Lookup("models").Usage = "comma-separated pool, in tie-break order (default: the run's models in run.json order)"
	f.IntVar(&o.kMin, "k-min", 2, "smallest subset size (1 includes single models)")
	f.IntVar(&o.kMax, "k-max", 5, "largest subset size (default: 5, or the pool size if smaller)")
	f.Float64Var(&o.lambda, "lambda", 1, "contradiction weight λ (default 1; 0.5 with --objective official)")
	f.StringVar(&o.objective, "objective", "paper", "paper, official or mux")
	f.IntVar(&o.robust, "robust-level", 0, "a model is correct when at least r samples are (0: its own answer; official: 2)")
	f.IntVar(&o.top, "top", 10, "how many subsets of all sizes to rank")
	f.Float64Var(&o.holdout, "holdout", 0, "fraction of items held out of the search to report held-out SLM-MUX accuracy (0: none)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of the hold-out split")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object")
	o.mf.register(cmd)
	return cmd
}

// validate checks the flags that need no run (it reads nothing) and sets
// o.obj.
func (o *searchOptions) validate() error {
	switch {
	case math.IsNaN(o.holdout) || o.holdout < 0 || o.holdout >= 1:
		return usagef("--holdout %v: must be at least 0 and below 1", o.holdout)
	case o.robust < 0 || o.robust > engine.MaxSamples:
		return usagef("--robust-level %d: must be 0 (its own answer) to %d", o.robust, engine.MaxSamples)
	case math.IsNaN(o.lambda) || o.lambda < 0 || o.lambda > 1000:
		return usagef("--lambda %v: must be a number from 0 to 1000", o.lambda)
	case o.top < 0 || o.top > 1_000_000:
		return usagef("--top %d: must be 0 to 1000000", o.top)
	}
	obj, err := search.ParseObjective(o.objective)
	if err != nil {
		return usagef("--objective: %w", err)
	}
	o.obj = obj
	return o.run.validate("search")
}

func (a *App) runSearch(o searchOptions) error {
	run, err := a.loadRun(o.run)
	if err != nil {
		return err
	}
	ds := run.Dataset
	if !o.kMaxSet {
		o.kMax = min(o.kMax, len(ds.Models))
	}
	if err := checkPool("search", ds, o.kMin, o.kMax); err != nil {
		return err
	}
	if !o.lambdaSet {
		o.lambda = o.obj.DefaultLambda()
	}
	p, tie, err := o.mf.build(ds)
	if err != nil {
		return err
	}
	cfg := search.Config{Objective: o.obj, KMin: o.kMin, KMax: o.kMax, Lambda: o.lambda, RobustLevel: o.robust,
		Top: o.top, HoldOut: o.holdout, Seed: o.seed, Profile: p, ValAcc: tie.ValAcc, Agreement: tie.Agreement}
	res, compare, err := search.SearchAndCompare(ds, cfg)
	if err != nil {
		return analysisErr("search", err)
	}
	if o.asJSON {
		return writeJSON(a.Stdout, search.NewView(res, compare, string(tie.Rule)))
	}
	if err := report.WriteSearch(a.Stdout, res, compare); err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "\nSLM-MUX %s\n", tieNote(tie.Rule))
	return nil
}
