package engine

import (
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/mux"
)

// Subset indexes the run's samples of models, in that order, from the
// samples already in memory: the same dataset as LoadRun(r.Dir,
// models).Dataset (answers interned in the same order, items in the same
// order), without reading the folder again. No models means the run's own,
// as for LoadRun.
func (r *Run) Subset(models []string) (*mux.Dataset, error) {
	present := map[string]bool{}
	for _, s := range r.Samples {
		present[s.Model] = true
	}
	if len(models) == 0 {
		models = runModels(r.Run, present)
	}
	for _, m := range models {
		if !present[m] {
			return nil, fmt.Errorf("model %q %w (models there: %s)", m, ErrNotInRun, strings.Join(sortedNames(present), ", "))
		}
	}
	recs := make([]mux.Record, len(r.Samples))
	for i, s := range r.Samples {
		recs[i] = mux.Record{Item: s.Item, Model: s.Model, Sample: s.Sample, Answer: s.Answer, Correct: s.Correct}
	}
	ds, err := mux.BuildDataset(recs, models)
	if err != nil {
		return nil, err
	}
	sortByItem(ds, r.Items)
	return ds, nil
}
