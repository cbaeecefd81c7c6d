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
	// Arch holds the architecture numbers needed to estimate a KV cache:
	// zero values when the backend does not report them.
	Arch Arch
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
