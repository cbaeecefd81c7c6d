package search

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

// build makes a dataset from per-model answers: answers[model][item] are
// that model's samples on the item, refs the items' correct answers.
func build(t testing.TB, refs []string, models []string, answers map[string][][]string) *mux.Dataset {
	t.Helper()
	var rs []mux.Record
	for _, m := range models {
		for i, samples := range answers[m] {
			for j, a := range samples {
				rs = append(rs, mux.Record{Item: fmt.Sprint("q", i+1), Model: m, Sample: j, Answer: a, Correct: a != "" && a == refs[i]})
			}
		}
	}
	ds, err := mux.BuildDataset(rs, models)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// workedExample is spec §4.5: four questions, references 1..4, k = 3.
func workedExample(t testing.TB) *mux.Dataset {
	return build(t, []string{"1", "2", "3", "4"}, []string{"A", "B", "C"}, map[string][][]string{
		"A": {{"1", "1", "1"}, {"3", "3", "3"}, {"1", "3", "4"}, {"5", "5", "6"}},
		"B": {{"2", "2", "2"}, {"2", "2", "5"}, {"4", "4", "4"}, {"6", "6", "7"}},
		"C": {{"1", "2", "3"}, {"2", "", ""}, {"", "", ""}, {"7", "7", "7"}},
	})
}

func mustSearch(t *testing.T, ds *mux.Dataset, cfg Config) *Result {
	t.Helper()
	r, err := Search(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type want struct {
	models               string
	score, union, contra float64
}

func checkBest(t *testing.T, r *Result, k int, w want) {
	t.Helper()
	b, ok := r.Best(k)
	if !ok {
		t.Fatalf("no best for K=%d", k)
	}
	got := strings.Join(b.Models, ",")
	if got != w.models || !near(b.Score, w.score) || !near(b.UnionAcc, w.union) || !near(b.Contradiction, w.contra) {
		t.Errorf("K=%d: got %s score %v union %v contra %v, want %s %v %v %v",
			k, got, b.Score, b.UnionAcc, b.Contradiction, w.models, w.score, w.union, w.contra)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestOfficialWorkedExample(t *testing.T) {
	ds := workedExample(t)
	cfg := DefaultConfig(Official)
	cfg.KMax = 3
	r := mustSearch(t, ds, cfg)
	if r.Lambda != 0.5 || r.RobustLevel != 2 {
		t.Fatalf("official defaults: λ %v r %d", r.Lambda, r.RobustLevel)
	}
	// [A,C] and [B,C] tie on score and union: the earlier subset wins.
	checkBest(t, r, 2, want{"A,C", 0.25, 0.25, 0})
	checkBest(t, r, 3, want{"A,B,C", 0.0, 0.5, 1})
	if r.Evaluated != 4 {
		t.Errorf("evaluated %d subsets, want 4", r.Evaluated)
	}

	// λ = 1: the authors' search returns an empty K=3; ours never does.
	cfg.Lambda = 1
	r = mustSearch(t, ds, cfg)
	checkBest(t, r, 2, want{"A,C", 0.25, 0.25, 0})
	checkBest(t, r, 3, want{"A,B,C", -0.5, 0.5, 1})
}

func TestOfficialSingleHasNoContradiction(t *testing.T) {
	cfg := DefaultConfig(Official)
	cfg.KMin, cfg.KMax = 1, 1
	r := mustSearch(t, workedExample(t), cfg)
	checkBest(t, r, 1, want{"A", 0.25, 0.25, 0})
}

// The paper objective on the worked example: correctness is the model's
// own answer (C's [1,2,3] votes 1, first seen: correct), contradiction is a
// share of all four items.
func TestPaperWorkedExample(t *testing.T) {
	ds := workedExample(t)
	cfg := DefaultConfig(Paper)
	cfg.KMax, cfg.Top = 3, 10
	r := mustSearch(t, ds, cfg)
	// A,C: union Q1,Q2; contradiction Q2 (A wrong 3,3,3; C right) → 0.5−0.25.
	// B,C ties at 0.25 with the same union and loses on order.
	checkBest(t, r, 2, want{"A,C", 0.25, 0.5, 0.25})
	checkBest(t, r, 3, want{"A,B,C", 0, 0.5, 0.5})
	var order []string
	for _, s := range r.Ranked {
		order = append(order, strings.Join(s.Models, ","))
	}
	if got := strings.Join(order, " "); got != "A,C B,C A,B A,B,C" {
		t.Errorf("ranked %s", got)
	}
	if r.Ranked[0].UnionCorrect != 2 || r.Ranked[0].Contradicted != 1 || r.Ranked[0].Items != 4 {
		t.Errorf("counts %+v", r.Ranked[0])
	}
}

// A subset whose score is below zero everywhere still wins its size.
func TestNeverEmpty(t *testing.T) {
	// Every model is consistently wrong where the other is right.
	ds := build(t, []string{"1", "2"}, []string{"x", "y"}, map[string][][]string{
		"x": {{"1", "1"}, {"9", "9"}},
		"y": {{"8", "8"}, {"2", "2"}},
	})
	for _, o := range Objectives {
		cfg := DefaultConfig(o)
		cfg.KMax, cfg.Lambda = 2, 5
		r := mustSearch(t, ds, cfg)
		b, _ := r.Best(2)
		if len(b.Models) != 2 {
			t.Fatalf("%s: empty best %+v", o, b)
		}
		if o == Paper && !near(b.Score, 1-5*1) {
			t.Errorf("paper score %v", b.Score)
		}
	}
}

func TestTieGoesToUnionThenOrder(t *testing.T) {
	// λ = 0 ranks by union alone; equal union → the earlier subset.
	ds := build(t, []string{"1", "2", "3"}, []string{"a", "b", "c", "d"}, map[string][][]string{
		"a": {{"1"}, {"0"}, {"0"}},
		"b": {{"0"}, {"2"}, {"0"}},
		"c": {{"0"}, {"2"}, {"0"}},
		"d": {{"0"}, {"0"}, {"3"}},
	})
	cfg := Config{KMin: 2, KMax: 2, Lambda: 0, Top: 6}
	r := mustSearch(t, ds, cfg)
	var got []string
	for _, s := range r.Ranked {
		got = append(got, strings.Join(s.Models, ""))
	}
	// Union 2/3 for ab ac ad bd cd, 1/3 for bc; order breaks the ties.
	if w := []string{"ab", "ac", "ad", "bd", "cd", "bc"}; !slices.Equal(got, w) {
		t.Errorf("ranked %v, want %v", got, w)
	}
	// Under mux every pair scores 1/3 (ties go to the earlier model): union
	// accuracy, then order, decide.
	cfg.Objective = Mux
	r = mustSearch(t, ds, cfg)
	if b, _ := r.Best(2); strings.Join(b.Models, "") != "ab" {
		t.Errorf("mux best %v", b.Models)
	}
}

func TestRobustLevel(t *testing.T) {
	// a is right in 2 of 3 samples on q1 but its own answer wins anyway;
	// on q2 one right sample out of three does not make it correct by vote.
	ds := build(t, []string{"1", "2"}, []string{"a", "b"}, map[string][][]string{
		"a": {{"1", "1", "5"}, {"2", "4", "4"}},
		"b": {{"6", "6", "6"}, {"7", "7", "8"}},
	})
	cfg := Config{KMin: 2, KMax: 2, Lambda: 1}
	checkBest(t, mustSearch(t, ds, cfg), 2, want{"a,b", 0, 0.5, 0.5} /* 0.5 − 1·0.5 */)
	cfg.RobustLevel = 1
	checkBest(t, mustSearch(t, ds, cfg), 2, want{"a,b", 1 - 0.5, 1, 0.5})
	cfg.RobustLevel = 3
	checkBest(t, mustSearch(t, ds, cfg), 2, want{"a,b", 0, 0, 0})
}

func TestOfficialCountsEmptyAsConfidentlyWrong(t *testing.T) {
	// b is all-empty on q1: official treats it as confidently wrong; paper
	// does not (an empty answer is no answer).
	ds := build(t, []string{"1"}, []string{"a", "b"}, map[string][][]string{
		"a": {{"1", "1"}},
		"b": {{"", ""}},
	})
	off := mustSearch(t, ds, Config{Objective: Official, KMax: 2, Lambda: 0.5})
	checkBest(t, off, 2, want{"a,b", 1 - 0.5, 1, 1})
	pap := mustSearch(t, ds, Config{Objective: Paper, KMax: 2, Lambda: 1})
	checkBest(t, pap, 2, want{"a,b", 1, 1, 0})
}

func TestBadInput(t *testing.T) {
	ds := workedExample(t)
	one := Restrict(ds, []int{0})
	for _, tc := range []struct {
		name string
		ds   *mux.Dataset
		cfg  Config
		msg  string
	}{
		{"empty", &mux.Dataset{Models: []string{"a", "b"}}, Config{}, "no items"},
		{"one model", one, Config{}, "at least 2 models"},
		{"k beyond pool", ds, Config{KMax: 4}, "k-max 4 is more than the pool's 3 models"},
		{"k-min above k-max", ds, Config{KMin: 3, KMax: 2}, "above k-max"},
		{"holdout", ds, Config{HoldOut: 1}, "below 1"},
		{"holdout too small", ds, Config{HoldOut: 0.1}, "each part"},
		{"objective", ds, Config{Objective: "best"}, "unknown objective"},
	} {
		_, err := Search(tc.ds, tc.cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want ErrConfig with %q", tc.name, err, tc.msg)
		}
	}
}

func TestHoldOut(t *testing.T) {
	ds := randomDataset(200, 6, 5, 11)
	cfg := DefaultConfig(Paper)
	cfg.HoldOut, cfg.Seed, cfg.KMax = 0.25, 7, 3
	a := mustSearch(t, ds, cfg)
	if a.Items != 150 || a.HeldOut != 50 {
		t.Fatalf("split %d/%d", a.Items, a.HeldOut)
	}
	for _, s := range append(a.BestByK, a.Ranked...) {
		if s.HeldOutMuxAcc == nil {
			t.Fatalf("%v: no held-out accuracy", s.Models)
		}
	}
	b := mustSearch(t, ds, cfg)
	if !reflect.DeepEqual(a.BestByK, b.BestByK) {
		t.Fatal("same seed, different split")
	}
	// The held-out accuracy is SLM-MUX on exactly the other items.
	s, _ := a.Best(2)
	searchPart, held := split(ds, 0.25, 7)
	if got := simAcc(t, Restrict(held, s.Indices())); !near(*s.HeldOutMuxAcc, got) {
		t.Errorf("held-out %v, simulate %v", *s.HeldOutMuxAcc, got)
	}
	if got := simAcc(t, Restrict(searchPart, s.Indices())); !near(s.MuxAcc, got) {
		t.Errorf("search-part %v, simulate %v", s.MuxAcc, got)
	}
}

func TestCompare(t *testing.T) {
	ds := randomDataset(120, 5, 3, 5)
	cfg := DefaultConfig(Official)
	cfg.Lambda = 0.25
	rs, err := Compare(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Objective != Paper || rs[0].Lambda != 1 || rs[1].Lambda != 0.25 || rs[1].RobustLevel != 2 {
		t.Fatalf("compare: %+v %+v", rs[0], rs[1])
	}
	// The mux objective's pick has the best SLM-MUX accuracy of all.
	for k := 2; k <= 5; k++ {
		m, _ := rs[2].Best(k)
		for _, r := range rs[:2] {
			if b, _ := r.Best(k); b.MuxAcc > m.MuxAcc {
				t.Errorf("K=%d: %s pick %v beats mux pick %v", k, r.Objective, b.MuxAcc, m.MuxAcc)
			}
		}
	}
}

// SearchAndCompare, whose searches run at once, gives what Search then
// Compare give, for each objective as cfg's own.
func TestSearchAndCompareEqualsSearchThenCompare(t *testing.T) {
	ds := randomDataset(120, 7, 3, 4)
	for _, o := range Objectives {
		cfg := DefaultConfig(o)
		cfg.KMax, cfg.Top = 3, 4
		res, cmp, err := SearchAndCompare(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := mustSearch(t, ds, cfg)
		wantCmp, err := Compare(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res, want) || !reflect.DeepEqual(cmp, wantCmp) {
			t.Errorf("objective %s: SearchAndCompare differs from Search then Compare", o)
		}
	}
}
