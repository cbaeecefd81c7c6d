// Package report renders a run's analysis: one self-contained HTML page
// ([Report.WriteHTML], charts as inline SVG, no network assets) and a
// Markdown summary ([Report.WriteMarkdown]), plus the scaling curves' CSV
// files and charts ([WriteSamplesCSV], [WriteModelsCSV], [ScaleCharts]).
//
// [Build] computes everything a [Report] shows from a run already loaded
// into memory ([Input]): the results table (SLM-MUX and its baselines),
// answer attribution, per-subject accuracy, the model selection search and
// the scaling curves. Charts come from a small SVG helper ([LineChart],
// [BarChart]); every chart is one <svg class="chart"> element.
package report

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/search"
)

// Input is a run loaded into memory.
type Input struct {
	Dir     string          // the run folder, for display
	Meta    *runstore.Meta  // run.json; nil when absent
	Dataset *mux.Dataset    // the run's samples
	Items   []runstore.Item // items.jsonl; nil when absent (no subjects)
	Costs   search.Costs    // tokens and seconds per sample
	Notes   []string        // remarks to show, e.g. what could not be read
	Search  search.Config   // the search section's settings
	Scale   search.ScaleConfig
	// ValAcc are validation accuracies for the tie-break comparison's val
	// row (nil: no val row), whatever rule the results table uses.
	ValAcc map[string]float64
	// Signals is SLM-MUX under each confidence signal the run recorded
	// (engine.Run.SignalComparison), shown as given; nil shows none.
	Signals []SignalRow
	// Discussions are the discussion methods the run holds
	// (engine.DiscussionRows), shown beside SLM-MUX; nil shows none.
	Discussions []DiscussionRow
}

// DiscussionRow is a discussion method's accuracy over the run's items and
// what it cost.
type DiscussionRow struct {
	Method                     string
	Accuracy, Stderr           float64
	Items, Generations, Tokens int
}

// SignalRow is SLM-MUX's accuracy under one confidence signal, with what
// it cost per replay: generations, tokens and embedding requests.
type SignalRow struct {
	Signal                          string
	Accuracy, Stderr                float64
	Generations, Tokens, Embeddings float64
}

// Report is everything the page and the summary show.
type Report struct {
	Dir      string
	Meta     *runstore.Meta
	Models   []string
	Config   mux.SimConfig // the results table's replay (K filled in)
	Results  mux.SimResult
	Subjects []SubjectRow
	Search   *search.Result   // nil when the pool cannot be searched
	Compare  []*search.Result // one per objective, search.Objectives order
	Scaling  *search.Scaling
	Ties     []TieRow // SLM-MUX under each tie-break, the same draws
	Signals  []SignalRow
	// Discussions are the discussion methods, as Input gave them.
	Discussions []DiscussionRow
	Notes       []string
}

// TieRow is SLM-MUX's accuracy under one tie-break rule.
type TieRow struct {
	Rule     mux.TieBreak
	Accuracy float64
	Stderr   float64
	Used     bool // the rule of the results table
}

// SubjectRow is one subject's accuracy under the results table's replay.
type SubjectRow struct {
	Subject string
	Items   int
	mux.SimResult
}

// Build replays the run: the results table with cfg (samples per model,
// 0 for all stored; seeded trials; profile; tie-break accuracies), one row per subject
// (when items carry subjects), the search with in.Search and its
// comparison across objectives, and the scaling curves with in.Scale. A
// pool that cannot be searched (one model) leaves Search nil with a note.
func Build(in Input, cfg mux.SimConfig) (*Report, error) {
	ds := in.Dataset
	res, err := mux.Simulate(ds, cfg)
	if err != nil {
		return nil, err
	}
	r := &Report{Dir: in.Dir, Meta: in.Meta, Models: ds.Models, Config: cfg, Results: res,
		Notes: slices.Clone(in.Notes)}
	r.Config.K = res.K
	if r.Ties, err = tieRows(ds, r.Config, res.TieBreak, in.ValAcc); err != nil {
		return nil, err
	}
	r.Signals, r.Discussions = in.Signals, in.Discussions
	if r.Subjects, err = subjects(ds, in.Items, r.Config); err != nil {
		return nil, err
	}
	if len(ds.Models) < 2 {
		r.Notes = append(r.Notes, "model selection search needs at least 2 models; this run has 1")
	} else {
		sc := in.Search
		if r.Search, err = search.Search(ds, sc); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if r.Compare, err = search.Compare(ds, sc); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	if r.Scaling, err = search.Scale(ds, in.Scale); err != nil {
		return nil, fmt.Errorf("scale: %w", err)
	}
	return r, nil
}

// tieRows replays cfg under each tie-break: val (when accuracies are
// given), agreement and order. The draws are the same (one seed).
func tieRows(ds *mux.Dataset, cfg mux.SimConfig, used mux.TieBreak, valAcc map[string]float64) ([]TieRow, error) {
	agr := cfg.Agreement
	if agr == nil {
		agr = mux.NewAgreement(ds)
	}
	if len(valAcc) == 0 {
		valAcc = cfg.ValAcc
	}
	var rows []TieRow
	for _, t := range []mux.TieBreak{mux.TieVal, mux.TieAgreement, mux.TieOrder} {
		c := cfg
		c.ValAcc, c.Agreement = nil, nil
		switch t {
		case mux.TieVal:
			if len(valAcc) == 0 {
				continue
			}
			c.ValAcc = valAcc
		case mux.TieAgreement:
			c.Agreement = agr
		}
		res, err := mux.Simulate(ds, c)
		if err != nil {
			return nil, err
		}
		rows = append(rows, TieRow{Rule: t, Accuracy: res.Accuracy, Stderr: res.Stderr, Used: t == used})
	}
	return rows, nil
}

// subjects replays cfg on each subject's items, subjects sorted by name.
// Items without a subject are left out; no subjects gives no rows.
func subjects(ds *mux.Dataset, items []runstore.Item, cfg mux.SimConfig) ([]SubjectRow, error) {
	subj := map[string]string{}
	for _, it := range items {
		if it.Subject != "" {
			subj[it.ID] = it.Subject
		}
	}
	names := map[string]bool{}
	for _, it := range ds.Items {
		if s, ok := subj[it.ID]; ok {
			names[s] = true
		}
	}
	var rows []SubjectRow
	for name := range names {
		sub := search.Subsample(ds, func(it mux.DItem) bool { return subj[it.ID] == name })
		c := cfg
		c.K = min(c.K, sub.MaxSamples())
		res, err := mux.Simulate(sub, c)
		if err != nil {
			return nil, fmt.Errorf("subject %q: %w", name, err)
		}
		rows = append(rows, SubjectRow{Subject: name, Items: len(sub.Items), SimResult: res})
	}
	slices.SortFunc(rows, func(a, b SubjectRow) int { return cmp.Compare(a.Subject, b.Subject) })
	return rows, nil
}
