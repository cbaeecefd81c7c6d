package mux

import (
	"fmt"
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

// Simulate over every stored sample of a code question chooses as
// SelectSimilar does on the same samples; a short question in the same
// run keeps the equality vote.
func TestSimulateSimilarMatchesSelect(t *testing.T) {
	a := "def f(x):\n    return x + 1"
	b := "def f(x):\n    y = x\n    y += 1\n    return y"
	c := "def f(value):\n    return sum([value, 1])"
	d := "def f(x):\n    return 1 + x"
	progs := map[string][]string{"m1": {a, b, c}, "m2": {d, d, a}, "m3": {c, "", c}}
	correct := map[string]bool{a: true, d: true}
	var recs []Record
	var samples []SimSamples
	for _, m := range []string{"m1", "m2", "m3"} {
		for j, p := range progs[m] {
			recs = append(recs, Record{Item: "code", Model: m, Sample: j, Answer: answer.NormalizeCode(p), Correct: correct[p], Kind: answer.Code})
			recs = append(recs, Record{Item: "short", Model: m, Sample: j, Answer: "42", Correct: true})
		}
		samples = append(samples, SimSamples{Model: m, Forms: codeForms(progs[m]...)})
	}
	ds, err := BuildDataset(recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Profile{Paper, Official} {
		res, err := Simulate(ds, SimConfig{Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		ch := SelectSimilar(samples, nil, p)
		w := ch.Votes[ch.Winner]
		want := ItemChoice{Item: "code", Model: w.Model, Answer: answer.NormalizeCode(progs[w.Model][w.Medoid]), Confidence: w.Consistency,
			Correct: correct[progs[w.Model][w.Medoid]], Kind: answer.Code}
		if res.Items[0] != want {
			t.Errorf("%s: Simulate chose %+v, SelectSimilar %+v", p, res.Items[0], want)
		}
		if res.Items[1].Kind != "" || res.Items[1].Model != "m1" || !res.Items[1].Correct {
			t.Errorf("%s: the short question: %+v, want m1's 42 by model order", p, res.Items[1])
		}
	}
	if ds.Items[0].Measure != answer.BLEU || ds.Items[1].Sim != nil {
		t.Errorf("measure %q, short item similarities %v", ds.Items[0].Measure, ds.Items[1].Sim)
	}
}

// Votes groups a code question's answers by threshold: the same program
// with other names joins its first answer's group, another program starts
// a group, and a short question is kept as it is.
func TestVotes(t *testing.T) {
	loop := "def rev(xs):\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n    return result"
	renamed := "def rev(items):\n    out = []\n    for j in range(len(items) - 1, -1, -1):\n        out.append(items[j])\n    return out"
	slice := "def rev(xs):\n    return xs[::-1]"
	recs := []Record{
		{Item: "c", Model: "m", Sample: 0, Answer: loop, Correct: true, Kind: answer.Code},
		{Item: "c", Model: "m", Sample: 1, Answer: slice, Kind: answer.Code},
		{Item: "c", Model: "m", Sample: 2, Answer: renamed, Kind: answer.Code},
		{Item: "c", Model: "m", Sample: 3, Answer: "", Kind: answer.Code},
		{Item: "s", Model: "m", Sample: 0, Answer: "7"},
	}
	ds, err := BuildDataset(recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := ds.Votes()
	got := v.Items[0]
	if len(got.Answers) != 2 || got.Answers[0] != loop || !got.Correct[0] || got.Correct[1] || fmt.Sprint(got.Samples[0]) != "[0 1 0 -1]" {
		t.Errorf("votes: answers %q correct %v samples %v", got.Answers, got.Correct, got.Samples)
	}
	if got.Similar() || fmt.Sprint(v.Items[1]) != fmt.Sprint(ds.Items[1]) {
		t.Errorf("the voted item is no longer similar, the short item unchanged: %+v", v.Items)
	}
	short, _ := BuildDataset(recs[4:], nil)
	if short.Votes() != short {
		t.Error("a dataset without code or text is its own votes")
	}
}
