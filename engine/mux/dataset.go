package mux

import (
	"fmt"
	"slices"

	"github.com/slmmux/slmmux/engine/answer"
)

// Record is one stored sample, as the run store holds it.
type Record struct {
	Item    string
	Model   string
	Sample  int
	Answer  string // canonical; "" when empty
	Correct bool
	// Kind is the question's answer kind ("" is answer.Short). For code
	// and text, Answer is the form compared (answer.FormOf).
	Kind answer.Kind
	// Embedding, when every answer of a text question has one, is
	// compared by cosine instead of the answers' words.
	Embedding []float32
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
	// Kind is the question's answer kind: answer.Short (or "") is voted
	// by equality; answer.Code and answer.Text by similarity, with Sim
	// the similarity of every two answer ids (row-major, len(Answers)
	// squared) under Measure.
	Kind    answer.Kind
	Sim     []float64
	Measure answer.Measure
}

// Similar reports whether it is a code or text question.
func (it *DItem) Similar() bool { return it.Kind == answer.Code || it.Kind == answer.Text }

// sim is the similarity of answer ids a and b of a code or text question
// (0 when either is empty).
func (it *DItem) sim(a, b int32) float64 {
	if a < 0 || b < 0 {
		return 0
	}
	return it.Sim[int(a)*len(it.Answers)+int(b)]
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
	var embeds []map[int32][]float32 // per item: answer id → embedding
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
			embeds = append(embeds, nil)
		}
		d := &ds.Items[it]
		if d.Kind == "" || d.Kind == answer.Short {
			d.Kind = r.Kind
		}
		id := d.intern(r.Answer, r.Correct)
		raws[it][m] = append(raws[it][m], raw{int32(r.Sample), id})
		if id >= 0 && len(r.Embedding) > 0 {
			if embeds[it] == nil {
				embeds[it] = map[int32][]float32{}
			}
			if _, ok := embeds[it][id]; !ok {
				embeds[it][id] = r.Embedding
			}
		}
	}
	for it := range ds.Items {
		if ds.Items[it].Similar() {
			ds.Items[it].similarities(embeds[it])
		}
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

// similarities fills it.Sim: by cosine when every answer id has an
// embedding in embeds (a text question), else by the kind's measure.
func (it *DItem) similarities(embeds map[int32][]float32) {
	n := len(it.Answers)
	forms := make([]answer.Form, n)
	cos := it.Kind == answer.Text && len(embeds) == n && n > 0
	for i, a := range it.Answers {
		if cos {
			forms[i] = answer.PrepareEmbedding(embeds[int32(i)])
		} else {
			forms[i] = answer.Prepare(it.Kind, a)
		}
	}
	it.Measure = answer.MeasureFor(it.Kind, cos)
	it.Sim = make([]float64, n*n)
	for i := range n {
		it.Sim[i*n+i] = 1
		for j := i + 1; j < n; j++ {
			v := answer.Similarity(forms[i], forms[j])
			it.Sim[i*n+j], it.Sim[j*n+i] = v, v
		}
	}
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

// Votes is ds with the samples of its code and text questions counted as
// votes, for the rules that count equal answers (the adaptive rule, the
// agreement estimate, the search's objectives, adaptive runs' stored
// selection): the answers of such a question are grouped by its
// measure's threshold, each answer (in order of first appearance) joining
// the first group whose first answer is within the threshold of it, or
// starting a group. A group's answer and correctness are those of its
// first answer. Short questions are kept as they are; ds itself is
// returned when it has no code or text question.
func (ds *Dataset) Votes() *Dataset {
	if !slices.ContainsFunc(ds.Items, func(it DItem) bool { return it.Similar() }) {
		return ds
	}
	out := &Dataset{Models: ds.Models, Items: make([]DItem, len(ds.Items))}
	for i, it := range ds.Items {
		if !it.Similar() {
			out.Items[i] = it
			continue
		}
		tau := it.Measure.Threshold()
		group := make([]int32, len(it.Answers))
		var firsts []int32
		for a := range it.Answers {
			group[a] = -1
			for g, f := range firsts {
				if it.sim(int32(a), f) >= tau {
					group[a] = int32(g)
					break
				}
			}
			if group[a] < 0 {
				group[a] = int32(len(firsts))
				firsts = append(firsts, int32(a))
			}
		}
		v := DItem{ID: it.ID, Samples: make([][]int32, len(it.Samples))}
		for _, f := range firsts {
			v.Answers = append(v.Answers, it.Answers[f])
			v.Correct = append(v.Correct, it.Correct[f])
		}
		for m, ids := range it.Samples {
			v.Samples[m] = make([]int32, len(ids))
			for j, id := range ids {
				v.Samples[m][j] = -1
				if id >= 0 {
					v.Samples[m][j] = group[id]
				}
			}
		}
		out.Items[i] = v
	}
	return out
}
