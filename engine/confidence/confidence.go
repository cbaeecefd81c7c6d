// Package confidence holds SLM-MUX's per-model confidence signals, each an
// implementation of one small interface, [Signal]: given one model's
// samples of one question, it returns the model's chosen answer and its
// confidence. [Select] then picks the most confident model, as
// engine/mux's rule does for consistency. The package is pure (no I/O):
// what a signal needs per sample (token log-probabilities, a verbalized
// score, an embedding) is gathered by the engine while sampling and stored
// in samples.jsonl, so a stored run can be replayed offline ([Simulate]).
//
// The signals (Method):
//
//   - consistency: the share of samples giving the most frequent answer
//     (engine/mux's rule, exactly: Count/k, or Count/non-empty under the
//     official profile).
//   - logprob: each sample weighs exp(mean token log-probability of its
//     whole reply); an answer's confidence is the sum of the weights of the
//     samples giving it, over k.
//   - verbalized: as logprob, with the model's own 0-100 rating of each
//     sample (one extra generation per sample), divided by 100.
//   - probe: as logprob, with the probability of being correct that a
//     logistic probe (trained by `slmmux calibrate`) gives each sample's
//     embedding.
//   - embedding: samples are clustered by the cosine similarity of their
//     embeddings; the confidence is the largest cluster's share of k and
//     the reply chosen is its medoid (answers need no extractor).
package confidence

import (
	"fmt"
	"math"
	"strings"
)

// Method names a confidence signal.
type Method string

// The methods.
const (
	Consistency Method = "consistency"
	Logprob     Method = "logprob"
	Embedding   Method = "embedding"
	Verbalized  Method = "verbalized"
	Probe       Method = "probe"
)

// Methods lists every method, the default first.
var Methods = []Method{Consistency, Logprob, Embedding, Verbalized, Probe}

// ParseMethod validates a method name; "" is consistency.
func ParseMethod(s string) (Method, error) {
	if s == "" {
		return Consistency, nil
	}
	for _, m := range Methods {
		if string(m) == s {
			return m, nil
		}
	}
	names := make([]string, len(Methods))
	for i, m := range Methods {
		names[i] = string(m)
	}
	return "", fmt.Errorf("unknown confidence signal %q: use %s", s, strings.Join(names, ", "))
}

// Needs is what a method needs recorded per sample.
type Needs struct {
	Logprobs  bool // token log-probabilities of the reply
	Embedding bool // an embedding of the reply
	Verbal    bool // a follow-up generation asking for a 0-100 rating
}

// Needs returns what m needs per sample.
func (m Method) Needs() Needs {
	switch m {
	case Logprob:
		return Needs{Logprobs: true}
	case Embedding, Probe:
		return Needs{Embedding: true}
	case Verbalized:
		return Needs{Verbal: true}
	}
	return Needs{}
}

// MethodOf is sig's method; a nil Signal is Consistency.
func MethodOf(sig Signal) Method {
	if sig == nil {
		return Consistency
	}
	return sig.Method()
}

// Sample is one sample of one model on one question, as a signal sees it.
type Sample struct {
	Answer   string // canonical extracted answer; "" when none
	Response string // the raw reply
	// LogprobMean is the mean token log-probability of the reply (nil:
	// not recorded, or a reply without tokens).
	LogprobMean *float64
	Verbal      *float64  // the model's own rating in [0, 1]; nil: none read
	Embedding   []float32 // the reply's embedding; nil: none
}

// Choice is a signal's verdict on one model's samples.
type Choice struct {
	Answer     string  // the chosen answer; "" when the model has none
	Index      int     // the sample that represents it (its reply); -1 when none
	Confidence float64 // in [0, 1]
	Support    int     // samples behind Answer (the cluster's size for embedding)
}

// Signal is one confidence signal: Choose returns model's answer to one
// question from its samples (in sample order, k of them) and its
// confidence. Choose is deterministic and safe for concurrent use.
type Signal interface {
	Method() Method
	Choose(model string, samples []Sample) Choice
}

// NoChoice is the Choice of a model without any answer.
var NoChoice = Choice{Index: -1}

// Tie is the margin below which two confidences count as equal (the
// authors' framework compares with 1e-9 too).
const Tie = 1e-9

// Vote is one model's Choice in a Select.
type Vote struct {
	Model string
	Choice
}

// Select picks the most confident model: the highest confidence wins, a
// tie (within Tie) going to the higher validation accuracy in valAcc, then
// to the earlier model. A model without an answer never wins. It returns
// the winner's index into votes, -1 when no model has an answer.
func Select(votes []Vote, valAcc map[string]float64) int {
	w := -1
	for i, v := range votes {
		if v.Answer == "" {
			continue
		}
		if w < 0 {
			w = i
			continue
		}
		best := votes[w]
		switch d := v.Confidence - best.Confidence; {
		case d > Tie:
			w = i
		case d >= -Tie && valAcc[v.Model] > valAcc[best.Model]:
			w = i
		}
	}
	return w
}

// weighted is the shared rule of logprob, verbalized and probe: each
// sample has a weight in [0, 1]; an answer's confidence is the sum of the
// weights of the samples giving it, over k (all samples, empty ones too);
// the highest wins, ties going to the answer seen first. Its index is its
// heaviest sample (the first of equals).
func weighted(samples []Sample, weight func(Sample) float64) Choice {
	type acc struct {
		sum        float64
		n, first   int
		best       int
		bestWeight float64
	}
	by := map[string]*acc{}
	var order []string
	for i, s := range samples {
		if s.Answer == "" {
			continue
		}
		w := weight(s)
		if math.IsNaN(w) || w < 0 {
			w = 0
		}
		a := by[s.Answer]
		if a == nil {
			a = &acc{first: i, best: i, bestWeight: w}
			by[s.Answer] = a
			order = append(order, s.Answer)
		} else if w > a.bestWeight {
			a.best, a.bestWeight = i, w
		}
		a.sum += min(w, 1)
		a.n++
	}
	ch := NoChoice
	var top *acc
	for _, ans := range order {
		a := by[ans]
		if top == nil || a.sum > top.sum+Tie {
			top, ch.Answer = a, ans
		}
	}
	if top == nil {
		return ch
	}
	ch.Index, ch.Support = top.best, top.n
	ch.Confidence = top.sum / float64(len(samples))
	return ch
}
