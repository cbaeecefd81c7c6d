package engine

import (
	"reflect"
	"testing"

	"github.com/slmmux/slmmux/engine/runstore"
)

// Subset is LoadRun's mux dataset for the same models without reading the
// folder again: the same items in the same order, and answers interned in
// the same order even where a model left out answered first.
func TestRunSubsetIsLoadRunsMuxDataset(t *testing.T) {
	dir := t.TempDir()
	ss := []runstore.Sample{
		{Item: "q2", Model: "C", Sample: 0, Answer: "5"},
		{Item: "q2", Model: "A", Sample: 0, Answer: "3", Correct: true},
		{Item: "q1", Model: "B", Sample: 1, Answer: "1", Correct: true},
		{Item: "q2", Model: "B", Sample: 0, Answer: "5"},
		{Item: "q1", Model: "A", Sample: 0, Answer: ""},
		{Item: "q1", Model: "B", Sample: 0, Answer: "2"},
		{Item: "q3", Model: "C", Sample: 0, Answer: "7", Correct: true},
		{Item: "q1", Model: "C", Sample: 0, Answer: "1"},
	}
	if err := runstore.WriteJSONL(dir, runstore.SamplesFile, ss); err != nil {
		t.Fatal(err)
	}
	items := []runstore.Item{{ID: "q3"}, {ID: "q1"}, {ID: "q2"}}
	if err := runstore.WriteJSONL(dir, runstore.ItemsFile, items); err != nil {
		t.Fatal(err)
	}
	all, err := LoadRun(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ms := range [][]string{nil, {"A"}, {"B", "A"}, {"A", "B"}, {"C", "B"}, {"A", "C", "B"}} {
		want, err := LoadRun(dir, ms)
		if err != nil {
			t.Fatal(err)
		}
		got, err := all.Subset(ms)
		if err != nil {
			t.Fatalf("%v: %v", ms, err)
		}
		if !reflect.DeepEqual(got, want.Dataset) {
			t.Errorf("%v: Subset %+v, LoadRun %+v", ms, got, want.Dataset)
		}
	}
	_, lerr := LoadRun(dir, []string{"A", "Z"})
	_, serr := all.Subset([]string{"A", "Z"})
	if lerr == nil || serr == nil || lerr.Error() != serr.Error() {
		t.Errorf("unknown model: Subset %v, LoadRun %v", serr, lerr)
	}
}
