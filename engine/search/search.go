// Package search is SLM-MUX's model selection search (spec §4) and the
// scaling curves built on it, both pure (no I/O, no clock).
//
// [Search] scores every subset of a model pool of sizes KMin..KMax over a
// run's stored samples ([mux.Dataset]) with one [Objective] and returns the
// best subset per size and the top subsets overall:
//
//   - [Paper]: UnionAcc(S) − λ·Contradiction(S), both shares of all items
//     (the paper's §3.2, λ = 1 by default);
//   - [Official]: the authors' code, contradictions divided by union-correct
//     items, λ = 0.5, "correct" meaning at least 2 correct samples;
//   - [Mux]: the SLM-MUX accuracy of the subset itself on the run.
//
// Every picked subset also carries its SLM-MUX accuracy (and, with a
// hold-out split, its accuracy on the held-out items), so objectives can be
// compared by what they are for. Subsets are scored with per-model bitsets
// over items, accumulated down a recursion over combinations, so a subset
// costs a few word operations per 64 items.
//
// Ranking is total and deterministic: higher score, then higher union
// accuracy, then the subset that comes first in lexicographic order of the
// pool's model order. The best subset of a size is never empty: the running
// best starts at −∞ (fixing spec §11.24).
//
// [Scale] computes the paper's scaling curves: SLM-MUX and Agent Forest as
// samples per model grow, and the best subset as models are added.
package search

import (
	"errors"
	"fmt"
	"math"

	"github.com/slmmux/slmmux/engine/mux"
)

// ErrConfig matches (with errors.Is) every error that Search and Scale
// return because their input cannot be analysed (too few models or items,
// K outside the pool, a bad hold-out fraction or sample count): the
// caller's input is at fault. The errors' text does not repeat it.
var ErrConfig = errors.New("invalid search or scaling input")

type configError struct{ msg string }

func (e configError) Error() string        { return e.msg }
func (e configError) Is(target error) bool { return target == ErrConfig }

func configErr(format string, args ...any) error {
	return configError{fmt.Sprintf(format, args...)}
}

// Objective names what a subset is ranked by.
type Objective string

const (
	// Paper is UnionAcc − λ·Contradiction with both shares of all items.
	Paper Objective = "paper"
	// Official is the authors' code: contradiction ÷ union-correct items.
	Official Objective = "official"
	// Mux is the subset's own SLM-MUX accuracy, all stored samples, 1 trial.
	Mux Objective = "mux"
)

// Objectives lists every objective, in the order reports show them.
var Objectives = []Objective{Paper, Official, Mux}

// ParseObjective validates an objective name ("" is Paper).
func ParseObjective(s string) (Objective, error) {
	switch o := Objective(s); o {
	case "":
		return Paper, nil
	case Paper, Official, Mux:
		return o, nil
	}
	return "", fmt.Errorf("unknown objective %q: use paper, official or mux", s)
}

// DefaultLambda is the objective's λ: 0.5 for Official (the authors'
// default), 1 otherwise (the paper's).
func (o Objective) DefaultLambda() float64 {
	if o == Official {
		return 0.5
	}
	return 1
}

// Config configures Search.
type Config struct {
	Objective Objective // zero: Paper
	// KMin and KMax bound the subset sizes searched; zero means 2 and
	// min(5, pool size). KMin may be 1 (single models).
	KMin, KMax int
	// Lambda weighs contradictions. It is used as given (0 ranks by union
	// accuracy alone); DefaultConfig sets the objective's default.
	Lambda float64
	// RobustLevel r makes a model correct on an item when at least r of its
	// samples are. Zero means the objective's rule: Paper and Mux use the
	// model's own answer (its most frequent non-empty answer), Official 2.
	RobustLevel int
	// Top is how many subsets of all sizes Result.Ranked keeps (0: none).
	Top int
	// HoldOut is the fraction of items, drawn with Seed, kept out of the
	// search and used only to report held-out SLM-MUX accuracy (0: none).
	HoldOut float64
	Seed    uint64
	// Profile and ValAcc configure the SLM-MUX rule behind MuxAcc (and the
	// Mux objective): confidence denominator and tie-break accuracies.
	// Agreement, when set, breaks ties by the label-free estimate instead
	// (computed over the whole pool, leave-one-out per item).
	Profile   mux.Profile
	ValAcc    map[string]float64
	Agreement *mux.Agreement
}

// DefaultConfig returns o's defaults: K from 2 to min(5, pool size), its
// λ, top 10.
func DefaultConfig(o Objective) Config {
	return Config{Objective: o, KMin: 2, Lambda: o.DefaultLambda(), Top: 10}
}

// Subset is one scored combination of models. For Paper and Mux, UnionAcc
// and Contradiction are shares of all Items and Score is UnionAcc −
// λ·Contradiction (Paper) or MuxAcc (Mux). For Official, Items is the number
// of items some model of the subset answered, UnionAcc is UnionCorrect/Items
// and Contradiction is Contradicted/UnionCorrect.
type Subset struct {
	Models        []string `json:"models"`
	Score         float64  `json:"score"`
	UnionAcc      float64  `json:"union_acc"`
	Contradiction float64  `json:"contradiction"`
	MuxAcc        float64  `json:"mux_acc"`
	HeldOutMuxAcc *float64 `json:"heldout_mux_acc,omitempty"`
	UnionCorrect  int      `json:"union_correct"`
	Contradicted  int      `json:"contradicted"`
	Items         int      `json:"items"`

	idx []int // model indices into the pool, ascending
}

// Indices returns the subset's model indices in the pool, ascending.
func (s Subset) Indices() []int { return s.idx }

// Result is a search's outcome.
type Result struct {
	Objective   Objective
	Lambda      float64
	RobustLevel int // 0: the model's own answer decides correctness
	Models      []string
	KMin, KMax  int
	Items       int // items searched over
	HeldOut     int // items held out (0 without a split)
	Evaluated   int // subsets scored
	BestByK     []Subset
	Ranked      []Subset // the Top best over all sizes, best first
}

// Best returns the best subset of size k, and false when k was not searched.
func (r *Result) Best(k int) (Subset, bool) {
	for _, s := range r.BestByK {
		if len(s.Models) == k {
			return s, true
		}
	}
	return Subset{}, false
}

// Search scores every subset of ds.Models of size cfg.KMin..cfg.KMax.
// Code and text questions count as votes by threshold (mux.Dataset.Votes).
// Errors wrap ErrConfig when the input cannot be searched.
func Search(ds *mux.Dataset, cfg Config) (*Result, error) {
	return search(ds, cfg, 2)
}

// search is Search on pools of at least minModels models.
func search(ds *mux.Dataset, cfg Config, minModels int) (*Result, error) {
	ds = ds.Votes()
	cfg, err := normalize(ds, cfg, minModels)
	if err != nil {
		return nil, err
	}
	searchDS, heldDS := split(ds, cfg.HoldOut, cfg.Seed)
	p := newPool(searchDS, cfg)
	e := newEnumerator(p, cfg)
	e.run()
	res := &Result{
		Objective: cfg.Objective, Lambda: cfg.Lambda, RobustLevel: cfg.RobustLevel,
		Models: ds.Models, KMin: cfg.KMin, KMax: cfg.KMax,
		Items: len(searchDS.Items), Evaluated: e.evaluated,
	}
	var held *muxKeys
	if heldDS != nil {
		res.HeldOut = len(heldDS.Items)
		held = newMuxKeys(heldDS, cfg.Profile, cfg.ValAcc, cfg.Agreement)
	}
	finish := func(c cand) Subset { return p.subset(c, held) }
	for _, c := range e.best {
		res.BestByK = append(res.BestByK, finish(c))
	}
	for _, c := range e.top.sorted() {
		res.Ranked = append(res.Ranked, finish(c))
	}
	return res, nil
}

// normalize fills defaults and validates cfg against ds.
func normalize(ds *mux.Dataset, cfg Config, minModels int) (Config, error) {
	if cfg.Objective == "" {
		cfg.Objective = Paper
	}
	if _, err := ParseObjective(string(cfg.Objective)); err != nil {
		return cfg, configErr("%v", err)
	}
	n := len(ds.Models)
	switch {
	case len(ds.Items) == 0:
		return cfg, configErr("the run holds no items for these models")
	case n < minModels:
		return cfg, configErr("a search needs at least %d models, the pool has %s (%v)", minModels, models(n), ds.Models)
	case n > maxModels:
		return cfg, configErr("a pool of %d models is more than the %d a search supports", n, maxModels)
	}
	if cfg.KMin == 0 {
		cfg.KMin = 2
	}
	if cfg.KMax == 0 {
		cfg.KMax = min(5, n)
	}
	switch {
	case cfg.KMin < 1:
		return cfg, configErr("k-min %d: subsets need at least 1 model", cfg.KMin)
	case cfg.KMin > cfg.KMax:
		return cfg, configErr("k-min %d is above k-max %d", cfg.KMin, cfg.KMax)
	case cfg.KMax > n:
		return cfg, configErr("k-max %d is more than the pool's %s (%v)", cfg.KMax, models(n), ds.Models)
	case cfg.RobustLevel < 0:
		return cfg, configErr("robust level %d: must be 0 (own answer) or at least 1", cfg.RobustLevel)
	case cfg.Top < 0 || cfg.Top > 1_000_000:
		return cfg, configErr("top %d: must be 0 to 1000000", cfg.Top)
	case math.IsNaN(cfg.Lambda) || math.IsInf(cfg.Lambda, 0) || cfg.Lambda < 0 || cfg.Lambda > 1000:
		return cfg, configErr("lambda %v: must be a number from 0 to 1000", cfg.Lambda)
	case cfg.HoldOut < 0 || cfg.HoldOut >= 1 || cfg.HoldOut != cfg.HoldOut:
		return cfg, configErr("hold-out fraction %v: must be at least 0 and below 1", cfg.HoldOut)
	}
	if cfg.Objective == Official && cfg.RobustLevel == 0 {
		cfg.RobustLevel = 2
	}
	if cfg.HoldOut > 0 {
		if h := heldCount(len(ds.Items), cfg.HoldOut); h == 0 || h == len(ds.Items) {
			return cfg, configErr("hold-out fraction %v of %d items leaves %d held out: each part needs at least one item", cfg.HoldOut, len(ds.Items), h)
		}
	}
	return cfg, nil
}

// models says "1 model" or "n models".
func models(n int) string {
	if n == 1 {
		return "1 model"
	}
	return fmt.Sprintf("%d models", n)
}
