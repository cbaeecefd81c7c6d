package search

import (
	"math/bits"
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
	// packed holds the same keys four to a word ([model][item/4], item i
	// in bits 16*(i%4)), for the enumerator's max and count four items at
	// a time (maxInto4, maxOddCount4); nil when a key needs 16 bits.
	packed [][]uint64
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
	k.pack()
	return k
}

// pack fills packed when every key fits 15 bits (fewer than 16,383
// models), as the lane arithmetic of max4 needs.
func (k *muxKeys) pack() {
	words := (k.items + 3) / 4
	k.packed = make([][]uint64, len(k.keys))
	for m, ks := range k.keys {
		k.packed[m] = make([]uint64, words)
		for i, x := range ks {
			if x >= 0x8000 {
				k.packed = nil
				return
			}
			k.packed[m][i/4] |= uint64(x) << (16 * (i % 4))
		}
	}
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

// Lanes of four 15-bit keys in a word.
const (
	laneTop = 0x8000800080008000
	laneOne = 0x0001000100010001
)

// max4 is the lane-wise max of four 15-bit keys per word: a lane of
// (a|top) - b keeps its top bit exactly when a >= b (no borrow crosses a
// lane, since b < top), which makes a mask choosing a or b.
func max4(a, b uint64) uint64 {
	ge := (((a | laneTop) - b) & laneTop) >> 15 * 0xFFFF
	return a&ge | b&^ge
}

// maxInto4 sets dst = max4(a, b) word by word.
func maxInto4(dst, a, b []uint64) {
	b, dst = b[:len(a)], dst[:len(a)]
	for i, x := range a {
		dst[i] = max4(x, b[i])
	}
}

// maxOddCount4 counts the lanes where max4(a, b) is odd: maxOddCount four
// items at a time.
func maxOddCount4(a, b []uint64) int {
	b = b[:len(a)]
	n := 0
	for i, x := range a {
		n += bits.OnesCount64(max4(x, b[i]) & laneOne)
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
