package engine

import (
	"testing"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/runstore"
)

// Adaptive sampling bounds counts of equal short answers: an automatic
// question stops early only while its replies read as short answers, and
// a code or text question draws every sample.
func TestAdaptiveOnlyForShortAnswers(t *testing.T) {
	cfg := AskConfig{Models: []string{"m1", "m2"}, Sampling: Sampling{Samples: 3}, Adaptive: true}
	unanimous := func(a *Adaptive, reply string) bool {
		for j := range 3 {
			a.Record(runstore.Sample{Item: "q", Model: "m1", Sample: j, Response: reply, Answer: "x"})
		}
		return a.Needed("q", "m2")
	}
	if unanimous(cfg.adaptive(), "```python\nprint(1)\n```") {
		t.Error("short kind: a unanimous first model decides the question")
	}
	cfg.Kind = answer.Auto
	if unanimous(cfg.adaptive(), "The answer is 4.") {
		t.Error("auto, short replies: a unanimous first model decides the question")
	}
	if !unanimous(cfg.adaptive(), "```python\nprint(1)\n```") {
		t.Error("auto, code replies: every sample is needed")
	}
	if !unanimous(cfg.adaptive(), "The sea is wide and grey under a low sky,\nand the gulls turn over the harbour wall") {
		t.Error("auto, prose: every sample is needed")
	}
	for _, k := range []answer.Kind{answer.Code, answer.Text} {
		if cfg.Kind = k; cfg.adaptive() != nil {
			t.Errorf("kind %s: adaptive sampling is off (every sample)", k)
		}
	}
}
