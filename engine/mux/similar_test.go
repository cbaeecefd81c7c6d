package mux

import (
	"testing"

	"github.com/slmmux/slmmux/engine/answer"
)

func codeForms(progs ...string) []answer.Form {
	out := make([]answer.Form, len(progs))
	for i, p := range progs {
		out[i] = answer.Prepare(answer.Code, answer.NormalizeCode(p))
	}
	return out
}

func TestSelectSimilar(t *testing.T) {
	a := "def f(x):\n    return x + 1"
	aNoted := "def f(x):\n    # add one\n    return x + 1  # done\n"
	b := "def f(x):\n    y = x\n    y += 1\n    return y"
	c := "def f(value):\n    return sum([value, 1])"
	cases := []struct {
		name    string
		samples []SimSamples
		valAcc  map[string]float64
		p       Profile
		winner  int
		medoid  int
	}{
		{"agreeing model wins", []SimSamples{{"m1", codeForms(a, b, c)}, {"m2", codeForms(c, aNoted, a)}}, nil, Paper, 1, 1},
		{"tie goes to model order", []SimSamples{{"m1", codeForms(a, a)}, {"m2", codeForms(b, b)}}, nil, Paper, 0, 0},
		{"tie goes to validation accuracy", []SimSamples{{"m1", codeForms(a, a)}, {"m2", codeForms(b, b)}}, map[string]float64{"m2": 0.9}, Paper, 1, 0},
		{"paper: an empty sample pairs at 0", []SimSamples{{"m1", codeForms(a, "", "")}, {"m2", codeForms(a, c, b)}}, nil, Paper, 1, 0},
		{"official: one non-empty sample is fully consistent", []SimSamples{{"m1", codeForms("", "", b)}, {"m2", codeForms(a, aNoted, c)}}, nil, Official, 0, 2},
		{"all empty: no winner", []SimSamples{{"m1", codeForms("", "")}, {"m2", codeForms("")}}, nil, Paper, -1, -1},
		{"k = 1: every model ties", []SimSamples{{"m1", codeForms(c)}, {"m2", codeForms(a)}}, nil, Paper, 0, 0},
	}
	for _, tc := range cases {
		ch := SelectSimilar(tc.samples, tc.valAcc, tc.p)
		medoid := -1
		if ch.Winner >= 0 {
			medoid = ch.Votes[ch.Winner].Medoid
		}
		if ch.Winner != tc.winner || medoid != tc.medoid {
			t.Errorf("%s: winner %d medoid %d, want %d, %d (%+v)", tc.name, ch.Winner, medoid, tc.winner, tc.medoid, ch.Votes)
		}
	}
	v := ModelSimVote(SimSamples{"m", codeForms(a, aNoted, c)}, Paper)
	if v.Support != 2 || v.Denom != 3 {
		t.Errorf("support %d/%d, want 2/3: the two equal programs, not the third", v.Support, v.Denom)
	}
	if got := PoolMedoid(codeForms("", c, a, b, aNoted)); got != 2 {
		t.Errorf("PoolMedoid = %d, want 2 (the first of the two equal programs)", got)
	}
}
