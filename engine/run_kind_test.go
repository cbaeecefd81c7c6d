package engine

import (
	"testing"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/runstore"
)

// Samples stored without a kind take the kind of the benchmark run.json
// names: an IFEval run replays as text even from lines written before
// samples recorded their kind.
func TestLoadRunTakesTheBenchmarksKind(t *testing.T) {
	dir := t.TempDir()
	if err := runstore.WriteJSON(dir, runstore.MetaFile, runstore.Meta{Benchmark: "ifeval"}); err != nil {
		t.Fatal(err)
	}
	ss := []runstore.Sample{
		{Item: "1", Model: "m", Sample: 0, Answer: "Dear team, the meeting moves to Friday.", Correct: true},
		{Item: "1", Model: "m", Sample: 1, Answer: "Dear team, the meeting is moved to Friday.", Correct: true},
	}
	if err := runstore.WriteJSONL(dir, runstore.SamplesFile, ss); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRun(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if it := r.Dataset.Items[0]; it.Kind != answer.Text || it.Measure != answer.RougeL {
		t.Errorf("kind %q, measure %q: want text by rouge-l", it.Kind, it.Measure)
	}
}
