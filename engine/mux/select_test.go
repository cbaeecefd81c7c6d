package mux

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func s(model string, answers ...string) Samples { return Samples{Model: model, Answers: answers} }

func TestSelect(t *testing.T) {
	acc := map[string]float64{"m1": 0.5, "m2": 0.6}
	tests := []struct {
		name    string
		samples []Samples
		valAcc  map[string]float64
		profile Profile
		model   string // "" = no winner
		answer  string
	}{
		{"single model majority", []Samples{s("m1", "1", "2", "2")}, nil, Paper, "m1", "2"},
		{"tie inside a model goes to first seen", []Samples{s("m1", "3", "1", "1", "3")}, nil, Paper, "m1", "3"},
		{"most confident model wins", []Samples{s("m1", "1", "2", "3"), s("m2", "4", "4", "5")}, nil, Paper, "m2", "4"},
		// Spec §1.8 example B: equal confidence 2/3.
		{"cross-model tie with accuracies", []Samples{s("m1", "1", "1", "2"), s("m2", "3", "3", "4")}, acc, Paper, "m2", "3"},
		{"cross-model tie without accuracies", []Samples{s("m1", "1", "1", "2"), s("m2", "3", "3", "4")}, nil, Paper, "m1", "1"},
		{"tie with equal accuracies goes to model order", []Samples{s("m1", "1", "1"), s("m2", "3", "3")}, map[string]float64{"m1": .5, "m2": .5}, Paper, "m1", "1"},
		// Spec §1.8 example A: paper ÷k picks m2, official ÷non-empty picks m3.
		{"empty answers count in k (paper)", []Samples{s("m1", "1", "1", "", "2", ""), s("m2", "2", "2", "2", "3", "2"), s("m3", "1", "", "", "", "1")}, acc, Paper, "m2", "2"},
		{"empty answers dropped (official)", []Samples{s("m1", "1", "1", "", "2", ""), s("m2", "2", "2", "2", "3", "2"), s("m3", "1", "", "", "", "1")}, acc, Official, "m3", "1"},
		{"all empty gives no answer", []Samples{s("m1", "", ""), s("m2", "", "", "")}, nil, Paper, "", ""},
		{"all-empty model never wins", []Samples{s("m1", "", "", ""), s("m2", "7", "8", "9")}, nil, Paper, "m2", "7"},
		// 2/4 = 0.5 vs 2/3: unequal k compared exactly.
		{"unequal k", []Samples{s("m1", "1", "1", "2", "3"), s("m2", "5", "5", "6")}, nil, Paper, "m2", "5"},
		// 1/3 vs 2/6 are equal as fractions: tie, accuracy decides.
		{"equal fractions with unequal k tie exactly", []Samples{s("m1", "1", "2", "3"), s("m2", "5", "5", "6", "7", "8", "9")}, map[string]float64{"m2": .9}, Paper, "m2", "5"},
		{"official with one parsable answer is fully confident", []Samples{s("m1", "1", "", ""), s("m2", "2", "2", "3")}, nil, Official, "m1", "1"},
		{"no models", nil, nil, Paper, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := Select(tt.samples, tt.valAcc, tt.profile)
			model := ""
			if ch.Winner >= 0 {
				model = ch.Votes[ch.Winner].Model
			}
			if model != tt.model || ch.Answer != tt.answer {
				t.Fatalf("got model %q answer %q, want %q %q (votes %+v)", model, ch.Answer, tt.model, tt.answer, ch.Votes)
			}
		})
	}
}

func TestModelVoteConfidence(t *testing.T) {
	v := ModelVote(s("m", "1", "1", "", "2", ""), Paper)
	if v.Answer != "1" || v.Count != 2 || v.Denom != 5 || v.Confidence() != 0.4 {
		t.Fatalf("paper vote %+v", v)
	}
	v = ModelVote(s("m", "1", "1", "", "2", ""), Official)
	if v.Denom != 3 {
		t.Fatalf("official denominator %d, want 3", v.Denom)
	}
	if got := Majority([]string{"", "b", "a", "a", "b"}); got != "b" {
		t.Fatalf("Majority tie: got %q, want first seen b", got)
	}
}

func TestParseProfile(t *testing.T) {
	if p, err := ParseProfile(""); err != nil || p != Paper {
		t.Fatal("empty profile should be paper")
	}
	if _, err := ParseProfile("research"); err == nil {
		t.Fatal("unknown profile accepted")
	}
}

// The interned vote of Simulate must agree with ModelVote on the strings.
func TestInternedVoteMatchesModelVote(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		n := 1 + rng.IntN(9)
		answers := make([]string, n)
		for j := range answers {
			if r := rng.IntN(5); r > 0 {
				answers[j] = fmt.Sprint(r)
			}
		}
		it := DItem{}
		ids := make([]int32, n)
		for j, a := range answers {
			ids[j] = it.intern(a, false)
		}
		for _, p := range []Profile{Paper, Official} {
			na := len(it.Answers)
			sm := &sim{k: n, cfg: SimConfig{Profile: p}, counts: make([]int, na), first: make([]int32, na),
				pcounts: make([]int, na), pfirst: make([]int32, na), pbest: -1}
			id, count, denom := sm.drawVote(ids)
			if sm.pbest != id || sm.ptop != count {
				t.Fatalf("case %d %v: pooled leader %d (%d), want the model's %d (%d)", i, answers, sm.pbest, sm.ptop, id, count)
			}
			want := ModelVote(Samples{Answers: answers}, p)
			gotAns := ""
			if id >= 0 {
				gotAns = it.Answers[id]
			}
			if gotAns != want.Answer || count != want.Count || denom != want.Denom {
				t.Fatalf("case %d %v %s: interned %q %d/%d, strings %q %d/%d", i, answers, p, gotAns, count, denom, want.Answer, want.Count, want.Denom)
			}
		}
	}
}
