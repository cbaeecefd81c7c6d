package confidence

import (
	"fmt"
	"math"
	"strings"

	"github.com/slmmux/slmmux/engine/mux"
)

// ConsistencySignal is today's rule, engine/mux's ModelVote: the most
// frequent non-empty answer (first seen wins ties), confidence = its count
// over k (Paper) or over the non-empty samples (Official).
type ConsistencySignal struct{ Profile mux.Profile }

// Method implements Signal.
func (ConsistencySignal) Method() Method { return Consistency }

// Choose implements Signal.
func (c ConsistencySignal) Choose(_ string, samples []Sample) Choice {
	answers := make([]string, len(samples))
	for i, s := range samples {
		answers[i] = s.Answer
	}
	v := mux.ModelVote(mux.Samples{Answers: answers}, c.Profile)
	if v.Answer == "" {
		return NoChoice
	}
	ch := Choice{Answer: v.Answer, Confidence: v.Confidence(), Support: v.Count, Index: -1}
	for i, a := range answers {
		if a == v.Answer {
			ch.Index = i
			break
		}
	}
	return ch
}

// LogprobSignal weighs each sample by exp(its reply's mean token
// log-probability), the geometric-mean probability of its tokens; a sample
// without log-probabilities weighs 0.
type LogprobSignal struct{}

// Method implements Signal.
func (LogprobSignal) Method() Method { return Logprob }

// Choose implements Signal.
func (LogprobSignal) Choose(_ string, samples []Sample) Choice {
	return weighted(samples, func(s Sample) float64 {
		if s.LogprobMean == nil {
			return 0
		}
		return math.Exp(*s.LogprobMean)
	})
}

// VerbalizedSignal weighs each sample by the model's own rating of it; a
// sample whose rating could not be read weighs 0.
type VerbalizedSignal struct{}

// Method implements Signal.
func (VerbalizedSignal) Method() Method { return Verbalized }

// Choose implements Signal.
func (VerbalizedSignal) Choose(_ string, samples []Sample) Choice {
	return weighted(samples, func(s Sample) float64 {
		if s.Verbal == nil {
			return 0
		}
		return *s.Verbal
	})
}

// DefaultThreshold is the cosine similarity at which two replies count as
// the same (the authors' tau_cluster).
const DefaultThreshold = 0.9

// EmbeddingSignal clusters a model's replies by the cosine similarity of
// their embeddings. The cluster of a sample is the samples within
// Threshold of it (itself included; as in the authors' framework, a
// neighbourhood, not a transitive closure). The confidence is the largest
// cluster's size over k, and the reply chosen is its medoid: the sample
// with the largest cluster, ties going to the larger sum of similarities
// to all samples, then to the earlier sample. Its answer is its extracted
// answer, else its whole reply (trimmed): free-form replies need no
// extractor. Samples without an embedding (the engine embeds no empty
// reply) take no part but count in k.
type EmbeddingSignal struct {
	Threshold float64 // 0 = DefaultThreshold
}

// Method implements Signal.
func (EmbeddingSignal) Method() Method { return Embedding }

// Choose implements Signal.
func (e EmbeddingSignal) Choose(_ string, samples []Sample) Choice {
	tau := e.Threshold
	if tau == 0 {
		tau = DefaultThreshold
	}
	var idx []int
	for i, s := range samples {
		if len(s.Embedding) > 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return NoChoice
	}
	size := make([]int, len(idx))
	central := make([]float64, len(idx))
	for a := range idx {
		for b := range idx {
			sim := Cosine(samples[idx[a]].Embedding, samples[idx[b]].Embedding)
			if a == b {
				sim = 1
			}
			central[a] += sim
			if sim >= tau {
				size[a]++
			}
		}
	}
	best := 0
	for a := 1; a < len(idx); a++ {
		if size[a] > size[best] || size[a] == size[best] && central[a] > central[best]+Tie {
			best = a
		}
	}
	s := samples[idx[best]]
	ans := s.Answer
	if ans == "" {
		ans = strings.TrimSpace(s.Response)
	}
	return Choice{Answer: ans, Index: idx[best], Support: size[best], Confidence: float64(size[best]) / float64(len(samples))}
}

// Cosine is the cosine similarity of a and b; 0 when either is (nearly)
// zero or their lengths differ.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na < 1e-24 || nb < 1e-24 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// Options configure New.
type Options struct {
	Profile   mux.Profile // consistency's denominator
	Threshold float64     // embedding's cosine threshold; 0 = DefaultThreshold
	Probe     *ProbeFile  // probe's trained model (required for probe)
}

// New returns m's Signal.
func New(m Method, o Options) (Signal, error) {
	switch m {
	case Consistency, "":
		return ConsistencySignal{Profile: o.Profile}, nil
	case Logprob:
		return LogprobSignal{}, nil
	case Verbalized:
		return VerbalizedSignal{}, nil
	case Embedding:
		if o.Threshold < 0 || o.Threshold > 1 || math.IsNaN(o.Threshold) {
			return nil, fmt.Errorf("embedding threshold %v: must be a cosine similarity in (0, 1]", o.Threshold)
		}
		return EmbeddingSignal{Threshold: o.Threshold}, nil
	case Probe:
		if o.Probe == nil {
			return nil, fmt.Errorf("the probe signal needs a probe file")
		}
		return ProbeSignal{File: o.Probe}, nil
	}
	return nil, fmt.Errorf("unknown confidence signal %q", m)
}
