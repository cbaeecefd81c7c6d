package search

import (
	"container/heap"
	"math"
	"math/bits"
	"slices"
)

// enumerator walks every combination of KMin..KMax models in
// lexicographic order. Depth d holds the union of the first d models'
// bitsets (and the max of their SLM-MUX keys), so each step down costs one
// OR per word and a leaf is scored without storing its union.
type enumerator struct {
	p         *pool
	cfg       Config
	k         int // subset size being enumerated
	idx       []int
	u, w, h   []bitset   // per depth: correct, wrong, has
	mx        [][]uint16 // per depth: max SLM-MUX key (Mux only, keys unpacked)
	mx4       [][]uint64 // the same, four keys a word (muxKeys.packed)
	official  bool
	withMux   bool
	bestK     cand
	haveBest  bool
	best      []cand // per size, KMin first
	top       topN
	evaluated int
}

func newEnumerator(p *pool, cfg Config) *enumerator {
	e := &enumerator{p: p, cfg: cfg, idx: make([]int, cfg.KMax),
		official: cfg.Objective == Official, withMux: cfg.Objective == Mux, top: topN{n: cfg.Top}}
	words := (p.items + 63) / 64
	for range cfg.KMax {
		e.u = append(e.u, make(bitset, words))
		e.w = append(e.w, make(bitset, words))
		e.h = append(e.h, make(bitset, words))
		switch {
		case e.withMux && p.keys.packed != nil:
			e.mx4 = append(e.mx4, make([]uint64, (p.items+3)/4))
		case e.withMux:
			e.mx = append(e.mx, make([]uint16, p.items))
		}
	}
	return e
}

func (e *enumerator) run() {
	for k := e.cfg.KMin; k <= e.cfg.KMax; k++ {
		e.k, e.haveBest = k, false
		e.bestK = cand{score: math.Inf(-1), union: math.Inf(-1)}
		e.rec(0, 0)
		e.best = append(e.best, e.bestK)
	}
}

func (e *enumerator) rec(start, d int) {
	p := e.p
	for i := start; i <= p.n-(e.k-d); i++ {
		e.idx[d] = i
		if d+1 == e.k {
			e.leaf(d, i)
			continue
		}
		orInto(e.u[d+1], e.u[d], p.correct[i])
		orInto(e.w[d+1], e.w[d], p.wrong[i])
		if e.official {
			orInto(e.h[d+1], e.h[d], p.has[i])
		}
		switch {
		case e.mx4 != nil:
			maxInto4(e.mx4[d+1], e.mx4[d], p.keys.packed[i])
		case e.withMux:
			maxInto(e.mx[d+1], e.mx[d], p.keys.keys[i])
		}
		e.rec(i+1, d+1)
	}
}

// leaf scores the subset idx[:d] + model i.
func (e *enumerator) leaf(d, i int) {
	p := e.p
	c := cand{idx: e.idx[:e.k]}
	u, w, ci, wi := e.u[d], e.w[d], p.correct[i], p.wrong[i]
	wi, ci = wi[:len(u)], ci[:len(u)]
	w = w[:len(u)]
	for j, x := range u {
		x |= ci[j]
		c.u += bits.OnesCount64(x)
		c.c += bits.OnesCount64(x & (w[j] | wi[j]))
	}
	if e.official {
		h, hi := e.h[d], p.has[i]
		for j, x := range h {
			c.q += bits.OnesCount64(x | hi[j])
		}
	}
	switch {
	case e.mx4 != nil:
		c.mux = maxOddCount4(e.mx4[d], p.keys.packed[i])
	case e.withMux:
		c.mux = maxOddCount(e.mx[d], p.keys.keys[i])
	}
	p.score(&c, e.k)
	e.evaluated++
	if !e.haveBest || better(&c, &e.bestK) {
		e.bestK, e.haveBest = c, true
		e.bestK.idx = slices.Clone(c.idx)
	}
	e.top.offer(&c)
}

func orInto(dst, a, b bitset) {
	b, dst = b[:len(a)], dst[:len(a)]
	for j, x := range a {
		dst[j] = x | b[j]
	}
}

// topN keeps the n best candidates; the heap's root is the worst kept.
type topN struct {
	n  int
	cs []cand
}

func (t *topN) Len() int           { return len(t.cs) }
func (t *topN) Less(i, j int) bool { return better(&t.cs[j], &t.cs[i]) }
func (t *topN) Swap(i, j int)      { t.cs[i], t.cs[j] = t.cs[j], t.cs[i] }
func (t *topN) Push(x any)         { t.cs = append(t.cs, x.(cand)) }
func (t *topN) Pop() any {
	c := t.cs[len(t.cs)-1]
	t.cs = t.cs[:len(t.cs)-1]
	return c
}

// offer keeps c (copying its indices) when it ranks among the n best.
func (t *topN) offer(c *cand) {
	switch {
	case t.n == 0:
	case len(t.cs) < t.n:
		k := *c
		k.idx = slices.Clone(c.idx)
		heap.Push(t, k)
	case better(c, &t.cs[0]):
		k := *c
		k.idx = append(t.cs[0].idx[:0], c.idx...)
		t.cs[0] = k
		heap.Fix(t, 0)
	}
}

// sorted returns the kept candidates, best first.
func (t *topN) sorted() []cand {
	out := slices.Clone(t.cs)
	slices.SortFunc(out, func(a, b cand) int {
		if better(&a, &b) {
			return -1
		}
		return 1
	})
	return out
}
