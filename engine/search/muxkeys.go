package search

import (
	"slices"

	"github.com/slmmux/slmmux/engine/mux"
)

// muxKeys is a fast path for SLM-MUX accuracy with all stored samples
// (what mux.Simulate computes with K = 0 and one trial, which draws
// nothing). The SLM-MUX winner among any subset is the model that ranks
// highest on the item under one total order: exact confidence, then
// tie score (validation accuracy, or the agreement estimate without the
// item), then the earlier model. So each (model, item) gets
// a key rank<<1 | correct, with rank 0 for a model without an answer, and
// a subset's answer on an item is right exactly when the largest key of
// its models is odd: O(items × |S|) per subset, without maps or strings.
type muxKeys struct {
	items int
	keys  [][]uint16 // [model][item]
}

func newMuxKeys(ds *mux.Dataset, p mux.Profile, valAcc map[string]float64, agr *mux.Agreement) *muxKeys {
	scores := mux.TieScores(ds, valAcc, agr)
	n := len(ds.Models)
	k := &muxKeys{items: len(ds.Items), keys: make([][]uint16, n)}
	for m := range n {
		k.keys[m] = make([]uint16, len(ds.Items))
	}
	type vote struct {
		m            int
		count, denom int
		acc          float64
		correct      bool
	}
	votes := make([]vote, 0, n)
	for i, it := range ds.Items {
		votes = votes[:0]
		for m, ids := range it.Samples {
			st := judge(it, ids)
			if st.count == 0 {
				continue
			}
			denom := len(ids)
			if p == mux.Official {
				denom = st.nonEmpty
			}
			acc := 0.0
			if scores[i] != nil {
				acc = scores[i][m]
			}
			votes = append(votes, vote{m, st.count, denom, acc, it.Correct[st.vote]})
		}
		// Ascending: the weakest first, so the rank grows with strength.
		slices.SortFunc(votes, func(a, b vote) int {
			if l, r := a.count*b.denom, b.count*a.denom; l != r {
				return cmpInt(l, r)
			}
			if a.acc != b.acc {
				if a.acc < b.acc {
					return -1
				}
				return 1
			}
			return cmpInt(b.m, a.m) // the earlier model is stronger
		})
		for r, v := range votes {
			key := uint16(r+1) << 1
			if v.correct {
				key |= 1
			}
			k.keys[v.m][i] = key
		}
	}
	return k
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// acc is the SLM-MUX accuracy of the models idx over every item.
func (k *muxKeys) acc(idx []int) float64 {
	if k.items == 0 || len(idx) == 0 {
		return 0
	}
	best := slices.Clone(k.keys[idx[0]])
	for _, m := range idx[1:] {
		maxInto(best, best, k.keys[m])
	}
	return float64(oddCount(best)) / float64(k.items)
}

// maxInto sets dst[i] = max(a[i], b[i]).
func maxInto(dst, a, b []uint16) {
	b = b[:len(a)]
	dst = dst[:len(a)]
	for i, x := range a {
		dst[i] = max(x, b[i])
	}
}

// oddCount counts the odd keys: items answered correctly.
func oddCount(keys []uint16) int {
	n := 0
	for _, x := range keys {
		n += int(x & 1)
	}
	return n
}

// maxOddCount counts i where max(a[i], b[i]) is odd, without storing.
func maxOddCount(a, b []uint16) int {
	b = b[:len(a)]
	n := 0
	for i, x := range a {
		n += int(max(x, b[i]) & 1)
	}
	return n
}
