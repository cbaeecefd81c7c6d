package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// Summary is SLM-MUX replayed over a run with its baselines: the core of
// results.json (and the object mux prints as JSON).
type Summary struct {
	Accuracy  float64                    `json:"accuracy"`
	Stderr    float64                    `json:"stderr"`
	TrialStd  float64                    `json:"trial_std"`
	NItems    int                        `json:"n_items"`
	Samples   int                        `json:"samples"`
	Trials    int                        `json:"trials"`
	Profile   string                     `json:"profile"`
	TieBreak  string                     `json:"tie_break"` // val, agreement or order
	Models    []string                   `json:"models"`
	Baselines Baselines                  `json:"baselines"`
	Chosen    map[string]mux.Attribution `json:"attribution"`
	Items     []mux.ItemChoice           `json:"items,omitempty"`
	// NoAnswer: per model, the share of samples with no extractable
	// answer under strict and flexible extraction (where recorded).
	NoAnswer map[string]NoAnswer `json:"no_answer,omitempty"`
	// Adaptive: what exact adaptive sampling needs, when it was replayed.
	Adaptive *mux.AdaptiveResult `json:"adaptive,omitempty"`
	// Methods compares every method the run holds (Run.Methods), the
	// discussion methods among them.
	Methods []MethodRow `json:"methods,omitempty"`
}

// Baselines are a Summary's baselines: each model alone, each with
// self-consistency, Agent Forest and the oracle.
type Baselines struct {
	Single      map[string]float64 `json:"single"`
	SingleSC    map[string]float64 `json:"single_sc"`
	AgentForest float64            `json:"agent_forest"`
	Oracle      float64            `json:"oracle"`
	// Samplers: ESC, Adaptive-Consistency and CISC beside exact adaptive
	// sampling, when they were replayed (mux --baselines).
	Samplers *mux.SamplerReport `json:"samplers,omitempty"`
}

// NewSummary is r, a replay of models under profile p, as a Summary.
// Every item names its kind ("short" where the replay left it empty).
func NewSummary(r mux.SimResult, models []string, p mux.Profile) Summary {
	for i := range r.Items {
		if r.Items[i].Kind == "" {
			r.Items[i].Kind = answer.Short
		}
	}
	return Summary{
		Accuracy: r.Accuracy, Stderr: r.Stderr, TrialStd: r.TrialStd, NItems: r.NItems,
		Samples: r.K, Trials: r.Trials, Profile: string(p), TieBreak: string(r.TieBreak), Models: models,
		Baselines: Baselines{Single: r.Single, SingleSC: r.SingleSC, AgentForest: r.AgentForest, Oracle: r.Oracle},
		Chosen:    r.Attribution, Items: r.Items,
	}
}

// Results is results.json of a run collected in full: SLM-MUX and its
// baselines over the run, and what collecting it cost.
type Results struct {
	Summary
	Generated int               `json:"generated"`
	Failed    int               `json:"failed"`
	Dropped   map[string]string `json:"dropped,omitempty"`
	Loads     int               `json:"loads"`
	WallS     float64           `json:"wall_seconds"`
}

// WriteResults scores the samples of models in the run folder dir (paper
// profile, one trial over every stored sample) and writes results.json
// with stats, what the collection cost. It returns the replay.
func WriteResults(dir string, models []string, stats EvalStats) (mux.SimResult, error) {
	run, err := LoadRun(dir, models)
	if err != nil {
		return mux.SimResult{}, err
	}
	res, err := mux.Simulate(run.Dataset, mux.SimConfig{Trials: 1})
	if err != nil {
		return res, err
	}
	out := Results{NewSummary(res, models, mux.Paper), stats.Generated, stats.Failed, stats.Dropped, stats.Loads, stats.Wall.Seconds()}
	out.NoAnswer = run.NoAnswer
	if out.Methods, err = run.Methods(out.Summary); err != nil {
		return res, err
	}
	return res, runstore.WriteJSON(dir, runstore.ResultsFile, out)
}

// AdaptiveResults is results.json of a run collected by exact adaptive
// sampling: SLM-MUX's selection over the stored samples, why there are no
// baselines, and what collecting it cost.
type AdaptiveResults struct {
	Adaptive  mux.StoredResult `json:"adaptive"`
	Baselines string           `json:"baselines"`
	Generated int              `json:"generated"`
	NotNeeded int              `json:"not_needed"`
	Failed    int              `json:"failed"`
	Loads     int              `json:"loads"`
	WallS     float64          `json:"wall_seconds"`
}

// WriteAdaptiveResults scores an adaptive run in dir, collected for ties
// by the order of models with k samples each (AdaptiveSelection), and
// writes results.json with stats and baselines, the caller's words for
// why the baselines are missing (they need every sample). It returns the
// selection.
func WriteAdaptiveResults(dir string, models []string, k int, stats EvalStats, baselines string) (mux.StoredResult, error) {
	res, err := AdaptiveSelection(dir, models, k)
	if err != nil {
		return res, err
	}
	out := AdaptiveResults{res, baselines, stats.Generated, stats.NotNeeded, stats.Failed, stats.Loads, stats.Wall.Seconds()}
	return res, runstore.WriteJSON(dir, runstore.ResultsFile, out)
}

// AdaptiveSelection is SLM-MUX over an adaptive run's stored samples, ties
// by order (the run's tie-break order). A model adaptive sampling never
// needed has no samples: it could not have won, so it is left out of the
// replay but counted in the total.
func AdaptiveSelection(dir string, order []string, k int) (mux.StoredResult, error) {
	all, err := LoadRun(dir, nil)
	if err != nil {
		return mux.StoredResult{}, err
	}
	var present []string
	for _, m := range order {
		if slices.Contains(all.Dataset.Models, m) {
			present = append(present, m)
		}
	}
	ds := all.Dataset
	if !slices.Equal(ds.Models, present) {
		r, err := LoadRun(dir, present)
		if err != nil {
			return mux.StoredResult{}, err
		}
		ds = r.Dataset
	}
	res := mux.SelectStored(ds, k, nil)
	res.Total = len(ds.Items) * len(order) * k
	return res, nil
}

// SignalResult is SLM-MUX under a confidence signal other than
// consistency, replayed over a stored run (confidence.json, and mux's
// JSON "confidence").
type SignalResult struct {
	Signal   string  `json:"signal"`
	Accuracy float64 `json:"accuracy"`
	Stderr   float64 `json:"stderr"`
	TrialStd float64 `json:"trial_std"`
	// Generations and Tokens are the cost of one pass over the items (mean
	// per trial), the verbalized follow-ups included; Embeddings the
	// embedding requests the signal needs.
	Generations float64          `json:"generations"`
	Tokens      float64          `json:"tokens"`
	Embeddings  float64          `json:"embeddings,omitempty"`
	Items       []mux.ItemChoice `json:"items,omitempty"`
}

// ReplaySignal replays SLM-MUX under sig over r; nil for consistency
// (mux.Simulate's numbers are the answer). An error wraps ErrSignalData
// when the run lacks the signal's data; otherwise it is confidence.Simulate's.
func (r *Run) ReplaySignal(sig confidence.Signal, cfg confidence.SimConfig) (*SignalResult, error) {
	if sig == nil || sig.Method() == confidence.Consistency {
		return nil, nil
	}
	recs, err := r.SignalRecords(sig.Method())
	if err != nil {
		return nil, err
	}
	res, err := confidence.Simulate(recs, r.Dataset.Models, sig, cfg)
	if err != nil {
		return nil, err
	}
	return &SignalResult{Signal: string(res.Method), Accuracy: res.Accuracy, Stderr: res.Stderr, TrialStd: res.TrialStd,
		Generations: res.Generations, Tokens: res.Tokens, Embeddings: res.Embeddings, Items: res.Items}, nil
}

// WriteSignal replays SLM-MUX under sig (one trial over every stored
// sample) over the samples of models in the run folder dir and writes it
// to confidence.json; nothing for a nil signal (consistency).
func WriteSignal(dir string, models []string, sig confidence.Signal) (*SignalResult, error) {
	if sig == nil {
		return nil, nil
	}
	run, err := LoadRun(dir, models)
	if err != nil {
		return nil, err
	}
	sr, err := run.ReplaySignal(sig, confidence.SimConfig{Trials: 1})
	if err != nil {
		return nil, err
	}
	return sr, runstore.WriteJSON(dir, runstore.ConfidenceFile, sr)
}

// ErrIncomplete reports a run that lacks samples: no results are written
// for it, since they would be computed from part of the run.
var ErrIncomplete = errors.New("the run is incomplete")

// IncompleteError is ErrIncomplete with what is missing: Missing samples
// per model (in Models' order), of Want.
type IncompleteError struct {
	Models  []string
	Missing map[string]int
	Total   int // samples missing
	Want    int // samples the run should hold
}

func (e *IncompleteError) Error() string {
	var parts []string
	for _, m := range e.Models {
		if n := e.Missing[m]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", m, n))
		}
	}
	return fmt.Sprintf("%v: %d of %d samples are missing (%s)", ErrIncomplete, e.Total, e.Want, strings.Join(parts, ", "))
}

func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// CheckComplete checks that w holds every (item, model, sample) of a run
// of k samples (those adapt, when set, still needs); otherwise it removes
// a stale results.json from dir and returns an *IncompleteError.
func CheckComplete(w *runstore.Writer, dir string, items []benchmark.Item, models []string, k int, adapt *Adaptive) error {
	e := &IncompleteError{Models: models, Missing: map[string]int{}, Want: len(items) * len(models) * k}
	for _, it := range items {
		for _, m := range models {
			for j := range k {
				if !w.Done(runstore.Key{Item: it.ID, Model: m, Sample: j}) && (adapt == nil || adapt.Needed(it.ID, m)) {
					e.Missing[m]++
					e.Total++
				}
			}
		}
	}
	if e.Total == 0 {
		return nil
	}
	_ = os.Remove(filepath.Join(dir, runstore.ResultsFile))
	return e
}
