package mux

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/slmmux/slmmux/engine/answer"
)

// SimConfig configures Simulate.
type SimConfig struct {
	K       int                // samples per model drawn per item; 0 = all stored
	Trials  int                // seeded repetitions; 0 means 1
	Seed    uint64             // the one RNG stream's seed
	Profile Profile            // confidence denominator
	ValAcc  map[string]float64 // tie-break accuracies; nil = model order

	// Agreement, when set, breaks ties by the label-free reliability
	// estimate instead (leave-one-out per item; ValAcc is then unused).
	Agreement *Agreement
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
	TieBreak          TieBreak     // the rule ties went by
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
	// Kind is the question's answer kind: "" for short answers (summaries
	// write "short"), code or text; for code and text, Answer is the
	// winning model's medoid and Confidence its consistency (mean pairwise
	// similarity).
	Kind answer.Kind `json:"kind,omitempty"`
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
	s := newSim(ds, k, cfg)
	nm := len(ds.Models)
	s.sc, s.chosen, s.chosenOK = make([]float64, nm), make([]float64, nm), make([]float64, nm)
	res := SimResult{NItems: len(ds.Items), K: k, Trials: trials, TieBreak: cfg.tieBreak(),
		Single: map[string]float64{}, SingleSC: map[string]float64{}, Attribution: map[string]Attribution{}}
	accs := make([]float64, trials)
	for t := range trials {
		accs[t] = s.trial(&res, trials == 1)
	}
	n := float64(len(ds.Items) * trials)
	res.Accuracy = mean(accs)
	res.Stderr = Stderr(res.Accuracy, len(ds.Items))
	res.TrialStd = stddev(accs)
	res.AgentForest = s.af / n
	res.Oracle = s.oracle / n
	for i, m := range ds.Models {
		res.SingleSC[m] = s.sc[i] / n
		res.Single[m] = s.single(i)
		res.Attribution[m] = Attribution{Chosen: s.chosen[i] / float64(trials), Correct: s.chosenOK[i] / float64(trials)}
	}
	return res, nil
}

// tieBreak is the rule cfg's tie settings amount to.
func (cfg SimConfig) tieBreak() TieBreak {
	switch {
	case cfg.Agreement != nil:
		return TieAgreement
	case len(cfg.ValAcc) > 0:
		return TieVal
	}
	return TieOrder
}

// sim is one replay's state. Its loop allocates nothing: answers are
// interned ids, counted in fixed arrays, and draws come straight from the
// PCG source with the same arithmetic as rand.Rand.IntN, so the numbers
// are those of the plain loop (checked against it in the tests).
type sim struct {
	ds      *Dataset
	k       int
	cfg     SimConfig
	ties    ties
	pcg     *rand.PCG
	rng     *rand.Rand // the same stream, for 32-bit platforms
	counts  []int      // one model's counts per answer id
	first   []int32    // where each answer id first came in the model's draws
	pcounts []int      // pooled counts per answer id (Agent Forest)
	pfirst  []int32    // where each answer id first came in pooled
	perm    []int32
	pooled  []int32 // this item's drawn ids, model after model
	starts  []int   // where each model's draws start in pooled
	pbest   int32   // the pooled leader so far (first seen on ties)
	ptop    int     // its count

	// best_support: Agent Forest ties go to the answer with the
	// best-scored supporter (Official profile with tie scores).
	bestSupport bool

	af, oracle           float64
	sc, chosen, chosenOK []float64 // per model
}

func newSim(ds *Dataset, k int, cfg SimConfig) *sim {
	maxA := 0
	for _, it := range ds.Items {
		maxA = max(maxA, len(it.Answers))
	}
	pcg := rand.NewPCG(cfg.Seed, 0x5eed)
	s := &sim{ds: ds, k: k, cfg: cfg, pcg: pcg, rng: rand.New(pcg), counts: make([]int, maxA), first: make([]int32, maxA), pcounts: make([]int, maxA), pfirst: make([]int32, maxA),
		perm: make([]int32, 0, ds.MaxSamples()), pooled: make([]int32, 0, len(ds.Models)*ds.MaxSamples()),
		starts: make([]int, len(ds.Models)+1)}
	s.ties = newTies(ds, cfg.ValAcc, cfg.Agreement)
	s.bestSupport = cfg.Profile == Official && s.ties.scores[0] != nil
	return s
}

// trial runs one pass over every item and returns SLM-MUX's accuracy.
func (s *sim) trial(res *SimResult, keepItems bool) float64 {
	correct := 0
	for i := range s.ds.Items {
		it := &s.ds.Items[i]
		if it.Similar() {
			if s.trialSimilar(i, res, keepItems) {
				correct++
			}
			continue
		}
		ranks := s.ties.ranks[i]
		s.pooled = s.pooled[:0]
		s.ptop, s.pbest = 0, -1
		winner, wid, wc, wd, oracle := -1, int32(-1), 0, 0, false
		for m, all := range it.Samples {
			s.starts[m] = len(s.pooled)
			id, c, d := s.drawVote(all)
			if c == 0 {
				continue
			}
			if it.Correct[id] {
				oracle = true
				s.sc[m]++
			}
			// Confidences c/d compared exactly; a tie goes to the lower rank.
			if winner < 0 || c*wd > wc*d || c*wd == wc*d && ranks[m] < ranks[winner] {
				winner, wid, wc, wd = m, id, c, d
			}
		}
		s.starts[len(it.Samples)] = len(s.pooled)
		if oracle {
			s.oracle++
		}
		if af := s.agentForest(i); af >= 0 && it.Correct[af] {
			s.af++
		}
		ok := winner >= 0 && it.Correct[wid]
		if ok {
			correct++
		}
		if winner >= 0 {
			s.chosen[winner]++
			if ok {
				s.chosenOK[winner]++
			}
		}
		if keepItems {
			ic := ItemChoice{Item: it.ID, Correct: ok}
			if winner >= 0 {
				v := Vote{Count: wc, Denom: wd}
				ic.Answer, ic.Model, ic.Confidence = it.Answers[wid], s.ds.Models[winner], v.Confidence()
			}
			res.Items = append(res.Items, ic)
		}
	}
	return float64(correct) / float64(len(s.ds.Items))
}

// trialSimilar is one trial of a code or text question (see similar.go):
// each model's draws give its medoid and consistency, the most consistent
// model wins (ties within Tie by rank), and Agent Forest is the pooled
// medoid. It draws exactly as drawVote does, so a run mixing kinds
// consumes the stream as one of short questions would.
func (s *sim) trialSimilar(i int, res *SimResult, keepItems bool) bool {
	it := &s.ds.Items[i]
	ranks := s.ties.ranks[i]
	tau := it.Measure.Threshold()
	s.pooled = s.pooled[:0]
	s.ptop, s.pbest = 0, -1
	winner, wid, wcons, oracle := -1, int32(-1), 0.0, false
	for m, all := range it.Samples {
		base := len(s.pooled)
		s.drawVote(all)
		ids := s.pooled[base:]
		v := simVote(len(ids), func(j int) bool { return ids[j] < 0 }, func(a, b int) float64 { return it.sim(ids[a], ids[b]) }, tau, s.cfg.Profile)
		if v.Medoid < 0 {
			continue
		}
		id := ids[v.Medoid]
		if it.Correct[id] {
			oracle = true
			s.sc[m]++
		}
		if winner < 0 || v.Consistency > wcons+Tie || v.Consistency >= wcons-Tie && ranks[m] < ranks[winner] {
			winner, wid, wcons = m, id, v.Consistency
		}
	}
	if oracle {
		s.oracle++
	}
	s.clearPooled()
	if af := s.pooledMedoid(it); af >= 0 && it.Correct[af] {
		s.af++
	}
	ok := winner >= 0 && it.Correct[wid]
	if winner >= 0 {
		s.chosen[winner]++
		if ok {
			s.chosenOK[winner]++
		}
	}
	if keepItems {
		ic := ItemChoice{Item: it.ID, Correct: ok, Kind: it.Kind}
		if winner >= 0 {
			ic.Answer, ic.Model, ic.Confidence = it.Answers[wid], s.ds.Models[winner], wcons
		}
		res.Items = append(res.Items, ic)
	}
	return ok
}

// pooledMedoid is Agent Forest on a code or text question: the pooled
// draw with the highest summed similarity to the other draws (the
// earlier on ties); -1 when every draw is empty.
func (s *sim) pooledMedoid(it *DItem) int32 {
	p := s.pooled
	at, _ := medoid(len(p), func(a int) bool { return p[a] < 0 }, func(a, b int) float64 { return it.sim(p[a], p[b]) })
	if at < 0 {
		return -1
	}
	return p[at]
}

// drawVote draws k distinct samples of all (all of them, in order, when
// there are no more than k), appends them to s.pooled and counts them in
// the same pass: it returns the model's vote (ModelVote over the draws:
// the answer id, first seen on ties, its count and the profile's
// denominator) and keeps the pooled leader (s.pbest, s.ptop) up to date.
func (s *sim) drawVote(all []int32) (best int32, count, denom int) {
	src := all
	n := len(all)
	if n > s.k {
		s.perm = append(s.perm[:0], all...)
		src, n = s.perm, s.k
	}
	base := len(s.pooled)
	best, nonEmpty := -1, 0
	counts, first, pcounts, pfirst := s.counts, s.first, s.pcounts, s.pfirst
	for j := range n {
		if len(src) > s.k { // partial Fisher–Yates: the draw order is kept
			r := j + s.intN(len(src)-j)
			src[j], src[r] = src[r], src[j]
		}
		id := src[j]
		s.pooled = append(s.pooled, id)
		if id < 0 {
			continue
		}
		nonEmpty++
		c := counts[id] + 1
		counts[id] = c
		if c == 1 {
			first[id] = int32(j)
		}
		if c > count || c == count && first[id] < first[best] {
			best, count = id, c
		}
		pc := pcounts[id] + 1
		pcounts[id] = pc
		if pc == 1 {
			pfirst[id] = int32(base + j)
		}
		if pc > s.ptop || pc == s.ptop && pfirst[id] < pfirst[s.pbest] {
			s.pbest, s.ptop = id, pc
		}
	}
	for _, id := range s.pooled[base:] {
		if id >= 0 {
			counts[id] = 0
		}
	}
	denom = n
	if s.cfg.Profile == Official {
		denom = nonEmpty
	}
	return best, count, denom
}

// agentForest is the majority of this item's pooled draws (-1: none):
// first seen on ties, or with bestSupport the answer whose best supporter
// (a model that drew it) scores highest, then first seen. It clears the
// pooled counts.
func (s *sim) agentForest(item int) int32 {
	best := s.pbest
	if s.bestSupport && best >= 0 {
		for _, id := range s.pooled {
			if id >= 0 && id != best && s.pcounts[id] == s.ptop {
				best = s.bestSupported(item, s.ptop)
				break
			}
		}
	}
	s.clearPooled()
	return best
}

// clearPooled zeroes the pooled counts drawVote kept for this item.
func (s *sim) clearPooled() {
	for _, id := range s.pooled {
		if id >= 0 {
			s.pcounts[id] = 0
		}
	}
}

// bestSupported picks, among the answers with the top pooled count, the
// first seen of those whose best supporter's score is the highest.
func (s *sim) bestSupported(item, top int) int32 {
	scores := s.ties.scores[item]
	best, bestScore := int32(-1), 0.0
	for j, id := range s.pooled {
		if id < 0 || s.pcounts[id] != top || slices.Index(s.pooled[:j], id) >= 0 {
			continue // not top, or not its first occurrence
		}
		bs, have := 0.0, false
		for m := range s.ds.Models {
			if slices.Contains(s.pooled[s.starts[m]:s.starts[m+1]], id) && (!have || scores[m] > bs) {
				bs, have = scores[m], true
			}
		}
		if best < 0 || bs > bestScore {
			best, bestScore = id, bs
		}
	}
	return best
}

// intN is rand.New(s.pcg).IntN(n), without the interface call on 64-bit
// platforms (the same arithmetic as math/rand/v2's uint64n).
func (s *sim) intN(n int) int {
	if bits.UintSize != 64 {
		return s.rng.IntN(n)
	}
	un := uint64(n)
	if un&(un-1) == 0 {
		return int(s.pcg.Uint64() & (un - 1))
	}
	hi, lo := bits.Mul64(s.pcg.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(s.pcg.Uint64(), un)
		}
	}
	return int(hi)
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
