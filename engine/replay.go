package engine

import (
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
)

// ReplayConfig is what Run.Replay replays besides SLM-MUX itself.
type ReplayConfig struct {
	// Sim is SLM-MUX's replay: samples, trials, seed, profile and ties.
	Sim mux.SimConfig
	// Signal, when not nil, replays SLM-MUX under that confidence signal
	// too (nothing for consistency), with SignalSim's settings.
	Signal    confidence.Signal
	SignalSim confidence.SimConfig
	// Adaptive replays exact adaptive sampling: how many samples the same
	// selections need (paper profile).
	Adaptive bool
	// Samplers replays the field's cheaper samplers over every stored
	// sample.
	Samplers []mux.Sampler
}

// Replay is SLM-MUX replayed over a run, with its baselines, and what
// the ReplayConfig asked for besides (nil where it did not).
type Replay struct {
	Sim      mux.SimResult
	Signal   *SignalResult
	Adaptive *mux.AdaptiveResult
	Samplers *mux.SamplerReport
}

// Replay replays SLM-MUX over r (mux.Simulate), then under cfg's signal
// (Run.ReplaySignal), exact adaptive sampling (mux.Adaptive: the official
// profile is mux.ErrAdaptiveProfile) and the samplers
// (Run.SamplerComparison); the first error stops.
func (r *Run) Replay(cfg ReplayConfig) (Replay, error) {
	var out Replay
	var err error
	if out.Sim, err = mux.Simulate(r.Dataset, cfg.Sim); err != nil {
		return out, err
	}
	if out.Signal, err = r.ReplaySignal(cfg.Signal, cfg.SignalSim); err != nil {
		return out, err
	}
	if cfg.Adaptive {
		ad, err := mux.Adaptive(r.Dataset, cfg.Sim)
		if err != nil {
			return out, err
		}
		out.Adaptive = &ad
	}
	if cfg.Samplers != nil {
		sp, err := r.SamplerComparison(cfg.Samplers, cfg.Sim)
		if err != nil {
			return out, err
		}
		out.Samplers = &sp
	}
	return out, nil
}

// MuxView is `mux --json` (docs/formats.md): the Summary, with SLM-MUX
// under the confidence signal when one other than consistency was
// replayed.
type MuxView struct {
	Summary
	Confidence *SignalResult `json:"confidence,omitempty"`
}

// View is rp, replayed under profile p, as `mux --json` writes it: the
// Summary with the run's unreadable answers, the adaptive and sampler
// replays and every method the run holds (Run.Methods).
func (r *Run) View(rp Replay, p mux.Profile) (MuxView, error) {
	out := NewSummary(rp.Sim, r.Dataset.Models, p)
	out.NoAnswer, out.Adaptive, out.Baselines.Samplers = r.NoAnswer, rp.Adaptive, rp.Samplers
	var err error
	out.Methods, err = r.Methods(out)
	return MuxView{out, rp.Signal}, err
}

// AdaptiveRunView is `mux --json` over a run collected with exact adaptive
// sampling: the selection over its stored samples, the tie-break order it
// was collected for, why it has no baselines, and a note when other ties
// were asked for.
type AdaptiveRunView struct {
	Adaptive  mux.StoredResult `json:"adaptive_run"`
	TieOrder  []string         `json:"tie_order"`
	Baselines string           `json:"baselines"`
	Note      string           `json:"note,omitempty"`
}
