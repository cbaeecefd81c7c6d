package mux

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func recs(item, model, ref string, answers ...string) []Record {
	out := make([]Record, len(answers))
	for i, a := range answers {
		out[i] = Record{Item: item, Model: model, Sample: i, Answer: a, Correct: a != "" && a == ref}
	}
	return out
}

func TestSimulateAllSamples(t *testing.T) {
	var rs []Record
	// q1: a is consistent and right, b is split.
	rs = append(rs, recs("q1", "a", "1", "1", "1", "1")...)
	rs = append(rs, recs("q1", "b", "1", "2", "3", "1")...)
	// q2: b is consistent and right; a consistent and wrong with lower agreement.
	rs = append(rs, recs("q2", "a", "5", "4", "4", "6")...)
	rs = append(rs, recs("q2", "b", "5", "5", "5", "5")...)
	// q3: both wrong, pooled majority also wrong.
	rs = append(rs, recs("q3", "a", "9", "7", "7", "8")...)
	rs = append(rs, recs("q3", "b", "9", "9", "8", "8")...)
	ds, err := BuildDataset(rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Simulate(ds, SimConfig{Trials: 1})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("mux", res.Accuracy, 2.0/3)
	check("single a", res.Single["a"], (1+0+0)/3.0)
	check("single b", res.Single["b"], (1.0/3+1+1.0/3)/3)
	check("sc a", res.SingleSC["a"], 1.0/3)
	check("sc b", res.SingleSC["b"], 1.0/3) // q1: 2,3,1 tie → first seen 2 (wrong); q2 right; q3: 8 wins 2-1
	check("agent forest", res.AgentForest, 2.0/3)
	check("oracle", res.Oracle, 2.0/3)
	check("stderr", res.Stderr, math.Sqrt((2.0/3)*(1.0/3)/3))
	if len(res.Items) != 3 || res.Items[0].Model != "a" || res.Items[1].Model != "b" || res.Items[2].Correct {
		t.Fatalf("items %+v", res.Items)
	}
}

func TestSimulateReproducibleAndBounded(t *testing.T) {
	ds := randomDataset(50, 4, 9, 7)
	cfg := SimConfig{K: 3, Trials: 20, Seed: 42}
	a, err := Simulate(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Simulate(ds, cfg)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("same seed gave different results")
	}
	cfg.Seed = 43
	c, _ := Simulate(ds, cfg)
	if c.Accuracy == a.Accuracy && c.AgentForest == a.AgentForest {
		t.Log("note: another seed gave identical accuracies")
	}
	if a.Items != nil {
		t.Fatal("items kept with trials > 1")
	}
	if a.Accuracy > a.Oracle+1e-12 {
		t.Fatalf("mux %v above oracle %v", a.Accuracy, a.Oracle)
	}
	if _, err := Simulate(ds, SimConfig{K: 10}); err == nil || !strings.Contains(err.Error(), "between 1 and 9") {
		t.Fatalf("k beyond stored: %v", err)
	}
}

func TestBuildDatasetDuplicate(t *testing.T) {
	rs := append(recs("q", "a", "1", "1"), recs("q", "a", "1", "1")...)
	if _, err := BuildDataset(rs, nil); err == nil {
		t.Fatal("duplicate sample accepted")
	}
}

// randomDataset makes items where each model is right with its own
// probability.
func randomDataset(items, models, k int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	var rs []Record
	for i := range items {
		for m := range models {
			for j := range k {
				a := "right"
				if rng.Float64() > 0.3+0.1*float64(m) {
					a = fmt.Sprint("w", rng.IntN(4))
				}
				if rng.IntN(10) == 0 {
					a = ""
				}
				rs = append(rs, Record{Item: fmt.Sprint("q", i), Model: fmt.Sprint("m", m), Sample: j, Answer: a, Correct: a == "right"})
			}
		}
	}
	ds, _ := BuildDataset(rs, nil)
	return ds
}

// BenchmarkSimulate is the offline target: 500 items x 5 models x
// 9 samples, k=5, 100 trials.
func BenchmarkSimulate(b *testing.B) {
	ds := randomDataset(500, 5, 9, 3)
	for b.Loop() {
		if _, err := Simulate(ds, SimConfig{K: 5, Trials: 100, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
