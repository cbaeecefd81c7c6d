// Package sched plans which models are loaded together. It is pure: no
// I/O, no clock. [Estimate] gives a model's memory footprint from its
// architecture; [Plan] groups models into waves that fit a memory budget,
// so that a run loads each model once (model-major), and refuses up front a
// model that cannot fit alone.
package sched

import (
	"fmt"

	"github.com/slmmux/slmmux/models"
)

// Settings are the runner settings a footprint depends on. Ollama reloads a
// model when they change, so a run keeps them fixed.
type Settings struct {
	NumCtx int // context window per slot (Ollama's default 2048 on v0.6.5, 4096 later)
	Slots  int // OLLAMA_NUM_PARALLEL
}

// Footprint is a model's memory need at given settings.
type Footprint struct {
	Model    string `json:"model"`
	Bytes    uint64 `json:"bytes"`
	Weights  uint64 `json:"weights_bytes,omitempty"`
	KV       uint64 `json:"kv_bytes,omitempty"`
	Compute  uint64 `json:"compute_bytes,omitempty"`
	Measured bool   `json:"measured"`           // from the daemon's /api/ps after a load
	Source   string `json:"source"`             // "estimate", "measured", "flag"
	Note     string `json:"note,omitempty"`     // e.g. an estimate/measurement disagreement
	Estimate uint64 `json:"estimate,omitempty"` // the estimate, kept beside a measurement
}

// computeAllowance is the compute-buffer allowance per loaded model: llama.cpp
// allocates a graph buffer that grows with context and vocabulary; this
// flat floor plus 5 % of the weights covers small models conservatively.
const computeAllowance = 64 << 20

// Estimate predicts a footprint: weights (the file size) plus an f16 KV
// cache (layers × context × KV heads × head size × 2 (K and V) × 2 bytes ×
// slots) plus a compute allowance. Without architecture numbers the KV part
// is estimated at 10 % of the weights.
func Estimate(info models.Info, s Settings) Footprint {
	ctx, slots := max(s.NumCtx, 1), max(s.Slots, 1)
	w := uint64(max(info.SizeBytes, 0))
	var kv uint64
	a := info.Arch
	if a.Layers > 0 && a.Embedding > 0 && a.Heads > 0 {
		headDim := a.Embedding / a.Heads
		kvHeads := a.KVHeads
		if kvHeads == 0 {
			kvHeads = a.Heads
		}
		kv = uint64(a.Layers) * uint64(ctx) * uint64(kvHeads) * uint64(headDim) * 2 * 2 * uint64(slots)
	} else {
		kv = w / 10
	}
	c := uint64(computeAllowance) + w/20
	return Footprint{Model: info.Name, Bytes: w + kv + c, Weights: w, KV: kv, Compute: c, Source: "estimate"}
}

// WithMeasurement replaces an estimate by a measured size (from /api/ps),
// noting a disagreement of more than 25 %.
func (f Footprint) WithMeasurement(bytes uint64) Footprint {
	est := f.Bytes
	f.Estimate, f.Bytes, f.Measured, f.Source = est, bytes, true, "measured"
	if est > 0 {
		ratio := float64(bytes) / float64(est)
		if ratio > 1.25 || ratio < 0.8 {
			f.Note = fmt.Sprintf("estimate %s was off by %+.0f %% from the measured %s", human(est), (ratio-1)*100, human(bytes))
		}
	}
	return f
}

func human(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}
