package models

import "time"

// Info describes an installed model.
type Info struct {
	Name          string
	Digest        string // content digest of the model (hex, no "sha256:" prefix)
	SizeBytes     int64  // bytes on disk
	Family        string
	ParameterSize string // as reported, e.g. "7.6B"
	Quantization  string // e.g. "Q4_K_M", "F32"
	ContextLength int    // trained context length, 0 when unknown
	// ClampsContext says the backend runs the model with at most
	// ContextLength tokens of context whatever num_ctx asks (Ollama does
	// since mid-2025; v0.6.5 does not), so a larger num_ctx costs no more
	// KV cache.
	ClampsContext bool
	// Arch holds the architecture numbers needed to estimate a KV cache:
	// zero values when the backend does not report them.
	Arch Arch
	// Tensors lists the model's tensors with their stored types, when the
	// backend reports them (Ollama's verbose /api/show); nil otherwise.
	Tensors []Tensor
}

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
