package mux

import (
	"fmt"
	"math"
	"slices"
)

// ConfRecord is one stored sample's confidence for CISC.
type ConfRecord struct {
	Item   string
	Model  string
	Sample int
	Value  float64 // in [0, 1]
	Has    bool    // the sample recorded the signal
}

// Confidences are per-sample confidences aligned with a Dataset:
// [item][model][j], j as in DItem.Samples; NaN where a sample has none.
type Confidences [][][]float64

// ConfidenceError reports a run whose answered samples lack a signal.
type ConfidenceError struct {
	Missing, Answered int // answered samples without the signal, of all answered
}

func (e *ConfidenceError) Error() string {
	return fmt.Sprintf("%d of %d answered samples have no value", e.Missing, e.Answered)
}

// IndexConfidences aligns recs, one per stored sample of ds (the records
// ds was built from), with ds. It fails with a *ConfidenceError when an
// answered sample has no value, and when recs are not ds's samples.
func IndexConfidences(ds *Dataset, recs []ConfRecord) (Confidences, error) {
	type key struct{ item, model string }
	groups := map[key][]ConfRecord{}
	for _, r := range recs {
		k := key{r.Item, r.Model}
		groups[k] = append(groups[k], r)
	}
	out := make(Confidences, len(ds.Items))
	var e ConfidenceError
	for i, it := range ds.Items {
		out[i] = make([][]float64, len(ds.Models))
		for m, ids := range it.Samples {
			g := groups[key{it.ID, ds.Models[m]}]
			if len(g) != len(ids) {
				return nil, fmt.Errorf("confidences: item %q model %q has %d records for %d samples", it.ID, ds.Models[m], len(g), len(ids))
			}
			slices.SortFunc(g, func(a, b ConfRecord) int { return a.Sample - b.Sample })
			row := make([]float64, len(ids))
			for j, r := range g {
				row[j] = math.NaN()
				if r.Has {
					row[j] = r.Value
				}
				if ids[j] >= 0 {
					e.Answered++
					if !r.Has {
						e.Missing++
					}
				}
			}
			out[i][m] = row
		}
	}
	if e.Missing > 0 {
		return nil, &e
	}
	return out, nil
}

// SignalConfidences is one confidence signal for CISC: its name and the
// run's confidences, or why the run cannot give them (Missing).
type SignalConfidences struct {
	Name    string
	Conf    Confidences
	Missing string
}

// SamplerScore is a sampler's accuracy over a run and what it drew.
type SamplerScore struct {
	Accuracy float64 `json:"accuracy"`
	Samples  float64 `json:"samples"` // mean samples drawn per question
	// SameAsFull is the share of questions answered as with every sample
	// (the model's majority, or SLM-MUX over every sample).
	SameAsFull float64 `json:"same_as_full"`
}

// SamplerRow is one sampler's results: each model alone with the sampler,
// and SLM-MUX with the sampler drawing each model's samples.
type SamplerRow struct {
	Name    string                  `json:"name"`             // e.g. "ESC w=5"
	Signal  string                  `json:"signal,omitempty"` // CISC's confidence signal
	Models  map[string]SamplerScore `json:"models,omitempty"` // none for exact adaptive
	Mux     *SamplerScore           `json:"mux,omitempty"`
	Missing string                  `json:"missing,omitempty"` // why the row has no numbers
}

// SamplerReport compares the samplers over a run: the first row is every
// sample (SC), the last slmmux's exact adaptive sampling.
type SamplerReport struct {
	Items  int          `json:"items"`
	Models []string     `json:"models"`
	Rows   []SamplerRow `json:"rows"`
}

// ExactAdaptive names the row of slmmux's exact adaptive sampling.
const ExactAdaptive = "exact adaptive"

// CompareSamplers replays each sampler over every stored sample of ds, in
// sample order: per model, the sampler's answer and the samples it drew;
// as SLM-MUX's sampler, each model's answer is the sampler's, its
// confidence the share of its drawn samples giving it (over the drawn
// non-empty ones under Official), and SLM-MUX selects as [Simulate] does,
// ties by cfg's tie-break (K and Trials are unused). A CISC sampler gives
// one row per signal. The rows start with SC (every sample) and end with
// exact adaptive sampling ([Adaptive]; Paper profile only). The samplers
// count equal answers: code and text answers count as votes by threshold
// (Dataset.Votes).
func CompareSamplers(ds *Dataset, samplers []Sampler, signals []SignalConfidences, cfg SimConfig) SamplerReport {
	ds = ds.Votes()
	t := newTies(ds, cfg.ValAcc, cfg.Agreement)
	rep := SamplerReport{Items: len(ds.Items), Models: ds.Models}
	if len(ds.Items) == 0 {
		return rep
	}
	full := replaySampler(ds, Sampler{Kind: SC}, nil, cfg.Profile, t)
	rep.Rows = append(rep.Rows, full.row(ds, full, "SC (every sample)"))
	for _, s := range samplers {
		if s.Kind != CISC {
			rep.Rows = append(rep.Rows, replaySampler(ds, s, nil, cfg.Profile, t).row(ds, full, s.String()))
			continue
		}
		if len(signals) == 0 {
			rep.Rows = append(rep.Rows, SamplerRow{Name: s.String(), Missing: "no confidence signal"})
		}
		for _, sig := range signals {
			row := SamplerRow{Name: s.String(), Signal: sig.Name, Missing: sig.Missing}
			if sig.Missing == "" {
				row = replaySampler(ds, s, sig.Conf, cfg.Profile, t).row(ds, full, s.String())
				row.Signal = sig.Name
			}
			rep.Rows = append(rep.Rows, row)
		}
	}
	rep.Rows = append(rep.Rows, exactAdaptiveRow(ds, cfg.Profile, t, full))
	return rep
}

// replayed is one sampler's choices over a dataset.
type replayed struct {
	ans      [][]int32 // [item][model] the model's answer id (-1: none)
	drawn    [][]int   // [item][model] samples drawn
	mux      []int32   // [item] SLM-MUX's answer id (-1: none)
	muxDrawn []int     // [item] samples drawn over all models
}

func replaySampler(ds *Dataset, s Sampler, conf Confidences, p Profile, t ties) replayed {
	n := len(ds.Items)
	r := replayed{ans: make([][]int32, n), drawn: make([][]int, n), mux: make([]int32, n), muxDrawn: make([]int, n)}
	for i, it := range ds.Items {
		r.ans[i], r.drawn[i] = make([]int32, len(ds.Models)), make([]int, len(ds.Models))
		winner, wid, wc, wd := -1, int32(-1), 0, 0
		for m, ids := range it.Samples {
			var c []float64
			if conf != nil {
				c = conf[i][m]
			}
			id, o := s.draw(ids, c, len(it.Answers))
			r.ans[i][m], r.drawn[i][m] = id, o.Drawn
			r.muxDrawn[i] += o.Drawn
			count, d := o.Count, o.Drawn
			if p == Official {
				d = o.NonEmpty
			}
			if count == 0 {
				continue
			}
			// Confidences count/d compared exactly; a tie goes to the lower rank.
			if winner < 0 || count*wd > wc*d || count*wd == wc*d && t.ranks[i][m] < t.ranks[i][winner] {
				winner, wid, wc, wd = m, id, count, d
			}
		}
		r.mux[i] = wid
	}
	return r
}

// row scores r against full (every sample).
func (r replayed) row(ds *Dataset, full replayed, name string) SamplerRow {
	row := SamplerRow{Name: name, Models: map[string]SamplerScore{}}
	n := float64(len(ds.Items))
	for m, model := range ds.Models {
		var sc SamplerScore
		for i, it := range ds.Items {
			sc.Accuracy += b2f(r.ans[i][m] >= 0 && it.Correct[r.ans[i][m]])
			sc.Samples += float64(r.drawn[i][m])
			sc.SameAsFull += b2f(r.ans[i][m] == full.ans[i][m])
		}
		row.Models[model] = SamplerScore{sc.Accuracy / n, sc.Samples / n, sc.SameAsFull / n}
	}
	var sc SamplerScore
	for i, it := range ds.Items {
		sc.Accuracy += b2f(r.mux[i] >= 0 && it.Correct[r.mux[i]])
		sc.Samples += float64(r.muxDrawn[i])
		sc.SameAsFull += b2f(r.mux[i] == full.mux[i])
	}
	row.Mux = &SamplerScore{sc.Accuracy / n, sc.Samples / n, sc.SameAsFull / n}
	return row
}

// exactAdaptiveRow is slmmux's exact adaptive sampling ([Adaptive]) as a
// row: SLM-MUX only, its accuracy and the samples it draws.
func exactAdaptiveRow(ds *Dataset, p Profile, t ties, full replayed) SamplerRow {
	row := SamplerRow{Name: ExactAdaptive}
	if p == Official {
		row.Missing = ErrAdaptiveProfile.Error()
		return row
	}
	var sc SamplerScore
	for i, it := range ds.Items {
		needed, winner, answer := adaptiveItem(it, priority(t.ranks[i]))
		id := int32(slices.Index(it.Answers, answer))
		if winner < 0 {
			id = -1
		}
		sc.Accuracy += b2f(id >= 0 && it.Correct[id])
		sc.Samples += float64(needed)
		sc.SameAsFull += b2f(id == full.mux[i])
	}
	n := float64(len(ds.Items))
	row.Mux = &SamplerScore{sc.Accuracy / n, sc.Samples / n, sc.SameAsFull / n}
	return row
}

// Table lays r out for text: a header and one line per row (the sampler,
// SLM-MUX's accuracy, mean samples per question and share of answers as
// with every sample, then each model's accuracy and mean samples), and a
// note per row without numbers, saying why.
func (r SamplerReport) Table() (cells [][]string, notes []string) {
	head := []string{"sampler", "SLM-MUX", "samples/q", "same"}
	for _, m := range r.Models {
		head = append(head, m, "samples/q")
	}
	cells = append(cells, head)
	for _, row := range r.Rows {
		name := row.Name
		if row.Signal != "" {
			name += " (" + row.Signal + ")"
		}
		line := []string{name}
		if row.Missing != "" {
			notes = append(notes, name+": "+row.Missing)
		}
		if row.Mux == nil {
			line = append(line, "-", "-", "-")
		} else {
			line = append(line, pct(row.Mux.Accuracy), fmt.Sprintf("%.2f", row.Mux.Samples), pct(row.Mux.SameAsFull))
		}
		for _, m := range r.Models {
			if sc, ok := row.Models[m]; ok {
				line = append(line, pct(sc.Accuracy), fmt.Sprintf("%.2f", sc.Samples))
			} else {
				line = append(line, "-", "-")
			}
		}
		cells = append(cells, line)
	}
	return cells, notes
}

func pct(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
