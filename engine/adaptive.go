package engine

import (
	"cmp"
	"slices"
	"sync"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
)

// Exact adaptive sampling, live. After every stored sample each model's
// final top count on a question is bounded: at least its top count so far,
// at most that plus the samples it has left (samples in flight count as
// left). A model that can no longer beat another's lower bound (a higher
// count, or an equal one with a better tie-break rank) cannot win: its
// remaining samples are not sent. A question is decided once one model
// alone can win and its answer cannot change (its top answer leads the
// next by more than the samples it has left). The winner and its answer
// are then those of full sampling, for the same seeds, whatever order the
// samples arrive in; the paper profile only (confidence = count / k).

// Adaptive tracks the questions of one run: Eval consults it before each
// request, and a finished run is complete when every sample it lacks is
// not needed. Safe for concurrent use.
type Adaptive struct {
	mu    sync.Mutex
	k     int
	rank  map[string]int // model → tie-break rank (0 wins ties)
	items map[string]*adaptItem
	// auto: questions whose kind is chosen from their replies. One reply
	// that is not a short answer (code, or prose the general rule reads
	// nothing from) makes its question draw every sample: code and text
	// are selected by similarity, which counts cannot bound.
	auto bool
}

type adaptItem struct {
	models  map[string]*adaptModel
	decided bool
	full    bool // every sample is needed (auto: a reply that is not a short answer)
}

// adaptModel is one model's samples of one question.
type adaptModel struct {
	drawn  int
	seen   []bool
	counts map[string]int
	top    int
}

// NewAdaptive tracks k samples per model; priority lists the models in
// tie-break order (the first wins ties), as Priority gives it.
func NewAdaptive(k int, priority []string) *Adaptive {
	a := &Adaptive{k: k, rank: map[string]int{}, items: map[string]*adaptItem{}}
	for i, m := range priority {
		if _, ok := a.rank[m]; !ok {
			a.rank[m] = i
		}
	}
	return a
}

func (a *Adaptive) item(id string) *adaptItem {
	it := a.items[id]
	if it == nil {
		it = &adaptItem{models: map[string]*adaptModel{}}
		for m := range a.rank {
			it.models[m] = &adaptModel{seen: make([]bool, a.k), counts: map[string]int{}}
		}
		a.items[id] = it
	}
	return it
}

// Record adds a stored sample; an empty answer (none extracted) counts as a
// drawn sample that votes for nothing.
func (a *Adaptive) Record(s runstore.Sample) {
	a.mu.Lock()
	defer a.mu.Unlock()
	it := a.item(s.Item)
	m := it.models[s.Model]
	if m == nil || s.Sample < 0 || s.Sample >= a.k || m.seen[s.Sample] {
		return
	}
	m.seen[s.Sample] = true
	m.drawn++
	if a.auto && !shortReply(s.Response) {
		it.full = true
	}
	if s.Answer != "" {
		m.counts[s.Answer]++
		m.top = max(m.top, m.counts[s.Answer])
	}
}

// shortReply reports whether an automatic question's reply reads as a
// short answer: answer.Detect of the reply alone (a blank reply, which
// votes for nothing, counts as short).
func shortReply(reply string) bool {
	return answer.Detect([]string{reply}, benchmark.GeneralReads) == answer.Short
}

// Needed reports whether more samples of model on item can change the
// outcome.
func (a *Adaptive) Needed(item, model string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	it := a.item(item)
	if it.full {
		return true
	}
	if it.decided {
		return false
	}
	if a.dead(it, model) {
		return false
	}
	if a.settled(it) {
		it.decided = true
		return false
	}
	return true
}

// dead: some other model surely ends at least as high, winning the tie.
func (a *Adaptive) dead(it *adaptItem, model string) bool {
	m := it.models[model]
	if m == nil {
		return false
	}
	hi := m.top + a.k - m.drawn
	for n, o := range it.models {
		if n == model {
			continue
		}
		if o.top > hi || o.top == hi && a.rank[n] < a.rank[model] {
			return true
		}
	}
	return false
}

// settled: one model alone can win and its answer cannot change.
func (a *Adaptive) settled(it *adaptItem) bool {
	var alive *adaptModel
	for n, m := range it.models {
		if a.dead(it, n) {
			continue
		}
		if alive != nil {
			return false
		}
		alive = m
	}
	if alive == nil {
		return false
	}
	first, second := 0, 0
	for _, c := range alive.counts {
		switch {
		case c > first:
			first, second = c, first
		case c > second:
			second = c
		}
	}
	// A new answer could reach at most the samples left; so could the
	// runner-up plus them. Strictly ahead of both, the answer is fixed
	// whatever order ties are broken in.
	return first > second+a.k-alive.drawn
}

// Priority is the tie-break order Select applies: higher accuracy in
// valAcc first, then the order of ms (nil valAcc: ms as it is).
func Priority(ms []string, valAcc map[string]float64) []string {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(valAcc[b], valAcc[a]) })
	return out
}
