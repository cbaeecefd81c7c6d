package confidence

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/slmmux/slmmux/engine/mux"
)

// Record is one stored sample with what the signals need.
type Record struct {
	Item    string
	Model   string
	Index   int // the sample's index j
	Correct bool
	Sample  Sample
	// Tokens is the prompt and output tokens of the sample's generation;
	// ExtraTokens those of its verbalized follow-up (0: none).
	Tokens, ExtraTokens int
}

// SimConfig configures Simulate; K and Trials as in mux.SimConfig.
type SimConfig struct {
	K      int
	Trials int
	Seed   uint64
	ValAcc map[string]float64
}

// SimResult is SLM-MUX's accuracy under one signal, the mean over trials,
// with the cost of the samples drawn: generations and tokens per trial
// (the verbalized signal's follow-ups included), and the embedding
// requests the signal needs.
type SimResult struct {
	Method            Method
	NItems, K, Trials int
	Accuracy          float64
	Stderr, TrialStd  float64
	Generations       float64
	Tokens            float64
	Embeddings        float64
	Items             []mux.ItemChoice // per item, when Trials == 1
}

// Simulate replays SLM-MUX under sig over records, models in tie-break
// order. Its draws are mux.Simulate's (one PCG stream seeded (Seed,
// 0x5eed), trial by trial, item by item in order of first appearance,
// model by model, a partial Fisher-Yates over the samples in index order),
// so the consistency signal gives mux.Simulate's accuracy exactly. A
// chosen answer is right when the sample representing it is.
func Simulate(records []Record, models []string, sig Signal, cfg SimConfig) (SimResult, error) {
	items, byItem := group(records, models)
	if len(items) == 0 {
		return SimResult{}, fmt.Errorf("no samples to replay: the run holds no items for these models")
	}
	maxN := 0
	for _, per := range byItem {
		for _, rs := range per {
			maxN = max(maxN, len(rs))
		}
	}
	k := cfg.K
	if k == 0 {
		k = maxN
	}
	if k < 1 || k > maxN {
		return SimResult{}, &mux.KError{K: k, Max: maxN}
	}
	trials := max(cfg.Trials, 1)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	res := SimResult{Method: sig.Method(), NItems: len(items), K: k, Trials: trials}
	need := sig.Method().Needs()
	accs := make([]float64, trials)
	var perm []int
	votes := make([]Vote, len(models))
	drawn := make([]Sample, 0, k)
	picked := make([]*Record, 0, k)
	for t := range trials {
		correct := 0
		for ii, it := range items {
			for m, rs := range byItem[ii] {
				perm = draw(rng, len(rs), k, perm[:0])
				drawn, picked = drawn[:0], picked[:0]
				for _, p := range perm {
					r := &rs[p]
					drawn = append(drawn, r.Sample)
					picked = append(picked, r)
					res.Generations++
					res.Tokens += float64(r.Tokens)
					if need.Verbal { // the follow-up asking for the rating
						res.Generations++
						res.Tokens += float64(r.ExtraTokens)
					}
					if need.Embedding {
						res.Embeddings++
					}
				}
				votes[m] = Vote{Model: models[m], Choice: NoChoice}
				if len(drawn) > 0 {
					votes[m].Choice = sig.Choose(models[m], drawn)
				}
				if votes[m].Index >= 0 {
					votes[m].Index = picked[votes[m].Index].Index // as a stored index, for correctness below
				}
			}
			w := Select(votes, cfg.ValAcc)
			ok := false
			ic := mux.ItemChoice{Item: it}
			if w >= 0 {
				v := votes[w]
				for _, r := range byItem[ii][w] {
					if r.Index == v.Index {
						ok = r.Correct
					}
				}
				ic.Answer, ic.Model, ic.Confidence, ic.Correct = v.Answer, v.Model, v.Confidence, ok
			}
			if ok {
				correct++
			}
			if trials == 1 {
				res.Items = append(res.Items, ic)
			}
		}
		accs[t] = float64(correct) / float64(len(items))
	}
	res.Accuracy = meanOf(accs)
	res.Stderr = mux.Stderr(res.Accuracy, len(items))
	res.TrialStd = stddevOf(accs)
	res.Generations /= float64(trials)
	res.Tokens /= float64(trials)
	res.Embeddings /= float64(trials)
	return res, nil
}

// group indexes records by item (order of first appearance) and model
// (models' order), each model's samples sorted by index.
func group(records []Record, models []string) ([]string, [][][]Record) {
	mi := make(map[string]int, len(models))
	for i, m := range models {
		mi[m] = i
	}
	var items []string
	idx := map[string]int{}
	var by [][][]Record
	for _, r := range records {
		m, ok := mi[r.Model]
		if !ok {
			continue
		}
		i, ok := idx[r.Item]
		if !ok {
			i = len(items)
			idx[r.Item] = i
			items = append(items, r.Item)
			by = append(by, make([][]Record, len(models)))
		}
		by[i][m] = append(by[i][m], r)
	}
	for _, per := range by {
		for _, rs := range per {
			slices.SortFunc(rs, func(a, b Record) int { return a.Index - b.Index })
		}
	}
	return items, by
}

// draw is mux's draw over positions 0..n-1: all of them in order when n
// <= k, else k distinct ones by a partial Fisher-Yates, in draw order.
func draw(rng *rand.Rand, n, k int, dst []int) []int {
	for i := range n {
		dst = append(dst, i)
	}
	if n <= k {
		return dst
	}
	for i := range k {
		j := i + rng.IntN(n-i)
		dst[i], dst[j] = dst[j], dst[i]
	}
	return dst[:k]
}

func meanOf(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

func stddevOf(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m, t := meanOf(xs), 0.0
	for _, x := range xs {
		t += (x - m) * (x - m)
	}
	return math.Sqrt(t / float64(len(xs)-1))
}
