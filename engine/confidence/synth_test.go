package confidence

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

// synthPool is a synthetic pool with every signal's data, under stated
// assumptions (the README's synthetic table comes from it): model m is
// right with probability acc[m] on each sample; a wrong sample picks one of
// 3 wrong answers per item (shared by all models, so errors collide); the
// mean token log-probability is N(-0.25, 0.15) when right and N(-0.6, 0.25)
// when wrong (at most 0); the verbal rating is uniform on [60, 100] when
// right and [30, 90] when wrong; the embedding is the answer's random unit
// vector (16 dimensions) plus N(0, 0.05) noise per coordinate, plus 0.3
// along a per-model "sureness" direction when right.
func synthPool(seed uint64, items int, acc []float64, k int) ([]Record, []string) {
	r := rand.New(rand.NewPCG(seed, 9))
	const dim = 16
	unit := func() []float64 {
		v := make([]float64, dim)
		n := 0.0
		for i := range v {
			v[i] = r.NormFloat64()
			n += v[i] * v[i]
		}
		for i := range v {
			v[i] /= math.Sqrt(n)
		}
		return v
	}
	models := make([]string, len(acc))
	sure := make([][]float64, len(acc))
	for m := range acc {
		models[m] = fmt.Sprintf("m%d", m)
		sure[m] = unit()
	}
	var recs []Record
	for i := range items {
		item := fmt.Sprintf("q%03d", i)
		answers := []string{"right", "w1", "w2", "w3"}
		vecs := [][]float64{unit(), unit(), unit(), unit()}
		for m, p := range acc {
			for j := range k {
				a, ok := 1+r.IntN(3), r.Float64() < p
				if ok {
					a = 0
				}
				lpm := min(0, r.NormFloat64()*0.25-0.6)
				v := 0.3 + 0.6*r.Float64()
				if ok {
					lpm, v = min(0, r.NormFloat64()*0.15-0.25), 0.6+0.4*r.Float64()
				}
				e := make([]float32, dim)
				for d := range e {
					x := vecs[a][d] + 0.05*r.NormFloat64()
					if ok {
						x += 0.3 * sure[m][d]
					}
					e[d] = float32(x)
				}
				reply := "reply " + answers[a]
				recs = append(recs, Record{Item: item, Model: models[m], Index: j, Correct: ok, Tokens: 28, ExtraTokens: 40,
					Sample: Sample{Answer: answers[a], Response: reply, LogprobMean: &lpm, Verbal: &v, Embedding: e}})
			}
		}
	}
	return recs, models
}

// Every signal replayed over one synthetic pool; consistency must equal
// mux.Simulate on it. Run with -v for the table.
func TestSyntheticPoolSignals(t *testing.T) {
	acc := []float64{0.75, 0.6, 0.5, 0.4, 0.3}
	val, models := synthPool(1, 300, acc, 5)
	test, _ := synthPool(2, 500, acc, 5)
	pf := &ProbeFile{Format: ProbeFormat, Models: map[string]ModelProbe{}}
	for _, m := range models {
		var xs [][]float32
		var ys []bool
		for _, r := range val {
			if r.Model == m {
				xs, ys = append(xs, r.Sample.Embedding), append(ys, r.Correct)
			}
		}
		p, err := Train(xs, ys, TrainConfig{})
		if err != nil {
			t.Fatal(err)
		}
		pf.Models[m] = p
	}
	var mrecs []mux.Record
	for _, r := range test {
		mrecs = append(mrecs, mux.Record{Item: r.Item, Model: r.Model, Sample: r.Index, Answer: r.Sample.Answer, Correct: r.Correct})
	}
	ds, err := mux.BuildDataset(mrecs, models)
	if err != nil {
		t.Fatal(err)
	}
	base, err := mux.Simulate(ds, mux.SimConfig{K: 3, Trials: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("synthetic pool: 500 items, 5 models (accuracy %v), k=3 of 5, 20 trials; Agent Forest %.3f, oracle %.3f", acc, base.AgentForest, base.Oracle)
	for _, m := range Methods {
		sig, err := New(m, Options{Probe: pf})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Simulate(test, models, sig, SimConfig{K: 3, Trials: 20, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if m == Consistency && res.Accuracy != base.Accuracy {
			t.Fatalf("consistency %v, mux %v", res.Accuracy, base.Accuracy)
		}
		t.Logf("| %s | %.3f ± %.3f | %.0f | %.0f | %.0f |", m, res.Accuracy, res.TrialStd, res.Generations, res.Tokens, res.Embeddings)
	}
}
