package score_test

import (
	"path/filepath"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/score"
)

// A run folder written from a code benchmark's responses records their
// kind, so mux replays its questions by similarity.
func TestWriteRunRecordsKind(t *testing.T) {
	items := []benchmark.Item{{ID: "T/0", Question: "add(a, b)"}}
	p := writeFile(t, `{"task_id":"T/0","response":"def add(a, b):\n    return a + b","model":"m1"}
{"task_id":"T/0","response":"def add(a, b):\n    # sum\n    return a + b","model":"m1"}
`)
	rs, err := score.ReadResponses(p)
	if err != nil {
		t.Fatal(err)
	}
	b := adder{}
	recs := score.Match(b, items, rs)
	if err := score.Grade(t.Context(), b, items, recs, 1); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := score.WriteRun(dir, p, b, items, recs); err != nil {
		t.Fatal(err)
	}
	r, err := engine.LoadRun(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := r.Dataset.Items[0]
	if it.Kind != answer.Code || it.Measure != answer.BLEU || len(it.Answers) != 1 {
		t.Errorf("item kind %q, measure %q, %d answers: want code, bleu, one (the comment is not code)", it.Kind, it.Measure, len(it.Answers))
	}
}
