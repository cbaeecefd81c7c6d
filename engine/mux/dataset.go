package mux

import (
	"fmt"
	"slices"
)

// Record is one stored sample, as the run store holds it.
type Record struct {
	Item    string
	Model   string
	Sample  int
	Answer  string // canonical; "" when empty
	Correct bool
}

// Dataset is a run's samples indexed for fast replay: answers are interned
// per item, so votes are counted over small integers.
type Dataset struct {
	Models []string
	Items  []DItem
}

// DItem is one question of a Dataset.
type DItem struct {
	ID      string
	Samples [][]int32 // [model][sample] → answer id, -1 for empty
	Answers []string  // answer id → canonical string
	Correct []bool    // answer id → whether it is correct
}

// BuildDataset indexes records. models fixes the model order (and which
// models to keep); nil keeps every model in order of first appearance.
// Items keep their order of first appearance; samples are ordered by their
// sample index. Two records of one (item, model, sample) are an error.
func BuildDataset(records []Record, models []string) (*Dataset, error) {
	if models == nil {
		for _, r := range records {
			if !slices.Contains(models, r.Model) {
				models = append(models, r.Model)
			}
		}
	}
	mi := make(map[string]int, len(models))
	for i, m := range models {
		mi[m] = i
	}
	ds := &Dataset{Models: models}
	itemIdx := map[string]int{}
	type raw struct{ sample, answer int32 }
	raws := [][][]raw{}
	for _, r := range records {
		m, ok := mi[r.Model]
		if !ok {
			continue
		}
		it, ok := itemIdx[r.Item]
		if !ok {
			it = len(ds.Items)
			itemIdx[r.Item] = it
			ds.Items = append(ds.Items, DItem{ID: r.Item, Samples: make([][]int32, len(models))})
			raws = append(raws, make([][]raw, len(models)))
		}
		raws[it][m] = append(raws[it][m], raw{int32(r.Sample), ds.Items[it].intern(r.Answer, r.Correct)})
	}
	for it := range ds.Items {
		for m, rs := range raws[it] {
			if !slices.IsSortedFunc(rs, func(a, b raw) int { return int(a.sample - b.sample) }) {
				slices.SortFunc(rs, func(a, b raw) int { return int(a.sample - b.sample) })
			}
			ids := make([]int32, len(rs))
			for i, r := range rs {
				if i > 0 && r.sample == rs[i-1].sample { // two records of one (item, model, sample)
					return nil, fmt.Errorf("duplicate sample: item %q model %q sample %d", ds.Items[it].ID, models[m], r.sample)
				}
				ids[i] = r.answer
			}
			ds.Items[it].Samples[m] = ids
		}
	}
	return ds, nil
}

// intern returns the id of answer in it, adding it if new. A correct flag
// seen once for an answer makes it correct (the same canonical answer is
// judged the same way, except for records imported from other tools).
func (it *DItem) intern(answer string, correct bool) int32 {
	if answer == "" {
		return -1
	}
	for i, a := range it.Answers {
		if a == answer {
			it.Correct[i] = it.Correct[i] || correct
			return int32(i)
		}
	}
	it.Answers = append(it.Answers, answer)
	it.Correct = append(it.Correct, correct)
	return int32(len(it.Answers) - 1)
}

// MinSamples returns the smallest number of samples any model has on any
// item (0 when some model misses an item).
func (ds *Dataset) MinSamples() int {
	minN := -1
	for _, it := range ds.Items {
		for _, s := range it.Samples {
			if minN < 0 || len(s) < minN {
				minN = len(s)
			}
		}
	}
	return max(minN, 0)
}

// MaxSamples returns the largest number of samples of any model on any item.
func (ds *Dataset) MaxSamples() int {
	maxN := 0
	for _, it := range ds.Items {
		for _, s := range it.Samples {
			maxN = max(maxN, len(s))
		}
	}
	return maxN
}
