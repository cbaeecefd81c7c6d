package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/search"
)

// searchJSON is the `search --json` object.
type searchJSON struct {
	searchResultJSON
	Models       []string           `json:"models"`
	KMin         int                `json:"k_min"`
	KMax         int                `json:"k_max"`
	Items        int                `json:"items"`
	HeldOutItems int                `json:"heldout_items"`
	Evaluated    int                `json:"evaluated"`
	Ranked       []search.Subset    `json:"ranked"`
	Compare      []searchResultJSON `json:"compare"`
	TieBreak     string             `json:"tie_break"` // the SLM-MUX tie-break behind mux accuracies
}

// searchResultJSON is one objective's settings and best subset per size.
type searchResultJSON struct {
	Objective   string                   `json:"objective"`
	Lambda      float64                  `json:"lambda"`
	RobustLevel int                      `json:"robust_level"`
	BestByK     map[string]search.Subset `json:"best_by_k"`
}

func toSearchResultJSON(r *search.Result) searchResultJSON {
	out := searchResultJSON{Objective: string(r.Objective), Lambda: r.Lambda, RobustLevel: r.RobustLevel,
		BestByK: map[string]search.Subset{}}
	for _, b := range r.BestByK {
		out.BestByK[strconv.Itoa(len(b.Models))] = b
	}
	return out
}

// muxFlags are the SLM-MUX rule's settings shared by search, scale and
// report: confidence profile and tie-break accuracies.
type muxFlags struct {
	profile, valAcc, valRun, tieBreak string
}

func (mf *muxFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&mf.profile, "profile", "paper", "SLM-MUX confidence: paper (count/k) or official (count/non-empty)")
	f.StringVar(&mf.valAcc, "val-acc", "", "validation accuracies for SLM-MUX ties, e.g. a=0.71,b=0.64")
	f.StringVar(&mf.valRun, "val-run", "", "take validation accuracies from another run folder")
	f.StringVar(&mf.tieBreak, "tie-break", "", tieBreakUsage)
	cmd.MarkFlagsMutuallyExclusive("val-acc", "val-run")
}

// build checks the flags against the run's dataset: the profile and the
// tie-break (agreement is estimated over ds).
func (mf *muxFlags) build(ds *mux.Dataset) (mux.Profile, tieRule, error) {
	p, err := mux.ParseProfile(mf.profile)
	if err != nil {
		return "", tieRule{}, usagef("--profile: %w", err)
	}
	acc, err := valAccFlags(mf.valAcc, mf.valRun, ds.Models)
	if err != nil {
		return "", tieRule{}, err
	}
	t, err := resolveTie(mf.tieBreak, acc, ds)
	return p, t, err
}

// valAccFlags is --val-acc's map, or --val-run's measured accuracies.
func valAccFlags(valAcc, valRun string, models []string) (map[string]float64, error) {
	acc, err := parseValAcc(valAcc)
	if err != nil {
		return nil, err
	}
	if valRun != "" {
		if acc, err = engine.ValAcc(valRun, models); err != nil {
			return nil, fmt.Errorf("--val-run: %w", err)
		}
	}
	return acc, nil
}

// loadRun loads a run folder for an offline analysis command and prints
// its notes (files it could not read, lines it ignored).
func (a *App) loadRun(name, dir, models string) (*engine.Run, error) {
	if dir == "" {
		return nil, usagef("%s: --run DIR is required", name)
	}
	// An offline analysis is short-lived and allocates about a run's worth
	// of memory once. A run up to 128 MiB of samples (about 600,000) is
	// replayed without collecting garbage at all, under a 2 GiB memory
	// limit that still bounds the heap; a larger one collects 4x less often
	// than the default, for a heap at most a few times the run's.
	if a.Getenv("GOGC") == "" && a.Getenv("GOMEMLIMIT") == "" {
		if st, err := os.Stat(filepath.Join(dir, runstore.SamplesFile)); err == nil && st.Size() <= 128<<20 {
			debug.SetMemoryLimit(2 << 30)
			debug.SetGCPercent(-1)
		} else {
			debug.SetGCPercent(400)
		}
	}
	r, err := engine.LoadRun(dir, splitList(models))
	if err != nil {
		return nil, err
	}
	for _, n := range r.Notes {
		fmt.Fprintf(a.Stderr, "note: %s\n", n)
	}
	return r, nil
}

// analysisErr maps an engine's ErrConfig (input that cannot be analysed)
// to a usage error.
func analysisErr(name string, err error) error {
	if errors.Is(err, search.ErrConfig) {
		return usagef("%s: %w", name, err)
	}
	return err
}

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

func (a *App) searchCmd() *cobra.Command {
	var (
		runDir, modelList, objective string
		kMin, kMax, top, robust      int
		lambda, holdout              float64
		seed                         uint64
		asJSON                       bool
		mf                           muxFlags
	)
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
			switch {
			case math.IsNaN(holdout) || holdout < 0 || holdout >= 1:
				return usagef("--holdout %v: must be at least 0 and below 1", holdout)
			case robust < 0 || robust > engine.MaxSamples:
				return usagef("--robust-level %d: must be 0 (its own answer) to %d", robust, engine.MaxSamples)
			case math.IsNaN(lambda) || lambda < 0 || lambda > 1000:
				return usagef("--lambda %v: must be a number from 0 to 1000", lambda)
			case top < 0 || top > 1_000_000:
				return usagef("--top %d: must be 0 to 1000000", top)
			}
			obj, err := search.ParseObjective(objective)
			if err != nil {
				return usagef("--objective: %w", err)
			}
			run, err := a.loadRun("search", runDir, modelList)
			if err != nil {
				return err
			}
			ds := run.Dataset
			if !cmd.Flags().Changed("k-max") {
				kMax = min(kMax, len(ds.Models))
			}
			if err := checkPool("search", ds, kMin, kMax); err != nil {
				return err
			}
			if !cmd.Flags().Changed("lambda") {
				lambda = obj.DefaultLambda()
			}
			p, tie, err := mf.build(ds)
			if err != nil {
				return err
			}
			cfg := search.Config{Objective: obj, KMin: kMin, KMax: kMax, Lambda: lambda, RobustLevel: robust,
				Top: top, HoldOut: holdout, Seed: seed, Profile: p, ValAcc: tie.ValAcc, Agreement: tie.Agreement}
			res, err := search.Search(ds, cfg)
			if err != nil {
				return analysisErr("search", err)
			}
			compare, err := search.Compare(ds, cfg)
			if err != nil {
				return analysisErr("search", err)
			}
			if asJSON {
				out := toSearchJSON(res, compare)
				out.TieBreak = string(tie.Rule)
				return writeJSON(a.Stdout, out)
			}
			if err := printSearch(a, res, compare); err != nil {
				return err
			}
			fmt.Fprintf(a.Stdout, "\nSLM-MUX %s\n", tieNote(tie.Rule))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&runDir, "run", "", "run folder holding samples.jsonl (required)")
	f.StringVar(&modelList, "models", "", "comma-separated pool, in tie-break order (default: the run's models in run.json order)")
	f.IntVar(&kMin, "k-min", 2, "smallest subset size (1 includes single models)")
	f.IntVar(&kMax, "k-max", 5, "largest subset size (default: 5, or the pool size if smaller)")
	f.Float64Var(&lambda, "lambda", 1, "contradiction weight λ (default 1; 0.5 with --objective official)")
	f.StringVar(&objective, "objective", "paper", "paper, official or mux")
	f.IntVar(&robust, "robust-level", 0, "a model is correct when at least r samples are (0: its own answer; official: 2)")
	f.IntVar(&top, "top", 10, "how many subsets of all sizes to rank")
	f.Float64Var(&holdout, "holdout", 0, "fraction of items held out of the search to report held-out SLM-MUX accuracy (0: none)")
	f.Uint64Var(&seed, "seed", 0, "seed of the hold-out split")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	mf.register(cmd)
	return cmd
}

func toSearchJSON(res *search.Result, compare []*search.Result) searchJSON {
	out := searchJSON{searchResultJSON: toSearchResultJSON(res), Models: res.Models, KMin: res.KMin, KMax: res.KMax,
		Items: res.Items, HeldOutItems: res.HeldOut, Evaluated: res.Evaluated, Ranked: res.Ranked}
	if out.Ranked == nil {
		out.Ranked = []search.Subset{}
	}
	for _, c := range compare {
		out.Compare = append(out.Compare, toSearchResultJSON(c))
	}
	return out
}

func printSearch(a *App, res *search.Result, compare []*search.Result) error {
	fmt.Fprintf(a.Stdout, "objective %s, %d subsets of %d–%d of %d models over %d items", report.ObjectiveLabel(res),
		res.Evaluated, res.KMin, res.KMax, len(res.Models), res.Items)
	if res.HeldOut > 0 {
		fmt.Fprintf(a.Stdout, " (%d held out)", res.HeldOut)
	}
	fmt.Fprintln(a.Stdout)
	for _, t := range report.SearchTables(res, compare) {
		fmt.Fprintln(a.Stdout)
		if err := t.WriteText(a.Stdout); err != nil {
			return err
		}
	}
	return nil
}
