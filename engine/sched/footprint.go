// Package sched plans which models are loaded together. It is pure: no
// I/O, no clock. [Estimate] gives a model's memory footprint from its
// architecture; [Plan] groups models into waves that fit a memory budget,
// so that a run loads each model once (model-major), and refuses up front a
// model that cannot fit alone.
package sched

import (
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/models"
)

// Settings are the runner settings a footprint depends on. Ollama reloads a
// model when they change, so a run keeps them fixed.
type Settings struct {
	NumCtx int // context window per slot (Ollama's default 2048 on v0.6.5, 4096 later)
	Slots  int // OLLAMA_NUM_PARALLEL
	// KVCacheType is the daemon's OLLAMA_KV_CACHE_TYPE: "" or "f16" (the
	// default), "q8_0" or "q4_0" (see KVCacheTypes).
	KVCacheType string `json:",omitempty"`
	// GPU says the models run on a GPU, where Ollama counts the compute
	// graph in a model's size; on CPU /api/ps leaves it out.
	GPU bool `json:"-"`
}

// KVCacheTypes are the KV cache types Ollama supports
// (OLLAMA_KV_CACHE_TYPE), with their bytes per element: ggml's block
// sizes (q8_0 stores 32 values in 34 bytes, q4_0 in 18).
var KVCacheTypes = map[string]float64{"f16": 2, "q8_0": 34.0 / 32, "q4_0": 18.0 / 32}

// ParseKVCacheType checks a KV cache type ("" is f16) and returns it in
// lower case.
func ParseKVCacheType(s string) (string, error) {
	t := strings.ToLower(s)
	if t == "" {
		return "f16", nil
	}
	if _, ok := KVCacheTypes[t]; !ok {
		return "", fmt.Errorf("KV cache type %q: want f16, q8_0 or q4_0 (the daemon's OLLAMA_KV_CACHE_TYPE)", s)
	}
	return t, nil
}

// kvBytesPerElement is KVCacheTypes[t], f16 for "".
func kvBytesPerElement(t string) float64 {
	if b, ok := KVCacheTypes[strings.ToLower(t)]; ok {
		return b
	}
	return 2
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
	// WeightsFrom says where Weights came from: "tensors" (the sum over
	// the model's tensors of elements × bytes per element of each one's
	// type) or "file" (the size on disk).
	WeightsFrom string `json:"weights_from,omitempty"`
}

// computeAllowance is the compute-buffer allowance per loaded model when
// the backend lists no tensors: llama.cpp allocates a graph buffer that
// grows with context and vocabulary; this flat floor plus 5 % of the
// weights covers small models conservatively.
const computeAllowance = 64 << 20

// Estimate predicts a footprint: weights, plus a KV cache (layers ×
// context × KV heads × head size × 2 (K and V) × bytes per element of the
// KV cache type × slots), plus compute.
//
// When info lists the model's tensors (Ollama's verbose /api/show), the
// weights are the sum over them of elements × bytes per element of each
// tensor's stored type (block sizes included: a Q4_K block holds 256 values
// in 144 bytes, Q8_0 32 in 34, ...), so a quantized model is sized by what
// it really stores; the context is capped at the model's trained context
// when info.ClampsContext (the daemon does the same); and compute is the
// graph buffer Ollama's own estimate adds on a GPU (its llama formula),
// none on CPU, where /api/ps does not count it either (the --margin share
// of memory kept free covers it). Otherwise the weights are the size on
// disk, the KV part is 10 % of the weights when the architecture is not
// known, and compute is a flat 64 MiB plus 5 % of the weights.
func Estimate(info models.Info, s Settings) Footprint {
	ctx, slots := max(s.NumCtx, 1), max(s.Slots, 1)
	if info.ClampsContext && info.ContextLength > 0 {
		ctx = min(ctx, info.ContextLength)
	}
	w, from := uint64(max(info.SizeBytes, 0)), "file"
	exact := false
	if n, err := models.WeightBytes(info.Tensors); err == nil {
		w, from, exact = n, "tensors", true
	}
	var kv uint64
	a := info.Arch
	if a.Layers > 0 && a.Embedding > 0 && a.Heads > 0 {
		headDim := a.Embedding / a.Heads
		kvHeads := a.KVHeads
		if kvHeads == 0 {
			kvHeads = a.Heads
		}
		elems := uint64(a.Layers) * uint64(ctx) * uint64(kvHeads) * uint64(headDim) * 2 * uint64(slots)
		kv = uint64(float64(elems) * kvBytesPerElement(s.KVCacheType))
	} else {
		kv = w / 10
	}
	var c uint64
	switch {
	case !exact:
		c = uint64(computeAllowance) + w/20
	case s.GPU:
		c = graphBytes(info, ctx*slots)
	}
	return Footprint{Model: info.Name, Bytes: w + kv + c, Weights: w, KV: kv, Compute: c, Source: "estimate", WeightsFrom: from}
}

// graphBytes is the compute graph Ollama reserves for a llama-style model
// fully offloaded to a GPU (fs/ggml GraphSize): 4 bytes × batch × the
// larger of (1 + 4·embedding + context·(1 + heads)) and (embedding +
// vocabulary), with batch = min(512, context). The vocabulary is read from
// token_embd's shape.
func graphBytes(info models.Info, ctx int) uint64 {
	a := info.Arch
	var vocab uint64
	for _, t := range info.Tensors {
		if t.Name == "token_embd.weight" && len(t.Shape) == 2 {
			vocab = t.Shape[1]
		}
	}
	batch, e, c, h := uint64(min(512, ctx)), uint64(a.Embedding), uint64(ctx), uint64(a.Heads)
	return 4 * batch * max(1+4*e+c*(1+h), e+vocab)
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
