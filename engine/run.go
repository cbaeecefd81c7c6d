package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/search"
)

// ErrNotInRun reports a model asked for that has no samples in a run.
var ErrNotInRun = errors.New("has no samples in the run")

// Run is a run folder loaded for the offline commands (mux, search, scale,
// report) and for validation accuracies: its files read once, its samples
// indexed for replay, and what each model's samples cost.
type Run struct {
	*runstore.Run
	Dataset *mux.Dataset
	Costs   search.Costs
	// NoAnswer is, per model, the share of its samples with no extractable
	// answer under each extraction mode the run recorded.
	NoAnswer map[string]NoAnswer

	behaviour map[runstore.Key]string // LoadRunByBehaviour's outputs (nil: none)
}

// NoAnswer is a model's share of samples without an answer under strict
// and flexible extraction; a mode the run did not record is nil.
type NoAnswer struct {
	Strict   *float64 `json:"strict,omitempty"`
	Flexible *float64 `json:"flexible,omitempty"`
}

// LoadRun reads the run folder dir once and indexes the samples of models,
// in that order (which is also the tie-break order). With no models it
// takes the run's own: the order run.json lists them (the order the user
// gave), then any other model with samples, sorted by name; so the same
// folder gives the same numbers whatever order its samples arrived in.
// Errors wrap runstore.ErrNoSamples (nothing to analyse) or ErrNotInRun.
func LoadRun(dir string, models []string) (*Run, error) {
	return loadRun(dir, models, nil)
}

// ErrNoBehaviour reports a run folder without behaviour.jsonl asked to
// group its code answers by behaviour.
var ErrNoBehaviour = errors.New("no behaviour of its samples on the visible examples recorded")

// LoadRunByBehaviour is LoadRun with code answers grouped by behaviour:
// a code sample's answer is what its code gave on its question's visible
// examples (behaviour.jsonl, BehaveRun), compared by equality and voted on
// as short answers are; a sample whose code did not run has none. Its
// correctness stays its verdict's. Without behaviour.jsonl the error
// wraps ErrNoBehaviour.
func LoadRunByBehaviour(dir string, models []string) (*Run, error) {
	bs, err := runstore.ReadBehaviours(dir)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoBehaviour)
	}
	return loadRun(dir, models, bs)
}

func loadRun(dir string, models []string, behaviour map[runstore.Key]string) (*Run, error) {
	rr, err := runstore.Load(dir)
	if err != nil {
		return nil, err
	}
	if n := keepRunSamples(rr); n > 0 {
		rr.Notes = append(rr.Notes, fmt.Sprintf("%d sample line(s) outside the run (an item, model or sample index that run.json and items.jsonl do not have) were ignored", n))
	}
	ds, models, err := dataset(rr, models, behaviour)
	if err != nil {
		return nil, err
	}
	costs := make([]search.CostSample, len(rr.Samples))
	for i, s := range rr.Samples {
		costs[i] = search.CostSample{Model: s.Model, OutputTokens: s.OutputTokens, DurationMS: s.DurationMS}
	}
	return &Run{Run: rr, Dataset: ds, Costs: search.CostsFromSamples(costs), NoAnswer: noAnswer(rr, models), behaviour: behaviour}, nil
}

// dataset indexes rr's samples of models (none: the run's own), in that
// order, and returns it with the models: each sample's answer with its
// kind (the run's when the sample has none) and embedding, or with
// behaviour, a code sample's answer is what its code gave.
func dataset(rr *runstore.Run, models []string, behaviour map[runstore.Key]string) (*mux.Dataset, []string, error) {
	present := map[string]bool{}
	for _, s := range rr.Samples {
		present[s.Model] = true
	}
	if len(models) == 0 {
		models = runModels(rr, present)
	}
	for _, m := range models {
		if !present[m] {
			return nil, nil, fmt.Errorf("model %q %w (models there: %s)", m, ErrNotInRun, strings.Join(sortedNames(present), ", "))
		}
	}
	recs := make([]mux.Record, len(rr.Samples))
	kind := runKind(rr.Meta)
	for i, s := range rr.Samples {
		k := answer.Kind(s.Kind)
		if k == "" {
			k = kind
		}
		recs[i] = mux.Record{Item: s.Item, Model: s.Model, Sample: s.Sample, Answer: s.Answer, Correct: s.Correct,
			Kind: k, Embedding: s.Embedding}
		if out, ok := behaviour[s.Key()]; ok && k == answer.Code {
			recs[i].Answer, recs[i].Kind, recs[i].Embedding = out, answer.Short, nil
		}
	}
	if behaviour != nil {
		allCorrect(recs)
	}
	ds, err := mux.BuildDataset(recs, models)
	if err != nil {
		return nil, nil, err
	}
	sortByItem(ds, rr.Items)
	return ds, models, nil
}

// allCorrect makes the samples of one question that share an answer
// correct only when every one of them is: samples grouped by behaviour on
// the visible examples can still differ on the hidden tests, and a class
// must not take a credit some of its members lack (a dataset marks an
// answer correct when any sample giving it is).
func allCorrect(recs []mux.Record) {
	type key struct{ item, answer string }
	all := map[key]bool{}
	for _, r := range recs {
		k := key{r.Item, r.Answer}
		if v, seen := all[k]; !seen {
			all[k] = r.Correct
		} else {
			all[k] = v && r.Correct
		}
	}
	for i, r := range recs {
		recs[i].Correct = all[key{r.Item, r.Answer}]
	}
}

// runKind is the answer kind of the benchmark run.json names, for samples
// stored without their own kind ("" when unknown: short answers).
func runKind(m *runstore.Meta) answer.Kind {
	if m == nil {
		return ""
	}
	b, err := benchmark.New(m.Benchmark, benchmark.Config{})
	if err != nil || b.Kind() == answer.Short {
		return ""
	}
	return b.Kind()
}

// noAnswer counts the samples without an answer per model and mode. A
// sample that recorded only its voted answer counts for the run's mode.
func noAnswer(rr *runstore.Run, models []string) map[string]NoAnswer {
	type count struct{ strictN, strictEmpty, flexN, flexEmpty int }
	keep := map[string]*count{}
	for _, m := range models {
		keep[m] = &count{}
	}
	flexibleRun := rr.Meta != nil && rr.Meta.Extract == "flexible"
	for _, s := range rr.Samples {
		c := keep[s.Model]
		if c == nil {
			continue
		}
		st, fl := s.AnswerStrict, s.AnswerFlexible
		if st == nil && fl == nil {
			if flexibleRun {
				fl = &s.Answer
			} else {
				st = &s.Answer
			}
		}
		if st != nil {
			c.strictN++
			if *st == "" {
				c.strictEmpty++
			}
		}
		if fl != nil {
			c.flexN++
			if *fl == "" {
				c.flexEmpty++
			}
		}
	}
	out := map[string]NoAnswer{}
	share := func(empty, n int) *float64 {
		if n == 0 {
			return nil
		}
		v := float64(empty) / float64(n)
		return &v
	}
	for m, c := range keep {
		out[m] = NoAnswer{Strict: share(c.strictEmpty, c.strictN), Flexible: share(c.flexEmpty, c.flexN)}
	}
	return out
}

// keepRunSamples keeps only the samples of the run's items x models x
// 0..samples-1 when its run.json and items.jsonl say what those are (a
// folder of samples alone keeps all), and returns how many it dropped.
func keepRunSamples(rr *runstore.Run) int {
	if rr.Meta == nil || rr.Items == nil || rr.Meta.Samples < 1 {
		return 0
	}
	items := make(map[string]bool, len(rr.Items))
	for _, it := range rr.Items {
		items[it.ID] = true
	}
	ms := map[string]bool{}
	for _, m := range rr.Meta.Models {
		ms[m.Name] = true
	}
	kept := rr.Samples[:0]
	for _, s := range rr.Samples {
		if items[s.Item] && ms[s.Model] && s.Sample >= 0 && s.Sample < rr.Meta.Samples {
			kept = append(kept, s)
		}
	}
	n := len(rr.Samples) - len(kept)
	rr.Samples = kept
	return n
}

// sortByItem orders the dataset's items: items.jsonl's order, then items it
// lacks by id. The dataset's item order is the replay's draw order, so it
// must not depend on the order samples arrived in.
func sortByItem(ds *mux.Dataset, items []runstore.Item) {
	rank := make(map[string]int, len(items))
	for i, it := range items {
		rank[it.ID] = i
	}
	// Items, not records, are sorted: a record keeps its place among its
	// item's records, so answers are interned in the same order.
	slices.SortStableFunc(ds.Items, func(a, b mux.DItem) int {
		ra, aok := rank[a.ID]
		rb, bok := rank[b.ID]
		switch {
		case aok && bok:
			return ra - rb
		case aok:
			return -1
		case bok:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// runModels is a run's default model order: run.json's, then the rest
// sorted.
func runModels(rr *runstore.Run, present map[string]bool) []string {
	var out []string
	if rr.Meta != nil {
		for _, m := range rr.Meta.Models {
			if present[m.Name] && !slices.Contains(out, m.Name) {
				out = append(out, m.Name)
			}
		}
	}
	for _, m := range sortedNames(present) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func sortedNames(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// ValAcc measures each model's validation accuracy (the mean accuracy of
// one sample) on a labelled run, for SLM-MUX's tie-break.
func ValAcc(dir string, models []string) (map[string]float64, error) {
	r, err := LoadRun(dir, models)
	if err != nil {
		return nil, err
	}
	res, err := mux.Simulate(r.Dataset, mux.SimConfig{Trials: 1})
	if err != nil {
		return nil, err
	}
	return res.Single, nil
}

// TieScores is a live question's tie-break scores for ms under rule t:
// acc (validation accuracies) for val, for agreement each model's
// agreement estimate over every item of the run in agreementRun (the
// models' pool; an error is LoadRun's), none (model order) for order.
func TieScores(t mux.TieBreak, acc map[string]float64, agreementRun string, ms []string) (map[string]float64, error) {
	switch t {
	case mux.TieAgreement:
		r, err := LoadRun(agreementRun, ms)
		if err != nil {
			return nil, err
		}
		return mux.NewAgreement(r.Dataset).Reliability(), nil
	case mux.TieOrder:
		return nil, nil
	}
	return acc, nil
}
