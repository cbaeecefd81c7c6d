package engine

import (
	"github.com/slmmux/slmmux/engine/mux"
)

// Subset indexes the run's samples of models, in that order, from the
// samples already in memory: the same dataset as LoadRun(r.Dir,
// models).Dataset (or LoadRunByBehaviour's, for a run loaded so), without
// reading the folder again. No models means the run's own, as for LoadRun.
func (r *Run) Subset(models []string) (*mux.Dataset, error) {
	ds, _, err := dataset(r.Run, models, r.behaviour)
	return ds, err
}
