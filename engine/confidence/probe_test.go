package confidence

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// A probe trained on separable embeddings predicts its labels, survives a
// round trip through JSON, and refuses files that do not apply.
func TestProbeTrainPredict(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var xs [][]float32
	var ys []bool
	for range 400 {
		ok := r.IntN(2) == 0
		x := make([]float32, 8)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		if ok {
			x[3] += 2
		}
		xs, ys = append(xs, x), append(ys, ok)
	}
	p, err := Train(xs, ys, TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if p.TrainAccuracy < 0.8 {
		t.Fatalf("train accuracy %.3f", p.TrainAccuracy)
	}
	f := &ProbeFile{Format: ProbeFormat, Models: map[string]ModelProbe{"m": p}}
	b, _ := json.Marshal(f)
	g, err := ParseProbe(b)
	if err != nil {
		t.Fatal(err)
	}
	hi := []float32{0, 0, 0, 3, 0, 0, 0, 0}
	lo := []float32{0, 0, 0, -1, 0, 0, 0, 0}
	if g.Models["m"].Predict(hi) < 0.8 || g.Models["m"].Predict(lo) > 0.2 {
		t.Fatalf("predictions %.3f %.3f", g.Models["m"].Predict(hi), g.Models["m"].Predict(lo))
	}
	ch := ProbeSignal{File: g}.Choose("m", []Sample{{Answer: "x", Embedding: lo}, {Answer: "y", Embedding: hi}})
	if ch.Answer != "y" {
		t.Fatalf("%+v", ch)
	}
	if err := g.Check([]string{"m", "other"}, "", nil); !errors.Is(err, ErrProbe) || !strings.Contains(err.Error(), "no probe for other") {
		t.Fatalf("other model: %v", err)
	}
	var ee *EmbedderError
	if err := g.Check([]string{"m"}, "nomic", nil); !errors.As(err, &ee) || ee.Trained != "" || ee.Given != "nomic" || !errors.Is(err, ErrProbe) {
		t.Fatalf("other embedder: %v", err)
	}
	g.Models["m"] = ModelProbe{Digest: "sha256:aa", Dim: p.Dim, Mean: p.Mean, Scale: p.Scale, Weights: p.Weights}
	if err := g.Check([]string{"m"}, "", map[string]string{"m": "sha256:bb"}); err == nil {
		t.Fatal("other digest accepted")
	}
	for _, bad := range []string{"", "{}", `{"format":"slmmux-probe/1","models":{}}`, `{"format":"slmmux-probe/1","models":{"m":{"dim":2,"mean":[0],"scale":[1],"weights":[1]}}}`,
		`{"format":"slmmux-probe/1","models":{"m":{"dim":1,"mean":[0],"scale":[0],"weights":[1]}}}`} {
		if _, err := ParseProbe([]byte(bad)); !errors.Is(err, ErrProbe) {
			t.Errorf("ParseProbe(%q): %v", bad, err)
		}
	}
}
