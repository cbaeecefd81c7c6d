package mux

import (
	"math"

	"github.com/slmmux/slmmux/engine/answer"
)

// SLM-MUX on code and text questions. Equality has nothing to count there,
// so a model's confidence is how much its samples agree with each other:
// the mean similarity over every pair of its k samples (a pair with an
// empty sample scores 0; profile Official pairs only its non-empty
// samples), and its answer is its medoid, the non-empty sample with the
// largest summed similarity to its other samples (the earlier on ties).
// A single sample (k = 1, or Official with one non-empty sample) is fully
// consistent, as one vote of one is.
// The most consistent model wins; confidences within Tie of each other
// tie, and ties go as for short answers (validation accuracy, then model
// order). Where a count is needed, a model's votes are its samples within
// the measure's threshold of its medoid (answer.Measure.Threshold).

// Tie is how close two similarity confidences must be to tie (floating
// point sums of the same similarities can differ in the last bits).
const Tie = 1e-9

// SimSamples are one model's samples of a code or text question, prepared
// for comparison; a zero Form is an empty sample.
type SimSamples struct {
	Model string
	Forms []answer.Form
}

// SimVote is one model's outcome on a code or text question.
type SimVote struct {
	Model string
	// Medoid is the index of the sample that is the model's answer; -1
	// when every sample is empty.
	Medoid      int
	Consistency float64
	// Support counts the samples within the threshold of the medoid, the
	// medoid included: the model's votes.
	Support int
	Denom   int // k (Paper) or non-empty samples (Official)
}

// SimChoice is the outcome of SelectSimilar.
type SimChoice struct {
	Winner int // index into Votes; -1 when no model has an answer
	Votes  []SimVote
}

// ModelSimVote computes one model's answer and consistency.
func ModelSimVote(s SimSamples, p Profile) SimVote {
	n := len(s.Forms)
	sim := make([]float64, n*n)
	for i := range n {
		sim[i*n+i] = 1
		for j := i + 1; j < n; j++ {
			v := answer.Similarity(s.Forms[i], s.Forms[j])
			sim[i*n+j], sim[j*n+i] = v, v
		}
	}
	tau := answer.TextThreshold
	for _, f := range s.Forms {
		if !f.Empty() {
			tau = f.Measure().Threshold()
			break
		}
	}
	v := simVote(n, func(i int) bool { return s.Forms[i].Empty() }, func(i, j int) float64 { return sim[i*n+j] }, tau, p)
	v.Model = s.Model
	return v
}

// simVote is ModelSimVote over n samples given by their emptiness and
// pairwise similarity.
func simVote(n int, empty func(int) bool, sim func(i, j int) float64, tau float64, p Profile) SimVote {
	v := SimVote{Medoid: -1, Denom: n}
	nonEmpty := 0
	for i := range n {
		if !empty(i) {
			nonEmpty++
		}
	}
	if p == Official {
		v.Denom = nonEmpty
	}
	if nonEmpty == 0 {
		return v
	}
	var total float64
	v.Medoid, total = medoid(n, empty, sim)
	pairs := v.Denom * (v.Denom - 1) // ordered pairs; total counts each twice
	switch {
	case pairs == 0:
		v.Consistency = 1 // one sample of one
	default:
		v.Consistency = total / float64(pairs)
	}
	for j := range n {
		if !empty(j) && (j == v.Medoid || sim(v.Medoid, j) >= tau) {
			v.Support++
		}
	}
	return v
}

// SelectSimilar applies SLM-MUX to one code or text question: the most
// consistent model wins, ties going to the higher validation accuracy
// (valAcc; nil or empty: model order), then to the earlier model.
func SelectSimilar(samples []SimSamples, valAcc map[string]float64, p Profile) SimChoice {
	ch := SimChoice{Winner: -1, Votes: make([]SimVote, len(samples))}
	for i, s := range samples {
		ch.Votes[i] = ModelSimVote(s, p)
	}
	for i, v := range ch.Votes {
		if v.Medoid < 0 {
			continue
		}
		if ch.Winner < 0 || betterSim(v, ch.Votes[ch.Winner], valAcc) {
			ch.Winner = i
		}
	}
	return ch
}

// betterSim reports whether v beats the current best w, which comes
// earlier in model order.
func betterSim(v, w SimVote, valAcc map[string]float64) bool {
	if v.Consistency > w.Consistency+Tie {
		return true
	}
	if v.Consistency < w.Consistency-Tie {
		return false
	}
	return valAcc[v.Model] > valAcc[w.Model]
}

// PoolMedoid is Agent Forest on a code or text question: the index of the
// non-empty sample, of all models' samples pooled, with the highest summed
// similarity to the others (the earlier on ties); -1 when all are empty.
func PoolMedoid(forms []answer.Form) int {
	at, _ := medoid(len(forms), func(i int) bool { return forms[i].Empty() }, func(i, j int) float64 { return answer.Similarity(forms[i], forms[j]) })
	return at
}

// medoid is the non-empty one of n samples with the highest summed
// similarity to the other non-empty ones (the earlier on ties), -1 when all
// are empty, and the total of those sums (each pair counted twice).
func medoid(n int, empty func(int) bool, sim func(i, j int) float64) (at int, total float64) {
	at, best := -1, math.Inf(-1)
	for i := range n {
		if empty(i) {
			continue
		}
		sum := 0.0
		for j := range n {
			if j != i && !empty(j) {
				sum += sim(i, j)
			}
		}
		total += sum
		if sum > best+Tie {
			best, at = sum, i
		}
	}
	return at, total
}
