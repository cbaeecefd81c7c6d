// Package mux is the SLM-MUX selection rule and its offline simulation,
// both pure (no I/O, no clock). [Select] picks one answer from several
// models' samples for one question; [Simulate] replays the rule and its
// baselines over stored samples.
//
// The rule (profile Paper, the default): a model's answer is its most
// frequent non-empty answer, ties going to the answer seen first; its
// confidence is that answer's count divided by the model's sample count k
// (empty samples count in k but never win). The most confident model wins,
// comparing confidences exactly as fractions; a tie goes to the highest
// validation accuracy when accuracies are known, then to the earlier model.
// Profile Official divides by the number of non-empty samples instead, as
// the authors' framework does.
package mux

import "fmt"

// Profile selects the confidence denominator.
type Profile string

const (
	// Paper divides a model's top count by its k samples (Algorithm 1).
	Paper Profile = "paper"
	// Official divides by the number of non-empty samples (the authors' code).
	Official Profile = "official"
)

// ParseProfile validates a profile name.
func ParseProfile(s string) (Profile, error) {
	switch Profile(s) {
	case Paper, "":
		return Paper, nil
	case Official:
		return Official, nil
	}
	return "", fmt.Errorf("unknown profile %q: use paper or official", s)
}

// Samples are one model's canonical answers to one question, in sample
// order; "" is an empty (unparsable) answer.
type Samples struct {
	Model   string
	Answers []string
}

// Vote is one model's outcome on one question.
type Vote struct {
	Model  string
	Answer string // "" when the model has no non-empty answer
	Count  int    // samples giving Answer
	Denom  int    // k (Paper) or non-empty samples (Official)
}

// Confidence returns Count/Denom as a float (0 when Denom is 0), for display.
func (v Vote) Confidence() float64 {
	if v.Denom == 0 {
		return 0
	}
	return float64(v.Count) / float64(v.Denom)
}

// less reports whether v's confidence is strictly below w's, exactly.
func (v Vote) less(w Vote) bool {
	// Count/Denom < w.Count/w.Denom, with 0/0 as 0.
	if v.Denom == 0 || v.Count == 0 {
		return w.Count > 0 && w.Denom > 0
	}
	if w.Denom == 0 {
		return false
	}
	return v.Count*w.Denom < w.Count*v.Denom
}

// Choice is the outcome of Select.
type Choice struct {
	Winner int    // index into Votes; -1 when no model has an answer
	Answer string // the winner's answer; "" when none
	Votes  []Vote // one per model, in the given order
}

// ModelVote computes one model's answer and confidence.
func ModelVote(s Samples, p Profile) Vote {
	nonEmpty := 0
	counts := make(map[string]int, len(s.Answers))
	for _, a := range s.Answers {
		if a != "" {
			nonEmpty++
			counts[a]++
		}
	}
	best, bestCount := "", 0
	for _, a := range s.Answers { // first seen wins ties
		if c := counts[a]; a != "" && c > bestCount {
			best, bestCount = a, c
		}
	}
	denom := len(s.Answers)
	if p == Official {
		denom = nonEmpty
	}
	return Vote{Model: s.Model, Answer: best, Count: bestCount, Denom: denom}
}

// Select applies the SLM-MUX rule to one question. valAcc holds validation
// accuracies for the tie-break; nil or empty means model order decides.
func Select(samples []Samples, valAcc map[string]float64, p Profile) Choice {
	ch := Choice{Winner: -1, Votes: make([]Vote, len(samples))}
	for i, s := range samples {
		ch.Votes[i] = ModelVote(s, p)
	}
	for i, v := range ch.Votes {
		if v.Answer == "" {
			continue
		}
		if ch.Winner < 0 || better(v, ch.Votes[ch.Winner], valAcc) {
			ch.Winner = i
		}
	}
	if ch.Winner >= 0 {
		ch.Answer = ch.Votes[ch.Winner].Answer
	}
	return ch
}

// better reports whether v beats the current best w, which comes earlier in
// model order.
func better(v, w Vote, valAcc map[string]float64) bool {
	if w.less(v) {
		return true
	}
	if v.less(w) {
		return false
	}
	return valAcc[v.Model] > valAcc[w.Model] // equal accuracies keep the earlier model
}

// Majority returns the most frequent non-empty answer, ties going to the
// answer seen first; "" when all are empty. It is self-consistency for one
// model's samples and Agent Forest for samples pooled across models.
func Majority(answers []string) string {
	return ModelVote(Samples{Answers: answers}, Paper).Answer
}
