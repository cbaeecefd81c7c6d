package mux

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The field's cheaper samplers, replayed over stored samples in sample
// order: each decides, for one model and one question, how many samples to
// draw and which answer they give. Empty answers never win and never count
// as agreeing.
//
//   - ESC, early-stopping self-consistency (Li et al., ICLR 2024, "Escape
//     Sky-high Cost: Early-stopping Self-Consistency for Multi-step
//     Reasoning", Algorithm 1): samples are drawn in windows of w; sampling
//     stops after a window whose answers are all the same (zero entropy).
//     The answer is the majority of every sample drawn. The authors use
//     w = 5.
//   - AC, Adaptive-Consistency (Aggarwal et al., EMNLP 2023, "Let's Sample
//     Step by Step: Adaptive-Consistency for Efficient Reasoning and Coding
//     with LLMs"; their code's BetaStoppingCriteria, conf_thresh 0.95):
//     after each sample, with a and b the counts of the two most frequent
//     answers, sampling stops when P(p > 1/2) >= threshold for p drawn from
//     Beta(a+1, b+1), the probability that the leader stays the leader.
//     Their code integrates x^a (1-x)^b numerically; here the same number is
//     a binomial tail: P(p <= 1/2) = P(Binomial(a+b+1, 1/2) >= a+1).
//   - CISC, confidence-informed self-consistency (Taubenfeld et al.,
//     Findings of ACL 2025, "Confidence Improves Self-Consistency in
//     LLMs", section 3): every sample is drawn; each votes with weight
//     softmax(c_i / T) over the question's samples, c_i its confidence in
//     [0, 1] (the length-normalized response probability exp(mean token
//     logprob), or the verbalized 0-100 rating read as [0, 1]). The
//     softmax's denominator is common to a question's samples, so the
//     weighted winner is that of the weights exp((c_i - max c) / T). The
//     authors tune T per model and dataset on held-out questions; offline
//     there are none apart from the run itself, so T is fixed: 0.1 unless
//     given (a confidence 0.1 higher weighs e ≈ 2.7 times as much).
//
// Ties between answers go to the answer seen first, as in [ModelVote].

// SamplerKind names a sampler.
type SamplerKind string

const (
	// SC draws every sample and takes the majority: the reference.
	SC SamplerKind = "sc"
	// ESC stops after a window of agreeing samples.
	ESC SamplerKind = "esc"
	// AC stops by Adaptive-Consistency's Beta rule.
	AC SamplerKind = "ac"
	// CISC weighs every sample by its confidence.
	CISC SamplerKind = "cisc"
)

// Defaults of the samplers' parameters (the authors' values where they
// give one).
const (
	DefaultWindow      = 5    // ESC's window (the authors')
	DefaultThreshold   = 0.95 // AC's stopping probability (the authors' code)
	DefaultTemperature = 0.1  // CISC's softmax temperature (ours: see above)
)

// Sampler is one sampler with its parameter. The zero values of Window,
// Threshold and Temperature mean the defaults.
type Sampler struct {
	Kind        SamplerKind
	Window      int     // ESC: samples per window
	Threshold   float64 // AC: the probability at which sampling stops, in (0.5, 1]
	Temperature float64 // CISC: the softmax temperature, > 0
}

// String names s with its parameter, e.g. "ESC w=5".
func (s Sampler) String() string {
	switch s.Kind {
	case ESC:
		return fmt.Sprintf("ESC w=%d", s.window())
	case AC:
		return "AC p=" + strconv.FormatFloat(s.threshold(), 'g', -1, 64)
	case CISC:
		return "CISC T=" + strconv.FormatFloat(s.temperature(), 'g', -1, 64)
	}
	return strings.ToUpper(string(s.Kind))
}

func (s Sampler) window() int {
	if s.Window <= 0 {
		return DefaultWindow
	}
	return s.Window
}

func (s Sampler) threshold() float64 {
	if s.Threshold == 0 {
		return DefaultThreshold
	}
	return s.Threshold
}

func (s Sampler) temperature() float64 {
	if s.Temperature == 0 {
		return DefaultTemperature
	}
	return s.Temperature
}

// SamplerNameError is a sampler list ParseSamplers cannot read.
type SamplerNameError struct {
	Name   string // the entry as given
	Reason string
}

func (e *SamplerNameError) Error() string {
	return fmt.Sprintf("sampler %q: %s", e.Name, e.Reason)
}

// ParseSamplers reads a comma-separated list of samplers: esc, ac and
// cisc, each optionally with its parameter after a colon: esc:W (window,
// a whole number >= 1), ac:P (threshold, above 0.5 and at most 1), cisc:T
// (temperature, > 0). Repeated entries are kept once. Errors are
// *SamplerNameError.
func ParseSamplers(list string) ([]Sampler, error) {
	var out []Sampler
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		s, err := parseSampler(name)
		if err != nil {
			return nil, err
		}
		if !containsSampler(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, &SamplerNameError{Name: list, Reason: "no sampler named: use esc, ac or cisc"}
	}
	return out, nil
}

func containsSampler(ss []Sampler, s Sampler) bool {
	for _, x := range ss {
		if x.String() == s.String() {
			return true
		}
	}
	return false
}

func parseSampler(name string) (Sampler, error) {
	kind, param, hasParam := strings.Cut(strings.ToLower(name), ":")
	bad := func(reason string) (Sampler, error) {
		return Sampler{}, &SamplerNameError{Name: name, Reason: reason}
	}
	s := Sampler{Kind: SamplerKind(kind)}
	switch s.Kind {
	case ESC:
		if hasParam {
			w, err := strconv.Atoi(param)
			if err != nil || w < 1 {
				return bad("the window must be a whole number of samples, at least 1 (esc:5)")
			}
			s.Window = w
		}
	case AC:
		if hasParam {
			p, err := strconv.ParseFloat(param, 64)
			if err != nil || !(p > 0.5 && p <= 1) {
				return bad("the threshold must be above 0.5 and at most 1 (ac:0.95)")
			}
			s.Threshold = p
		}
	case CISC:
		if hasParam {
			t, err := strconv.ParseFloat(param, 64)
			if err != nil || !(t > 0) || math.IsInf(t, 0) {
				return bad("the temperature must be a number above 0 (cisc:0.1)")
			}
			s.Temperature = t
		}
	default:
		return bad("unknown sampler: use esc, ac or cisc (esc:W, ac:P and cisc:T set the window, threshold and temperature)")
	}
	return s, nil
}

// Outcome is what a sampler made of one model's samples of one question.
type Outcome struct {
	Answer   string // "" when no drawn sample has an answer
	Count    int    // drawn samples giving Answer
	Drawn    int    // samples drawn, in sample order from the first
	NonEmpty int    // drawn samples with an answer
}

// Apply runs s over one model's answers to one question, in sample order
// ("" is an empty answer). conf holds each sample's confidence in [0, 1]
// for CISC (ignored otherwise; a missing or NaN confidence counts as 0).
func (s Sampler) Apply(answers []string, conf []float64) Outcome {
	it := DItem{}
	ids := make([]int32, len(answers))
	for j, a := range answers {
		ids[j] = it.intern(a, false)
	}
	best, o := s.draw(ids, conf, len(it.Answers))
	if best >= 0 {
		o.Answer = it.Answers[best]
	}
	return o
}

// draw is Apply over answer ids (-1 empty, else below nAnswers): the
// winning id (-1: none) and the outcome without its answer.
func (s Sampler) draw(ids []int32, conf []float64, nAnswers int) (int32, Outcome) {
	counts := make([]int, nAnswers)
	drawn := len(ids)
	switch s.Kind {
	case ESC:
		drawn = escDrawn(ids, s.window())
	case AC:
		drawn = acDrawn(ids, counts, 1-s.threshold())
		clear(counts)
	}
	o := Outcome{Drawn: drawn}
	var weights []float64
	if s.Kind == CISC {
		weights = cisc(ids, conf, s.temperature())
	}
	sums := make([]float64, nAnswers) // CISC's weighted votes
	for j, id := range ids[:drawn] {
		if id < 0 {
			continue
		}
		o.NonEmpty++
		counts[id]++
		if weights != nil {
			sums[id] += weights[j]
		}
	}
	beats := func(x, y int32) bool {
		if weights != nil {
			return sums[x] > sums[y]
		}
		return counts[x] > counts[y]
	}
	best := int32(-1)
	for _, id := range ids[:drawn] { // first seen wins ties
		if id >= 0 && (best < 0 || beats(id, best)) {
			best = id
		}
	}
	if best >= 0 {
		o.Count = counts[best]
	}
	return best, o
}

// escDrawn is how many samples ESC draws: windows of w until one whose
// samples all give the same (non-empty) answer, or until none are left.
func escDrawn(ids []int32, w int) int {
	for start := 0; start < len(ids); start += w {
		end := min(start+w, len(ids))
		win := ids[start:end]
		same := win[0] >= 0
		for _, id := range win {
			same = same && id == win[0]
		}
		if same {
			return end
		}
	}
	return len(ids)
}

// acDrawn is how many samples Adaptive-Consistency draws: one at a time
// until the Beta rule holds, i.e. until the probability that the leader is
// not the majority, P(Binomial(a+b+1, 1/2) >= a+1), is at most tail (one
// minus the threshold). counts is scratch space, returned dirty.
func acDrawn(ids []int32, counts []int, tail float64) int {
	for j, id := range ids {
		if id >= 0 {
			counts[id]++
		}
		a, b := 0, 0 // the top two counts
		for _, c := range counts {
			if c > a {
				a, b = c, a
			} else if c > b {
				b = c
			}
		}
		if betaTail(a, b) <= tail {
			return j + 1
		}
	}
	return len(ids)
}

// betaTail is P(p <= 1/2) for p ~ Beta(a+1, b+1), exactly the binomial
// tail P(Binomial(n, 1/2) >= a+1) with n = a+b+1, summed in log space.
func betaTail(a, b int) float64 {
	n := a + b + 1
	lgN, _ := math.Lgamma(float64(n + 1))
	sum := 0.0
	for j := a + 1; j <= n; j++ {
		lj, _ := math.Lgamma(float64(j + 1))
		lnj, _ := math.Lgamma(float64(n - j + 1))
		sum += math.Exp(lgN - lj - lnj - float64(n)*math.Ln2)
	}
	return sum
}

// cisc is each sample's CISC weight exp((c_j - max c) / T), the softmax
// without its common denominator (0 for empty answers).
func cisc(ids []int32, conf []float64, t float64) []float64 {
	c := func(j int) float64 {
		if j >= len(conf) || math.IsNaN(conf[j]) {
			return 0
		}
		return conf[j]
	}
	top := math.Inf(-1)
	for j, id := range ids {
		if id >= 0 {
			top = max(top, c(j))
		}
	}
	w := make([]float64, len(ids))
	for j, id := range ids {
		if id >= 0 {
			w[j] = math.Exp((c(j) - top) / t)
		}
	}
	return w
}
