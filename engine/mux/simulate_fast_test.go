package mux

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The fast loop gives the plain loop's numbers, for fixed seeds, over
// random pools (k below and at what is stored, both profiles, with and
// without validation accuracies). Agent Forest differs only where it
// should: under the official profile with tie scores (best_support).
func TestSimulateMatchesPlainLoop(t *testing.T) {
	for seed := range uint64(120) {
		r := rand.New(rand.NewPCG(seed, 9))
		ds := randomPool(seed, 5+r.IntN(30), 1+r.IntN(6), 1+r.IntN(9))
		var acc map[string]float64
		if seed%3 != 0 {
			acc = map[string]float64{}
			for _, m := range ds.Models {
				acc[m] = float64(r.IntN(4)) / 3
			}
		}
		p := Paper
		if seed%2 == 1 {
			p = Official
		}
		cfg := SimConfig{K: 1 + r.IntN(ds.MaxSamples()), Trials: 1 + r.IntN(4), Seed: seed, Profile: p, ValAcc: acc}
		got, err := Simulate(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want, err := refSimulate(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if p == Official && len(acc) > 0 {
			got.AgentForest, want.AgentForest = 0, 0
		}
		got.TieBreak = ""
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("seed %d %+v:\nfast  %+v\nplain %+v", seed, cfg, got, want)
		}
	}
}

func TestIntNIsRandIntN(t *testing.T) {
	s := &sim{pcg: rand.NewPCG(7, 8)}
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 100000 {
		n := 1 + i%40
		if i%1000 == 0 {
			n = 1 << 40 // the power-of-two path
		}
		if a, b := s.intN(n), r.IntN(n); a != b {
			t.Fatalf("draw %d IntN(%d): %d, want %d", i, n, a, b)
		}
	}
}

// A pool where Agent Forest's pooled vote ties: best_support (official
// profile) goes to the answer of the best-scored supporter, first seen
// (paper) to the earlier answer.
func TestAgentForestBestSupport(t *testing.T) {
	var rs []Record
	// a says x, x (wrong); b says y, y (right): pooled x 2, y 2.
	rs = append(rs, recs("q1", "a", "y", "x", "x")...)
	rs = append(rs, recs("q1", "b", "y", "y", "y")...)
	// a says y, y (right); b says z, z: first seen is right here.
	rs = append(rs, recs("q2", "a", "y", "y", "y")...)
	rs = append(rs, recs("q2", "b", "y", "z", "z")...)
	ds, err := BuildDataset(rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	af := func(p Profile, acc map[string]float64) float64 {
		t.Helper()
		res, err := Simulate(ds, SimConfig{Trials: 1, Profile: p, ValAcc: acc})
		if err != nil {
			t.Fatal(err)
		}
		return res.AgentForest
	}
	bBetter := map[string]float64{"a": 0.4, "b": 0.8}
	if got := af(Paper, bBetter); got != 0.5 {
		t.Errorf("paper (first seen): %v, want 0.5 (q2 only)", got)
	}
	if got := af(Official, bBetter); got != 0.5 {
		t.Errorf("official best_support, b better: %v, want 0.5 (q1 only)", got)
	}
	if got := af(Official, map[string]float64{"a": 0.8, "b": 0.4}); got != 0.5 {
		t.Errorf("official best_support, a better: %v, want 0.5 (q2 only)", got)
	}
	if got := af(Official, map[string]float64{"a": 0.5, "b": 0.5}); got != 0.5 {
		t.Errorf("official, equal supporters: %v, want first seen (q2 only)", got)
	}
	// Make q1 count twice so the two rules differ in the total.
	rs = append(rs, recs("q3", "a", "y", "x", "x")...)
	rs = append(rs, recs("q3", "b", "y", "y", "y")...)
	if ds, err = BuildDataset(rs, nil); err != nil {
		t.Fatal(err)
	}
	if got := af(Paper, bBetter); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("paper: %v, want 1/3", got)
	}
	if got := af(Official, bBetter); math.Abs(got-2.0/3) > 1e-12 {
		t.Errorf("official best_support: %v, want 2/3", got)
	}
	if got := af(Official, nil); math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("official without scores: %v, want first seen 1/3", got)
	}
}

// BenchmarkSimulatePlain is the plain loop on BenchmarkSimulate's pool,
// for a side-by-side ratio.
func BenchmarkSimulatePlain(b *testing.B) {
	ds := randomDataset(500, 5, 9, 3)
	for b.Loop() {
		if _, err := refSimulate(ds, SimConfig{K: 5, Trials: 100, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
