package mux

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomPool is a dataset of items x models x k with answers from a small
// alphabet (ties and empties common), seeded.
func randomPool(seed uint64, items, models, k int) *Dataset {
	r := rand.New(rand.NewPCG(seed, 1))
	var recs []Record
	var names []string
	for m := range models {
		names = append(names, fmt.Sprint("m", m))
	}
	for i := range items {
		for m := range models {
			for j := range k {
				a := ""
				if v := r.IntN(5); v > 0 {
					a = fmt.Sprint(v % (1 + r.IntN(3)))
				}
				recs = append(recs, Record{Item: fmt.Sprint("q", i), Model: names[m], Sample: j, Answer: a, Correct: a == "0"})
			}
		}
	}
	ds, _ := BuildDataset(recs, names)
	return ds
}

// Property: over random pools, with and without validation accuracies,
// adaptive selections always equal full sampling's.
func TestAdaptiveIsExact(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 2))
		ds := randomPool(seed, 20, 1+r.IntN(6), 1+r.IntN(9))
		var acc map[string]float64
		if seed%2 == 0 {
			acc = map[string]float64{}
			for _, m := range ds.Models {
				acc[m] = float64(r.IntN(3)) / 2 // ties in accuracy too
			}
		}
		cfg := SimConfig{ValAcc: acc, Profile: Paper}
		if seed%4 == 1 {
			cfg.Agreement = NewAgreement(ds) // per-item (leave-one-out) tie order
		}
		res, err := Adaptive(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Identical {
			t.Fatalf("seed %d: adaptive selections differ from full sampling (%d models)", seed, len(ds.Models))
		}
		if full, _ := Simulate(ds, cfg); seed%4 == 1 && full.TieBreak != TieAgreement {
			t.Fatalf("seed %d: tie-break %q", seed, full.TieBreak)
		}
		if res.SamplesNeeded > res.SamplesTotal {
			t.Fatalf("seed %d: %+v", seed, res)
		}
	}
}

func TestAdaptiveSavesOnAgreement(t *testing.T) {
	// The first model is unanimous on every item: nothing else is drawn.
	var recs []Record
	for i := range 4 {
		for m, name := range []string{"a", "b", "c"} {
			for j := range 5 {
				recs = append(recs, Record{Item: fmt.Sprint(i), Model: name, Sample: j, Answer: fmt.Sprint(m)})
			}
		}
	}
	ds, _ := BuildDataset(recs, []string{"a", "b", "c"})
	res, err := Adaptive(ds, SimConfig{})
	if err != nil || !res.Identical || res.SamplesNeeded != 4*5 || res.SamplesTotal != 4*15 {
		t.Fatalf("%+v %v: want only the first model's 20 samples of 60", res, err)
	}
	if _, err := Adaptive(ds, SimConfig{Profile: Official}); !errors.Is(err, ErrAdaptiveProfile) {
		t.Errorf("official: %v", err)
	}
}
