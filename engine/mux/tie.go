package mux

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// TieBreak names how a tie between equally confident models is broken.
type TieBreak string

const (
	// TieVal: the higher validation accuracy, then model order.
	TieVal TieBreak = "val"
	// TieAgreement: the higher label-free reliability estimate (see
	// [Agreement]), then model order.
	TieAgreement TieBreak = "agreement"
	// TieOrder: the earlier model.
	TieOrder TieBreak = "order"
)

// ParseValAcc parses validation accuracies written "a=0.71,b=0.64"; ""
// is none (nil).
func ParseValAcc(s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		v, err := strconv.ParseFloat(val, 64)
		if !ok || name == "" || err != nil || v < 0 || v > 1 || math.IsNaN(v) {
			return nil, fmt.Errorf("%q: want model=accuracy pairs with accuracies in [0,1], e.g. a=0.71,b=0.64", part)
		}
		out[name] = v
	}
	return out, nil
}

// ParseTieBreak validates a tie-break name; "" is returned as "" (the
// caller's default).
func ParseTieBreak(s string) (TieBreak, error) {
	switch t := TieBreak(s); t {
	case "", TieVal, TieAgreement, TieOrder:
		return t, nil
	}
	return "", fmt.Errorf("unknown tie-break %q: use val, agreement or order", s)
}

// TieNeedsError is a tie-break rule without what it needs: Rule val
// without validation accuracies, Rule agreement without a run to estimate
// agreement from. The caller names the settings that give them.
type TieNeedsError struct{ Rule TieBreak }

func (e *TieNeedsError) Error() string {
	if e.Rule == TieVal {
		return "tie-break val needs validation accuracies"
	}
	return "tie-break agreement needs a run to estimate it from"
}

// ResolveTie is the tie-break rule name asks for ("": DefaultTieBreak),
// checked against what is given: validation accuracies (haveValAcc) and a
// run to estimate agreement from (haveRun). An unknown name is
// ParseTieBreak's error; a rule without what it needs, a *TieNeedsError.
func ResolveTie(name string, haveValAcc, haveRun bool) (TieBreak, error) {
	t, err := ParseTieBreak(name)
	if err != nil {
		return "", err
	}
	if t == "" {
		t = DefaultTieBreak(haveValAcc, haveRun)
	}
	if t == TieVal && !haveValAcc || t == TieAgreement && !haveRun {
		return "", &TieNeedsError{Rule: t}
	}
	return t, nil
}

// DefaultTieBreak is the rule used when none is named: val when
// validation accuracies are given, else agreement when a run is there to
// estimate it from, else order.
func DefaultTieBreak(haveValAcc, haveRun bool) TieBreak {
	switch {
	case haveValAcc:
		return TieVal
	case haveRun:
		return TieAgreement
	}
	return TieOrder
}

// Agreement estimates each model's reliability without labels, from a
// run: how often its answer agrees with the pooled answer of the other
// models, on the other items (leave-one-out, so an item never votes on
// itself).
//
// On item i, model m's answer a(i,m) is its most frequent non-empty answer
// over all its stored samples (first seen on ties; none when every sample
// is empty). The others' pooled answers T(i,−m) are the answers with the
// largest count among the stored samples of every model but m (Agent
// Forest without m; a set, since several may share the top count). Item i
// counts for m when T(i,−m) is not empty (some other model answered), with
// agreement
//
//	s(i,m) = 1/|T(i,−m)| if a(i,m) ∈ T(i,−m), else 0
//
// (an empty answer disagrees). Then, with S(m) = Σ_i s(i,m) and N(m) the
// number of items that count for m,
//
//	reliability(m, without item i) = (S(m) − s(i,m)) / (N(m) − n(i,m))
//
// where n(i,m) is 1 when item i counts for m, else 0; 0 when the
// denominator is 0. For a question outside the run (ask, serve) it is
// S(m)/N(m). Sums are float64 in item order, so estimates are
// deterministic; they are computed once, in O(items × samples).
type Agreement struct {
	models []string
	model  map[string]int
	item   map[string]int
	sum    []float64   // S(m)
	n      []int       // N(m)
	s      [][]float64 // [item][model] s(i,m)
	counts [][]bool    // [item][model] n(i,m) == 1
}

// NewAgreement computes the estimates over every model and item of ds
// (code and text answers counted as votes by threshold: Dataset.Votes).
func NewAgreement(ds *Dataset) *Agreement {
	ds = ds.Votes()
	nm := len(ds.Models)
	a := &Agreement{models: ds.Models, model: make(map[string]int, nm), item: make(map[string]int, len(ds.Items)),
		sum: make([]float64, nm), n: make([]int, nm), s: make([][]float64, len(ds.Items)), counts: make([][]bool, len(ds.Items))}
	for m, name := range ds.Models {
		a.model[name] = m
	}
	var pooled, own []int
	votes := make([]int32, nm)
	for i, it := range ds.Items {
		a.item[it.ID] = i
		a.s[i], a.counts[i] = make([]float64, nm), make([]bool, nm)
		na := len(it.Answers)
		pooled = slices.Grow(pooled[:0], na)[:na]
		own = slices.Grow(own[:0], na)[:na]
		clear(pooled)
		for m, ids := range it.Samples {
			votes[m] = majorityID(ids, own)
			for _, id := range ids {
				if id >= 0 {
					pooled[id]++
				}
			}
		}
		for m, ids := range it.Samples {
			for _, id := range ids { // the others' counts: pooled less m's
				if id >= 0 {
					pooled[id]--
				}
			}
			top, size := 0, 0
			for _, c := range pooled {
				switch {
				case c > top:
					top, size = c, 1
				case c == top && c > 0:
					size++
				}
			}
			if top > 0 {
				a.counts[i][m] = true
				a.n[m]++
				if v := votes[m]; v >= 0 && pooled[v] == top {
					a.s[i][m] = 1 / float64(size)
					a.sum[m] += a.s[i][m]
				}
			}
			for _, id := range ids {
				if id >= 0 {
					pooled[id]++
				}
			}
		}
	}
	return a
}

// majorityID is ModelVote's answer over interned ids (first seen on ties;
// -1 when all are empty); counts is scratch of the item's answer count.
func majorityID(ids []int32, counts []int) int32 {
	best, bestCount := int32(-1), 0
	for _, id := range ids {
		if id >= 0 {
			counts[id]++
		}
	}
	for _, id := range ids {
		if id >= 0 && counts[id] > bestCount {
			best, bestCount = id, counts[id]
		}
	}
	for _, id := range ids {
		if id >= 0 {
			counts[id] = 0
		}
	}
	return best
}

// Models returns the models the estimates cover, in the run's order.
func (a *Agreement) Models() []string { return a.models }

// Reliability is every model's estimate over all items of the run: the tie
// scores for a question outside it.
func (a *Agreement) Reliability() map[string]float64 {
	out := make(map[string]float64, len(a.models))
	for m, name := range a.models {
		out[name] = ratio(a.sum[m], a.n[m])
	}
	return out
}

// LeaveOut is every model's estimate without item id (Reliability when
// the run has no such item).
func (a *Agreement) LeaveOut(id string) map[string]float64 {
	out := make(map[string]float64, len(a.models))
	for m, name := range a.models {
		out[name] = a.score(id, m)
	}
	return out
}

// score is model index m's estimate without item id.
func (a *Agreement) score(id string, m int) float64 {
	i, ok := a.item[id]
	if !ok {
		return ratio(a.sum[m], a.n[m])
	}
	if !a.counts[i][m] {
		return ratio(a.sum[m], a.n[m])
	}
	return ratio(a.sum[m]-a.s[i][m], a.n[m]-1)
}

func ratio(s float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// ties is a tie-break resolved over a dataset's items: per item, each
// model's score (ds.Models order; nil rows: model order) and rank (0 the
// strongest: the highest score, then the earlier model). A tie between
// equal confidences goes to the lower rank.
type ties struct {
	scores [][]float64
	ranks  [][]int32
}

// newTies scores models by the agreement estimate without the item when
// agr is set, else by validation accuracy (0 when missing) when valAcc has
// any, else not at all (model order).
func newTies(ds *Dataset, valAcc map[string]float64, agr *Agreement) ties {
	nm, ni := len(ds.Models), len(ds.Items)
	t := ties{scores: make([][]float64, ni), ranks: make([][]int32, ni)}
	order := make([]int, nm)
	if agr == nil {
		var row []float64
		if len(valAcc) > 0 {
			row = make([]float64, nm)
			for m, name := range ds.Models {
				row[m] = valAcc[name]
			}
		}
		ranks := ranksOf(order, row)
		for i := range ni {
			t.scores[i], t.ranks[i] = row, ranks
		}
		return t
	}
	for i, it := range ds.Items {
		row := make([]float64, nm)
		for m, name := range ds.Models {
			if j, ok := agr.model[name]; ok {
				row[m] = agr.score(it.ID, j)
			}
		}
		t.scores[i], t.ranks[i] = row, ranksOf(order, row)
	}
	return t
}

func ranksOf(order []int, score []float64) []int32 {
	for m := range order {
		order[m] = m
	}
	if score != nil {
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case score[a] > score[b]:
				return -1
			case score[a] < score[b]:
				return 1
			}
			return 0
		})
	}
	ranks := make([]int32, len(order))
	for r, m := range order {
		ranks[m] = int32(r)
	}
	return ranks
}

// TieScores is, per item of ds, each model's tie score in ds.Models order
// (higher wins a tie; equal scores go to the earlier model): the agreement
// estimate without the item when agr is set, else the validation accuracy
// (0 when missing) when valAcc has any; nil rows mean model order. It is
// what Simulate breaks ties by, for callers with their own fast paths.
func TieScores(ds *Dataset, valAcc map[string]float64, agr *Agreement) [][]float64 {
	return newTies(ds, valAcc, agr).scores
}

// TieRule is a resolved tie-break: the rule and what it needs.
type TieRule struct {
	Rule      TieBreak
	ValAcc    map[string]float64 // Rule val
	Agreement *Agreement         // Rule agreement
}

// NewTieRule resolves the tie-break named name (ResolveTie) against what
// was given: acc are the validation accuracies (nil: none given); ds,
// when not nil, is the run to estimate agreement from (over its models,
// leave-one-out per item).
func NewTieRule(name string, acc map[string]float64, ds *Dataset) (TieRule, error) {
	t, err := ResolveTie(name, len(acc) > 0, ds != nil)
	if err != nil {
		return TieRule{}, err
	}
	switch t {
	case TieVal:
		return TieRule{Rule: t, ValAcc: acc}, nil
	case TieAgreement:
		return TieRule{Rule: t, Agreement: NewAgreement(ds)}, nil
	}
	return TieRule{Rule: TieOrder}, nil
}

// Sim fills cfg's tie-break settings.
func (t TieRule) Sim(cfg SimConfig) SimConfig {
	cfg.ValAcc, cfg.Agreement = t.ValAcc, t.Agreement
	return cfg
}
