package confidence

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

func answers(as ...string) []Sample {
	out := make([]Sample, len(as))
	for i, a := range as {
		out[i] = Sample{Answer: a, Response: "r" + a}
	}
	return out
}

// randomPool is a random question: per model k answers from a small set.
func randomPool(r *rand.Rand, models, k int) [][]string {
	pool := make([][]string, models)
	for m := range pool {
		pool[m] = make([]string, k)
		for j := range pool[m] {
			if x := r.IntN(5); x > 0 {
				pool[m][j] = fmt.Sprint(x)
			}
		}
	}
	return pool
}

// The consistency signal with Select is mux.Select, on random pools, for
// both profiles and with or without accuracies.
func TestConsistencyIsMuxSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		nm, k := 1+r.IntN(5), 1+r.IntN(6)
		pool := randomPool(r, nm, k)
		p := []mux.Profile{mux.Paper, mux.Official}[n%2]
		var acc map[string]float64
		if n%3 == 0 {
			acc = map[string]float64{}
			for m := range nm {
				acc[fmt.Sprint("m", m)] = float64(r.IntN(3)) / 4
			}
		}
		var ms []mux.Samples
		var votes []Vote
		sig := ConsistencySignal{Profile: p}
		for m, as := range pool {
			name := fmt.Sprint("m", m)
			ms = append(ms, mux.Samples{Model: name, Answers: as})
			votes = append(votes, Vote{Model: name, Choice: sig.Choose(name, answers(as...))})
		}
		want := mux.Select(ms, acc, p)
		got := Select(votes, acc)
		if got != want.Winner {
			t.Fatalf("pool %v profile %s acc %v: winner %d, mux %d", pool, p, acc, got, want.Winner)
		}
		for i, v := range want.Votes {
			if votes[i].Answer != v.Answer || math.Abs(votes[i].Confidence-v.Confidence()) > 1e-12 || votes[i].Answer != "" && votes[i].Support != v.Count {
				t.Fatalf("pool %v: vote %d %+v, mux %+v", pool, i, votes[i], v)
			}
			if v.Answer != "" && pool[i][votes[i].Index] != v.Answer {
				t.Fatalf("index %d does not give %q", votes[i].Index, v.Answer)
			}
		}
	}
}

// Simulate under consistency gives mux.Simulate's accuracy exactly, k
// below the stored count included (the same draws).
func TestSimulateConsistencyIsMuxSimulate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	models := []string{"a", "b", "c"}
	var recs []Record
	var mrecs []mux.Record
	for i := range 60 {
		item := fmt.Sprint("q", i)
		pool := randomPool(r, len(models), 5)
		for m, as := range pool {
			for j, a := range as {
				ok := a == "1"
				recs = append(recs, Record{Item: item, Model: models[m], Index: j, Correct: ok, Sample: Sample{Answer: a}})
				mrecs = append(mrecs, mux.Record{Item: item, Model: models[m], Sample: j, Answer: a, Correct: ok})
			}
		}
	}
	ds, err := mux.BuildDataset(mrecs, models)
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]float64{"b": 0.9}
	for _, k := range []int{1, 3, 5} {
		want, err := mux.Simulate(ds, mux.SimConfig{K: k, Trials: 20, Seed: 7, ValAcc: acc})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Simulate(recs, models, ConsistencySignal{}, SimConfig{K: k, Trials: 20, Seed: 7, ValAcc: acc})
		if err != nil {
			t.Fatal(err)
		}
		if got.Accuracy != want.Accuracy || got.TrialStd != want.TrialStd {
			t.Fatalf("k=%d: accuracy %v (std %v), mux %v (std %v)", k, got.Accuracy, got.TrialStd, want.Accuracy, want.TrialStd)
		}
		if got.Generations != float64(60*3*k) {
			t.Fatalf("k=%d: %v generations per trial", k, got.Generations)
		}
	}
}

func lp(v float64) *float64 { return &v }

// The authors' test vector (spec §2.5): mean log-probs -0.2 and -1.025
// weigh 0.8187 and 0.3588; with different answers the first wins, and an
// answer given twice sums its weights over k.
func TestLogprob(t *testing.T) {
	s := []Sample{{Answer: "A", LogprobMean: lp(-0.2)}, {Answer: "B", LogprobMean: lp(-1.025)}}
	ch := LogprobSignal{}.Choose("m", s)
	if ch.Answer != "A" || math.Abs(ch.Confidence-math.Exp(-0.2)/2) > 1e-12 || ch.Index != 0 {
		t.Fatalf("%+v", ch)
	}
	s = []Sample{{Answer: "A", LogprobMean: lp(-0.1)}, {Answer: "B", LogprobMean: lp(-1)}, {Answer: "B", LogprobMean: lp(-0.5)}, {Answer: ""}}
	ch = LogprobSignal{}.Choose("m", s)
	want := (math.Exp(-1) + math.Exp(-0.5)) / 4
	if ch.Answer != "B" || math.Abs(ch.Confidence-want) > 1e-12 || ch.Index != 2 || ch.Support != 2 {
		t.Fatalf("%+v, want B %.4f index 2", ch, want)
	}
	if ch := (LogprobSignal{}).Choose("m", answers("", "")); ch.Answer != "" || ch.Index != -1 {
		t.Fatalf("all empty: %+v", ch)
	}
}

// The authors' test vector (spec §2.2): cluster sizes [3,3,3,2,2] at 0.9,
// score 0.6, the medoid B (the largest centrality among the size-3 ones).
func TestEmbeddingClusters(t *testing.T) {
	vecs := [][]float32{{1, 0, 0}, {0.99, 0.1, 0}, {0.98, 0, 0.15}, {0, 1, 0}, {0, 0.95, 0.3}}
	var s []Sample
	for i, v := range vecs {
		s = append(s, Sample{Answer: string(rune('A' + i)), Response: "x", Embedding: v})
	}
	ch := EmbeddingSignal{}.Choose("m", s)
	if ch.Answer != "B" || ch.Index != 1 || ch.Support != 3 || math.Abs(ch.Confidence-0.6) > 1e-12 {
		t.Fatalf("%+v", ch)
	}
	// Free-form replies: no extracted answer, the medoid's reply is chosen;
	// a sample without an embedding (an empty reply) takes no part but
	// counts in k.
	s = []Sample{{Response: " hello ", Embedding: []float32{1, 0}}, {Response: "hello!", Embedding: []float32{0.99, 0.05}}, {Response: ""}, {Response: "bye", Embedding: []float32{0, 1}}}
	ch = EmbeddingSignal{Threshold: 0.95}.Choose("m", s)
	if ch.Answer != "hello!" || ch.Index != 1 || ch.Support != 2 || ch.Confidence != 0.5 {
		t.Fatalf("%+v", ch)
	}
}

func TestSelectTies(t *testing.T) {
	v := []Vote{{Model: "a", Choice: Choice{Answer: "1", Confidence: 0.5}}, {Model: "b", Choice: Choice{Answer: "2", Confidence: 0.5 + 1e-12}}, {Model: "c", Choice: NoChoice}}
	if w := Select(v, nil); w != 0 {
		t.Fatalf("tie within 1e-9 went to %d, want the earlier model", w)
	}
	if w := Select(v, map[string]float64{"b": 0.7}); w != 1 {
		t.Fatalf("tie with accuracies went to %d", w)
	}
	v[1].Confidence = 0.6
	if w := Select(v, map[string]float64{"a": 0.9}); w != 1 {
		t.Fatalf("higher confidence lost: %d", w)
	}
	if w := Select([]Vote{{Model: "x", Choice: NoChoice}}, nil); w != -1 {
		t.Fatalf("no answer won: %d", w)
	}
}

func TestParseMethod(t *testing.T) {
	for _, m := range Methods {
		if got, err := ParseMethod(string(m)); err != nil || got != m {
			t.Fatalf("%s: %v %v", m, got, err)
		}
	}
	if m, err := ParseMethod(""); err != nil || m != Consistency {
		t.Fatalf("default: %v %v", m, err)
	}
	if _, err := ParseMethod("reward"); err == nil {
		t.Fatal("unknown method accepted")
	}
	if _, err := New(Probe, Options{}); err == nil {
		t.Fatal("probe without a file accepted")
	}
}
