package mux

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SimConfig configures Simulate.
type SimConfig struct {
	K       int                // samples per model drawn per item; 0 = all stored
	Trials  int                // seeded repetitions; 0 means 1
	Seed    uint64             // the one RNG stream's seed
	Profile Profile            // confidence denominator
	ValAcc  map[string]float64 // tie-break accuracies; nil = model order
}

// SimResult holds SLM-MUX's accuracy and the baselines, each the mean over
// trials. Stderr is the binomial standard error over items of the mean
// accuracy, sqrt(p(1-p)/n); TrialStd is the spread (sample standard
// deviation) of SLM-MUX accuracy across trials.
type SimResult struct {
	NItems, K, Trials int
	Accuracy          float64
	Stderr            float64
	TrialStd          float64
	Single            map[string]float64 // mean accuracy of one sample
	SingleSC          map[string]float64 // majority of the model's k samples
	AgentForest       float64            // majority of all models' samples pooled
	Oracle            float64            // some model's own answer is correct
	Attribution       map[string]Attribution
	Items             []ItemChoice // per item, only when Trials == 1
}

// Attribution says how often a model's answer was chosen (mean per trial)
// and how often that chosen answer was right.
type Attribution struct {
	Chosen  float64 `json:"chosen"`
	Correct float64 `json:"correct"`
}

// ItemChoice is SLM-MUX's choice on one item.
type ItemChoice struct {
	Item       string  `json:"item"`
	Answer     string  `json:"answer"`
	Model      string  `json:"model"`
	Confidence float64 `json:"confidence"`
	Correct    bool    `json:"correct"`
}

// Stderr is the binomial standard error sqrt(p(1-p)/n).
func Stderr(p float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return math.Sqrt(p * (1 - p) / float64(n))
}

// KError is a number of samples per model that the dataset cannot give.
type KError struct{ K, Max int }

func (e *KError) Error() string {
	return fmt.Sprintf("samples %d: must be between 1 and %d, the most samples stored per model and item", e.K, e.Max)
}

// MaxTrials bounds SimConfig.Trials (each trial replays every item).
const MaxTrials = 1_000_000

// Simulate replays SLM-MUX and its baselines over ds. With K below the
// stored count, each trial draws K distinct samples per model and item
// from one seeded stream, consumed trial by trial, item by item (dataset
// order), model by model: the same config gives the same numbers.
func Simulate(ds *Dataset, cfg SimConfig) (SimResult, error) {
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
	s := newSim(ds, k, cfg, rng)
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
		res.Single[m] = s.single(i)
		a := res.Attribution[m]
		res.Attribution[m] = Attribution{Chosen: a.Chosen / float64(trials), Correct: a.Correct / float64(trials)}
	}
	return res, nil
}

type sim struct {
	ds     *Dataset
	k      int
	cfg    SimConfig
	rng    *rand.Rand
	counts []int
	perm   []int32
	drawn  [][]int32 // per model: this item's drawn answer ids
	pooled []int32
}

func newSim(ds *Dataset, k int, cfg SimConfig, rng *rand.Rand) *sim {
	maxA := 0
	for _, it := range ds.Items {
		maxA = max(maxA, len(it.Answers))
	}
	return &sim{ds: ds, k: k, cfg: cfg, rng: rng, counts: make([]int, maxA),
		drawn: make([][]int32, len(ds.Models))}
}

// trial runs one pass over every item and returns SLM-MUX's accuracy.
func (s *sim) trial(res *SimResult, keepItems bool) float64 {
	correct := 0
	for _, it := range s.ds.Items {
		s.pooled = s.pooled[:0]
		winner, wv, oracle := -1, Vote{}, false
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
				if winner < 0 || better(v, wv, s.cfg.ValAcc) {
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
func (s *sim) draw(all []int32, dst []int32) []int32 {
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
func (s *sim) vote(ids []int32) Vote {
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
	return Vote{Count: bestCount, Denom: denom, id: best}
}

// single is the exact mean accuracy of one sample of model m.
func (s *sim) single(m int) float64 {
	total := 0.0
	for _, it := range s.ds.Items {
		all := it.Samples[m]
		if len(all) == 0 {
			continue
		}
		c := 0
		for _, id := range all {
			if id >= 0 && it.Correct[id] {
				c++
			}
		}
		total += float64(c) / float64(len(all))
	}
	return total / float64(len(s.ds.Items))
}

func mean(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

func stddev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m, t := mean(xs), 0.0
	for _, x := range xs {
		t += (x - m) * (x - m)
	}
	return math.Sqrt(t / float64(len(xs)-1))
}
