package mux

import "errors"

// Exact adaptive sampling: a question's samples are drawn model by model,
// in tie-break order (the higher tie score first: validation accuracy or
// the agreement estimate; then model order),
// and sample by sample. In that order a later model wins only with a
// strictly higher count, so after each sample a model whose count can no
// longer pass the leader's (its top count plus the samples it has left)
// is stopped, and the question stops once the leader is unanimous. The
// winner and its answer are those of full sampling, always: a stopped
// model could at best tie the leader, and ties go to the leader.

// AdaptiveResult is what adaptive sampling would have cost over a run.
type AdaptiveResult struct {
	SamplesNeeded int  `json:"samples_needed"`
	SamplesTotal  int  `json:"samples_total"`
	Identical     bool `json:"identical"` // every winner and answer equals full sampling's
}

// ErrAdaptiveProfile reports adaptive sampling asked for under the Official
// profile, whose denominators (non-empty samples) cannot be bounded before
// the samples are drawn.
var ErrAdaptiveProfile = errors.New("adaptive sampling needs the paper profile")

// Adaptive replays exact adaptive sampling over every stored sample of ds
// and checks each question's selection against full sampling's, under
// cfg's profile and tie-break (ValAcc, or Agreement per item; K and
// Trials are unused: every stored sample is replayed). Code and text
// answers count as votes by threshold (Dataset.Votes): the rule is exact
// for those votes, not for the similarity selection.
func Adaptive(ds *Dataset, cfg SimConfig) (AdaptiveResult, error) {
	if cfg.Profile == Official {
		return AdaptiveResult{}, ErrAdaptiveProfile
	}
	ds = ds.Votes()
	t := newTies(ds, cfg.ValAcc, cfg.Agreement)
	res := AdaptiveResult{Identical: true}
	for i, it := range ds.Items {
		needed, winner, answer := adaptiveItem(it, priority(t.ranks[i]))
		res.SamplesNeeded += needed
		samples := make([]Samples, len(ds.Models))
		scores := map[string]float64{}
		for m := range ds.Models {
			res.SamplesTotal += len(it.Samples[m])
			samples[m] = Samples{Model: ds.Models[m], Answers: answersOf(it, m)}
			if t.scores[i] != nil {
				scores[ds.Models[m]] = t.scores[i][m]
			}
		}
		full := Select(samples, scores, cfg.Profile)
		if full.Winner != winner || full.Answer != answer {
			res.Identical = false
		}
	}
	return res, nil
}

// priority orders model indices by tie rank: the tie-break order.
func priority(ranks []int32) []int {
	order := make([]int, len(ranks))
	for m, r := range ranks {
		order[r] = m
	}
	return order
}

// adaptiveItem samples one question adaptively and returns the samples it
// drew, the winning model's index (-1: none) and its answer.
func adaptiveItem(it DItem, order []int) (needed, winner int, answer string) {
	winner, leader := -1, 0
	for _, m := range order {
		ids := it.Samples[m]
		k := len(ids)
		if leader >= k && winner >= 0 {
			break // the leader is unanimous: nobody can pass it
		}
		counts := map[int32]int{}
		top := 0
		drawn := 0
		for j, id := range ids {
			needed++
			drawn++
			if id >= 0 {
				counts[id]++
				top = max(top, counts[id])
			}
			if top+(k-j-1) <= leader {
				break // cannot pass the leader any more
			}
		}
		if drawn < k {
			continue
		}
		best, bestCount := int32(-1), 0
		for _, id := range ids { // first seen wins ties, as ModelVote
			if id >= 0 && counts[id] > bestCount {
				best, bestCount = id, counts[id]
			}
		}
		if best >= 0 && bestCount > leader {
			winner, leader, answer = m, bestCount, it.Answers[best]
		}
	}
	return needed, winner, answer
}

func answersOf(it DItem, m int) []string {
	out := make([]string, len(it.Samples[m]))
	for j, id := range it.Samples[m] {
		if id >= 0 {
			out[j] = it.Answers[id]
		}
	}
	return out
}
