package mux

// The implementation of Simulate before the fast loop (kept verbatim but
// for names): the fast loop must give identical results for fixed seeds.

import (
	"fmt"
	"math/rand/v2"
)

type refVote struct {
	Vote
	id int32
}

func refBetter(v, w refVote, valAcc map[string]float64) bool {
	if w.Vote.less(v.Vote) {
		return true
	}
	if v.Vote.less(w.Vote) {
		return false
	}
	return valAcc[v.Model] > valAcc[w.Model]
}

// Simulate replays SLM-MUX and its baselines over ds. With K below the
// stored count, each trial draws K distinct samples per model and item
// from one seeded stream, consumed trial by trial, item by item (dataset
// order), model by model: the same config gives the same numbers.
func refSimulate(ds *Dataset, cfg SimConfig) (SimResult, error) {
	maxN := ds.MaxSamples()
	if len(ds.Items) == 0 || len(ds.Models) == 0 {
		return SimResult{}, fmt.Errorf("no samples to replay: the run holds no items for these models")
	}
	k := cfg.K
	if k == 0 {
		k = maxN
	}
	if k < 1 || k > maxN {
		return SimResult{}, &KError{K: k, Max: maxN}
	}
	if cfg.Trials > MaxTrials {
		return SimResult{}, fmt.Errorf("trials %d: at most %d", cfg.Trials, MaxTrials)
	}
	trials := max(cfg.Trials, 1)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	s := refNewSim(ds, k, cfg, rng)
	res := SimResult{NItems: len(ds.Items), K: k, Trials: trials,
		Single: map[string]float64{}, SingleSC: map[string]float64{}, Attribution: map[string]Attribution{}}
	accs := make([]float64, trials)
	for t := range trials {
		accs[t] = s.trial(&res, trials == 1)
	}
	n := float64(len(ds.Items) * trials)
	res.Accuracy = mean(accs)
	res.Stderr = Stderr(res.Accuracy, len(ds.Items))
	res.TrialStd = stddev(accs)
	res.AgentForest /= n
	res.Oracle /= n
	for i, m := range ds.Models {
		res.SingleSC[m] /= n
		res.Single[m] = (&sim{ds: s.ds}).single(i)
		a := res.Attribution[m]
		res.Attribution[m] = Attribution{Chosen: a.Chosen / float64(trials), Correct: a.Correct / float64(trials)}
	}
	return res, nil
}

type refSim struct {
	ds     *Dataset
	k      int
	cfg    SimConfig
	rng    *rand.Rand
	counts []int
	perm   []int32
	drawn  [][]int32 // per model: this item's drawn answer ids
	pooled []int32
}

func refNewSim(ds *Dataset, k int, cfg SimConfig, rng *rand.Rand) *refSim {
	maxA := 0
	for _, it := range ds.Items {
		maxA = max(maxA, len(it.Answers))
	}
	return &refSim{ds: ds, k: k, cfg: cfg, rng: rng, counts: make([]int, maxA),
		drawn: make([][]int32, len(ds.Models))}
}

// trial runs one pass over every item and returns SLM-MUX's accuracy.
func (s *refSim) trial(res *SimResult, keepItems bool) float64 {
	correct := 0
	for _, it := range s.ds.Items {
		s.pooled = s.pooled[:0]
		winner, wv, oracle := -1, refVote{}, false
		for m, all := range it.Samples {
			s.drawn[m] = s.draw(all, s.drawn[m][:0])
			s.pooled = append(s.pooled, s.drawn[m]...)
			v := s.vote(s.drawn[m])
			v.Model = s.ds.Models[m]
			if v.Count > 0 {
				if it.Correct[v.id] {
					oracle = true
					res.SingleSC[v.Model]++
				}
				if winner < 0 || refBetter(v, wv, s.cfg.ValAcc) {
					winner, wv = m, v
				}
			}
		}
		if oracle {
			res.Oracle++
		}
		if af := s.vote(s.pooled); af.Count > 0 && it.Correct[af.id] {
			res.AgentForest++
		}
		ok := winner >= 0 && it.Correct[wv.id]
		if ok {
			correct++
		}
		if winner >= 0 {
			a := res.Attribution[wv.Model]
			a.Chosen++
			if ok {
				a.Correct++
			}
			res.Attribution[wv.Model] = a
		}
		if keepItems {
			ic := ItemChoice{Item: it.ID, Correct: ok}
			if winner >= 0 {
				ic.Answer, ic.Model, ic.Confidence = it.Answers[wv.id], wv.Model, wv.Confidence()
			}
			res.Items = append(res.Items, ic)
		}
	}
	return float64(correct) / float64(len(s.ds.Items))
}

// draw appends to dst k distinct samples of all (all of them, in order,
// when there are no more than k).
func (s *refSim) draw(all []int32, dst []int32) []int32 {
	if len(all) <= s.k {
		return append(dst, all...)
	}
	s.perm = append(s.perm[:0], all...)
	for i := range s.k { // partial Fisher–Yates: the draw order is kept
		j := i + s.rng.IntN(len(s.perm)-i)
		s.perm[i], s.perm[j] = s.perm[j], s.perm[i]
		dst = append(dst, s.perm[i])
	}
	return dst
}

// vote is ModelVote over interned ids (the answer id is in Vote.id);
// first seen wins ties.
func (s *refSim) vote(ids []int32) refVote {
	best, bestCount, nonEmpty := int32(-1), 0, 0
	for _, id := range ids {
		if id >= 0 {
			nonEmpty++
			s.counts[id]++
		}
	}
	for _, id := range ids { // first seen wins ties
		if id >= 0 && s.counts[id] > bestCount {
			best, bestCount = id, s.counts[id]
		}
	}
	for _, id := range ids {
		if id >= 0 {
			s.counts[id] = 0
		}
	}
	denom := len(ids)
	if s.cfg.Profile == Official {
		denom = nonEmpty
	}
	return refVote{Vote{Count: bestCount, Denom: denom}, best}
}
