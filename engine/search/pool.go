package search

import (
	"github.com/slmmux/slmmux/engine/mux"
)

// maxModels bounds the pool so that SLM-MUX ranks fit the uint16 keys.
const maxModels = 1 << 14

// bitset is a set of item indices, 64 per word.
type bitset []uint64

func (b bitset) set(i int) { b[i/64] |= 1 << (i % 64) }

// pool is a dataset prepared for subset scoring: per model, the items it
// is correct on, consistently wrong on and (Official) has samples for, plus
// its SLM-MUX keys.
type pool struct {
	ds      *mux.Dataset
	cfg     Config
	n       int // models
	items   int
	correct []bitset
	wrong   []bitset // consistently (Paper) or confidently (Official) wrong
	has     []bitset // Official only: items with at least one sample
	keys    *muxKeys
}

func newPool(ds *mux.Dataset, cfg Config) *pool {
	n, items := len(ds.Models), len(ds.Items)
	words := (items + 63) / 64
	p := &pool{ds: ds, cfg: cfg, n: n, items: items,
		correct: make([]bitset, n), wrong: make([]bitset, n), has: make([]bitset, n)}
	for m := range n {
		p.correct[m], p.wrong[m], p.has[m] = make(bitset, words), make(bitset, words), make(bitset, words)
	}
	for i, it := range ds.Items {
		for m, ids := range it.Samples {
			st := judge(it, ids)
			var ok, wrong bool
			if cfg.Objective == Official {
				ok = st.nCorrect >= cfg.RobustLevel
				wrong = len(ids) > 1 && st.identical && st.nCorrect == 0
			} else {
				ok = st.vote >= 0 && it.Correct[st.vote]
				if cfg.RobustLevel > 0 {
					ok = st.nCorrect >= cfg.RobustLevel
				}
				wrong = len(ids) > 1 && st.identical && ids[0] >= 0 && !it.Correct[ids[0]]
			}
			if ok {
				p.correct[m].set(i)
			}
			if wrong {
				p.wrong[m].set(i)
			}
			if len(ids) > 0 {
				p.has[m].set(i)
			}
		}
	}
	p.keys = newMuxKeys(ds, cfg.Profile, cfg.ValAcc, cfg.Agreement)
	return p
}

// sampleStats summarizes one model's samples on one item.
type sampleStats struct {
	vote      int32 // the model's own answer (most frequent non-empty, first seen); -1 if none
	count     int   // samples giving vote
	nonEmpty  int
	nCorrect  int  // samples whose answer is correct
	identical bool // every sample has the same answer id (empty included)
}

func judge(it mux.DItem, ids []int32) sampleStats {
	st := sampleStats{vote: -1, identical: true}
	for j, id := range ids {
		if id != ids[0] {
			st.identical = false
		}
		if id < 0 {
			continue
		}
		st.nonEmpty++
		if it.Correct[id] {
			st.nCorrect++
		}
		if c := countOf(ids, id, j); c > st.count {
			st.vote, st.count = id, c
		}
	}
	return st
}

// countOf counts id in ids when position j is its first occurrence, and
// returns 0 otherwise, so a first-seen answer wins ties. Samples per model
// are few (k ≤ ~20), so the quadratic scan beats a map.
func countOf(ids []int32, id int32, j int) int {
	for _, x := range ids[:j] {
		if x == id {
			return 0
		}
	}
	c := 0
	for _, x := range ids[j:] {
		if x == id {
			c++
		}
	}
	return c
}

// cand is a scored subset; idx aliases the enumerator's buffer until kept.
type cand struct {
	score, union float64
	u, c, q      int // union-correct, contradicted, denominator items
	mux          int // items SLM-MUX gets right (Mux objective only)
	idx          []int
}

// better reports whether a ranks above b: higher score, then higher union
// accuracy, then the lexicographically earlier subset.
func better(a, b *cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.union != b.union {
		return a.union > b.union
	}
	for i := range min(len(a.idx), len(b.idx)) {
		if a.idx[i] != b.idx[i] {
			return a.idx[i] < b.idx[i]
		}
	}
	return len(a.idx) < len(b.idx)
}

// score fills c's shares and score from its counts, for subset size k.
func (p *pool) score(c *cand, k int) {
	if p.cfg.Objective == Official {
		if k < 2 {
			c.c = 0 // the authors count contradictions only when |S| > 1
		}
		rate := 0.0
		if c.u > 0 {
			rate = float64(c.c) / float64(c.u)
		}
		if c.q > 0 {
			c.union = float64(c.u) / float64(c.q)
		}
		c.score = c.union - p.cfg.Lambda*rate
		return
	}
	c.q = p.items
	c.union = float64(c.u) / float64(p.items)
	if p.cfg.Objective == Mux {
		c.score = float64(c.mux) / float64(p.items)
		return
	}
	c.score = (float64(c.u) - p.cfg.Lambda*float64(c.c)) / float64(p.items)
}

// subset renders a kept candidate, with its SLM-MUX accuracy here and on
// the held-out items (held nil: no split).
func (p *pool) subset(c cand, held *muxKeys) Subset {
	s := Subset{Score: c.score, UnionAcc: c.union, UnionCorrect: c.u, Contradicted: c.c, Items: c.q,
		MuxAcc: p.keys.acc(c.idx), idx: c.idx}
	for _, m := range c.idx {
		s.Models = append(s.Models, p.ds.Models[m])
	}
	switch {
	case p.cfg.Objective == Official && c.u > 0:
		s.Contradiction = float64(c.c) / float64(c.u)
	case p.cfg.Objective != Official:
		s.Contradiction = float64(c.c) / float64(p.items)
	}
	if held != nil {
		h := held.acc(c.idx)
		s.HeldOutMuxAcc = &h
	}
	return s
}
