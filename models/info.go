package models

import (
	"fmt"
	"time"
)

// Info describes an installed model.
type Info struct {
	Name          string
	Digest        string // content digest of the model (hex, no "sha256:" prefix)
	SizeBytes     int64  // bytes on disk
	Family        string
	ParameterSize string // as reported, e.g. "7.6B"
	Quantization  string // e.g. "Q4_K_M", "F32"
	ContextLength int    // trained context length, 0 when unknown
	// Remote says the model runs elsewhere (an Ollama cloud model: the
	// daemon forwards its prompts to RemoteHost as RemoteModel), so a
	// prompt sent to it leaves the machine. slmmux never uses one.
	Remote      bool
	RemoteHost  string
	RemoteModel string
	// Capabilities are what the backend says the model can do
	// ("completion", "embedding", "tools", "vision", ...); nil when the
	// backend does not say (older Ollama daemons).
	Capabilities []string
	// ClampsContext says the backend runs the model with at most
	// ContextLength tokens of context whatever num_ctx asks (Ollama does
	// since mid-2025; v0.6.5 does not), so a larger num_ctx costs no more
	// KV cache.
	ClampsContext bool
	// Arch holds the architecture numbers needed to estimate a KV cache:
	// zero values when the backend does not report them.
	Arch Arch
	// Params are the sampling options the model's Modelfile sets
	// (temperature, top_k, top_p, repeat_penalty, num_ctx, num_predict),
	// zero where it sets none; from Ollama's /api/show.
	Params Options
	// Tensors lists the model's tensors with their stored types, when the
	// backend reports them (Ollama's verbose /api/show); nil otherwise.
	Tensors []Tensor
}

// Generates reports whether the model can generate text: true when the
// backend lists no capabilities (it does not say), else whether they
// include "completion" (an embedding-only model does not).
func (i Info) Generates() bool {
	if len(i.Capabilities) == 0 {
		return true
	}
	for _, c := range i.Capabilities {
		if c == CapCompletion {
			return true
		}
	}
	return false
}

// CapCompletion is the capability of generating text.
const CapCompletion = "completion"

// Tensor is one tensor of a model as stored: a ggml type name ("F32",
// "F16", "Q8_0", "Q4_K", ...) and its shape, innermost-first.
type Tensor struct {
	Name  string
	Type  string
	Shape []uint64
}

// Arch holds the architecture numbers of a model that memory estimates need.
type Arch struct {
	Layers    int
	Embedding int
	Heads     int
	KVHeads   int
}

// Running describes a model loaded in memory by the backend.
type Running struct {
	Name          string
	Digest        string
	SizeBytes     int64 // total resident bytes
	VRAMBytes     int64 // bytes of it in GPU memory
	ContextLength int
	ExpiresAt     time.Time
}

// FormatBytes writes a size for a person in binary units with one
// decimal: "4.7 GiB", "512.0 MiB", "3.0 KiB", "12 B".
func FormatBytes(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

// Support says whether a backend has a feature by its version: Has is
// Version >= Since. Known is false for a backend that reports no usable
// version, which callers treat as "try it and handle its absence", not as
// "too old".
type Support struct {
	Version string
	Since   string // the first release with the feature
	Known   bool
	Has     bool
}
