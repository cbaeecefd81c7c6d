package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

// tiePool is a synthetic pool of n models whose skills (0.15 to 0.80)
// come in shuffled order, so that model order says nothing about them.
// Each item has a difficulty shared by all models and a common wrong
// answer that stubborn models repeat (correlated errors); the same seed
// gives the same models, and item seeds differ between a test pool and
// its validation pool.
func tiePool(n, items, k int, modelSeed, itemSeed uint64) *mux.Dataset {
	mr := rand.New(rand.NewPCG(modelSeed, 1))
	skill, stubborn := make([]float64, n), make([]float64, n)
	for m := range n {
		skill[m] = 0.15 + 0.65*float64(m)/float64(max(n-1, 1))
		stubborn[m] = 0.2 + 0.6*mr.Float64()
	}
	mr.Shuffle(n, func(i, j int) { skill[i], skill[j] = skill[j], skill[i] })
	r := rand.New(rand.NewPCG(itemSeed, 2))
	var rs []mux.Record
	for i := range items {
		q := fmt.Sprint("q", i)
		shared := r.NormFloat64()
		for m := range n {
			p := 1 / (1 + math.Exp(-(math.Log(skill[m]/(1-skill[m])) - 0.8*shared - 0.8*r.NormFloat64())))
			for j := range k {
				a := "right"
				switch {
				case r.Float64() < p:
				case r.Float64() < stubborn[m]:
					a = "usual-wrong"
				case r.Float64() < 0.1:
					a = ""
				default:
					a = fmt.Sprint("w", r.IntN(6))
				}
				rs = append(rs, mux.Record{Item: q, Model: fmt.Sprintf("m%02d", m), Sample: j, Answer: a, Correct: a == "right"})
			}
		}
	}
	ds, err := mux.BuildDataset(rs, nil)
	if err != nil {
		panic(err)
	}
	return ds
}

// valAccOf is each model's mean one-sample accuracy on ds: validation
// accuracies when ds is a separate validation pool.
func valAccOf(ds *mux.Dataset) map[string]float64 {
	acc := map[string]float64{}
	for _, it := range ds.Items {
		for m, ids := range it.Samples {
			c := 0
			for _, id := range ids {
				if id >= 0 && it.Correct[id] {
					c++
				}
			}
			if len(ids) > 0 {
				acc[ds.Models[m]] += float64(c) / float64(len(ids)) / float64(len(ds.Items))
			}
		}
	}
	return acc
}

// On a 20-model pool whose order says nothing, the label-free agreement
// tie-break recovers most of what validation accuracies give over model
// order (the README's table). Every number is deterministic.
func TestTieBreaksOnSyntheticPool(t *testing.T) {
	ds := tiePool(20, 500, 3, 5, 50)
	val := valAccOf(tiePool(20, 200, 3, 5, 51))
	acc := map[mux.TieBreak]float64{}
	for _, cfg := range []mux.SimConfig{{ValAcc: val}, {Agreement: mux.NewAgreement(ds)}, {}} {
		cfg.K, cfg.Trials, cfg.Seed = 3, 1, 1
		r, err := mux.Simulate(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := mux.Simulate(ds, cfg)
		if again.Accuracy != r.Accuracy {
			t.Fatalf("%s: not deterministic", r.TieBreak)
		}
		acc[r.TieBreak] = r.Accuracy
		t.Logf("%-9s SLM-MUX %.3f ± %.3f (Agent Forest %.3f, oracle %.3f)", r.TieBreak, r.Accuracy, r.Stderr, r.AgentForest, r.Oracle)
	}
	if !(acc[mux.TieVal] > acc[mux.TieOrder]+0.03 && acc[mux.TieAgreement] > acc[mux.TieOrder]+0.03) {
		t.Fatalf("val %.3f and agreement %.3f should both beat model order %.3f clearly", acc[mux.TieVal], acc[mux.TieAgreement], acc[mux.TieOrder])
	}
}
