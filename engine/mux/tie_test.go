package mux

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveLeaveOut computes the documented estimate for one model without
// item skip straight from the definition, with strings.
func naiveLeaveOut(ds *Dataset, m, skip int) float64 {
	sum, n := 0.0, 0
	for i, it := range ds.Items {
		if i == skip {
			continue
		}
		var others []string
		for o := range ds.Models {
			if o != m {
				others = append(others, answersOf(it, o)...)
			}
		}
		counts := map[string]int{}
		top := 0
		for _, a := range others {
			if a != "" {
				counts[a]++
				top = max(top, counts[a])
			}
		}
		if top == 0 {
			continue
		}
		var tset []string
		for a, c := range counts {
			if c == top {
				tset = append(tset, a)
			}
		}
		n++
		if own := Majority(answersOf(it, m)); own != "" && slices.Contains(tset, own) {
			sum += 1 / float64(len(tset))
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func TestAgreementIsLeaveOneOut(t *testing.T) {
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 3))
		ds := randomPool(seed, 2+r.IntN(12), 1+r.IntN(5), 1+r.IntN(6))
		a := NewAgreement(ds)
		for i, it := range ds.Items {
			got := a.LeaveOut(it.ID)
			for m, name := range ds.Models {
				if want := naiveLeaveOut(ds, m, i); math.Abs(got[name]-want) > 1e-12 {
					t.Fatalf("seed %d item %s model %s: %v, want %v", seed, it.ID, name, got[name], want)
				}
			}
		}
		all := a.Reliability()
		for m, name := range ds.Models {
			if want := naiveLeaveOut(ds, m, -1); math.Abs(all[name]-want) > 1e-12 {
				t.Fatalf("seed %d model %s over all items: %v, want %v", seed, name, all[name], want)
			}
		}
		if fmt.Sprint(a.LeaveOut("not-in-run")) != fmt.Sprint(all) {
			t.Fatal("an item outside the run should get the all-items estimate")
		}
	}
}

// A model that agrees with the others is trusted over a contrarian, and
// an item never votes on itself.
func TestAgreementExample(t *testing.T) {
	var rs []Record
	// Items q0-q2: b and c agree (right), a goes its own way.
	for i := range 3 {
		q := fmt.Sprint("q", i)
		rs = append(rs, recs(q, "a", "1", "2", "2", "1")...)
		rs = append(rs, recs(q, "b", "1", "1", "1", "1")...)
		rs = append(rs, recs(q, "c", "1", "1", "1", "1")...)
	}
	// Item q3: a (4) and c (5) tie at 2/3; c is right.
	rs = append(rs, recs("q3", "a", "5", "4", "4", "5")...)
	rs = append(rs, recs("q3", "b", "5", "5", "6", "7")...)
	rs = append(rs, recs("q3", "c", "5", "5", "5", "4")...)
	ds, err := BuildDataset(rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	ag := NewAgreement(ds)
	// q0-q2: a's 2 against b+c's {1: 6}: 0; b's 1 against a+c's {1: 4, 2: 2}: 1.
	// q3: a's 4 against b+c's {5: 3, ...}: 0; b's 5 against a+c's {4: 3, 5: 3}: 1/2;
	// c's 5 against a+b's {4: 2, 5: 2, ...}: 1/2.
	if got := ag.LeaveOut("q3"); got["a"] != 0 || got["b"] != 1 || got["c"] != 1 {
		t.Fatalf("without q3: %v, want a 0, b 1, c 1", got)
	}
	if got := ag.LeaveOut("q0"); got["a"] != 0 || got["b"] != 2.5/3 || got["c"] != 2.5/3 {
		t.Fatalf("without q0: %v", got)
	}
	if all := ag.Reliability(); all["a"] != 0 || all["b"] != 3.5/4 {
		t.Fatalf("all items: %v", all)
	}
	winner := func(cfg SimConfig) string {
		t.Helper()
		res, err := Simulate(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res.Items[3].Model + " " + string(res.TieBreak)
	}
	if got := winner(SimConfig{Agreement: ag}); got != "c agreement" {
		t.Errorf("agreement: q3 went to %s, want c", got)
	}
	if got := winner(SimConfig{}); got != "a order" {
		t.Errorf("order: q3 went to %s, want a", got)
	}
	if got := winner(SimConfig{ValAcc: map[string]float64{"a": 0.9}}); got != "a val" {
		t.Errorf("val: q3 went to %s, want a", got)
	}
}

func TestParseTieBreak(t *testing.T) {
	for _, s := range []string{"", "val", "agreement", "order"} {
		if got, err := ParseTieBreak(s); err != nil || string(got) != s {
			t.Errorf("%q: %v %v", s, got, err)
		}
	}
	if _, err := ParseTieBreak("random"); err == nil {
		t.Error("random accepted")
	}
	if DefaultTieBreak(true, true) != TieVal || DefaultTieBreak(false, true) != TieAgreement || DefaultTieBreak(false, false) != TieOrder {
		t.Error("defaults")
	}
}

func TestResolveTie(t *testing.T) {
	for _, c := range []struct {
		name            string
		haveAcc, haveRn bool
		want            TieBreak
		needs           TieBreak // the *TieNeedsError's rule, "" none
	}{
		{"", true, true, TieVal, ""},
		{"", false, true, TieAgreement, ""},
		{"", false, false, TieOrder, ""},
		{"val", false, true, "", TieVal},
		{"agreement", true, false, "", TieAgreement},
		{"order", false, false, TieOrder, ""},
	} {
		got, err := ResolveTie(c.name, c.haveAcc, c.haveRn)
		var ne *TieNeedsError
		if got != c.want || (c.needs == "") != (err == nil) || c.needs != "" && (!errors.As(err, &ne) || ne.Rule != c.needs) {
			t.Errorf("ResolveTie(%q, %v, %v) = %q, %v; want %q, needs %q", c.name, c.haveAcc, c.haveRn, got, err, c.want, c.needs)
		}
	}
	if _, err := ResolveTie("coin", true, true); err == nil || errors.As(err, new(*TieNeedsError)) {
		t.Errorf("an unknown rule: %v, want ParseTieBreak's error", err)
	}
}

func TestNewTieRule(t *testing.T) {
	acc := map[string]float64{"a": 0.7}
	ds := randomDataset(4, 2, 3, 1)
	if r, err := NewTieRule("", acc, ds); err != nil || r.Rule != TieVal || r.ValAcc["a"] != 0.7 || r.Agreement != nil {
		t.Errorf("default with accuracies = %+v, %v; want val", r, err)
	}
	if r, err := NewTieRule("", nil, ds); err != nil || r.Rule != TieAgreement || r.Agreement == nil || r.ValAcc != nil {
		t.Errorf("default with a run = %+v, %v; want agreement", r, err)
	}
	if r, err := NewTieRule("order", acc, ds); err != nil || r.Rule != TieOrder || r.ValAcc != nil || r.Agreement != nil {
		t.Errorf("order = %+v, %v", r, err)
	}
	if _, err := NewTieRule("val", nil, ds); !errors.As(err, new(*TieNeedsError)) {
		t.Errorf("val without accuracies: %v, want a *TieNeedsError", err)
	}
	r, _ := NewTieRule("val", acc, nil)
	if cfg := r.Sim(SimConfig{K: 2}); cfg.K != 2 || cfg.ValAcc["a"] != 0.7 || cfg.Agreement != nil {
		t.Errorf("Sim = %+v", cfg)
	}
}

func TestParseValAcc(t *testing.T) {
	got, err := ParseValAcc(" a=0.71, b=0.64")
	if err != nil || len(got) != 2 || got["a"] != 0.71 || got["b"] != 0.64 {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := ParseValAcc(""); got != nil || err != nil {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"a", "a=x", "a=1.5", "a=-0.1", "a=NaN", "=0.5", "a=0.5,b"} {
		if _, err := ParseValAcc(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
