package gguf

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// torchExport is model.json as the training script writes it.
type torchExport struct {
	Name   string `json:"name"`
	Config struct {
		ContextLength     int     `json:"context_length"`
		EmbeddingLength   int     `json:"embedding_length"`
		BlockCount        int     `json:"block_count"`
		FeedForwardLength int     `json:"feed_forward_length"`
		HeadCount         int     `json:"head_count"`
		HeadCountKV       int     `json:"head_count_kv"`
		RMSEps            float32 `json:"rms_eps"`
		RopeFreqBase      float32 `json:"rope_freq_base"`
		TiedOutput        bool    `json:"tied_output"`
	} `json:"config"`
	Pieces  []string `json:"pieces"`
	Tensors []struct {
		Name   string  `json:"name"`
		Shape  []int64 `json:"shape"`
		Offset int64   `json:"offset"`
		Dtype  string  `json:"dtype"`
	} `json:"tensors"`
}

// torchDtypes maps model.json dtypes to tensor types.
var torchDtypes = map[string]TensorType{"f32": TypeF32, "f16": TypeF16}

// FromTorchExport converts a PyTorch export directory into a llama File.
// The directory holds model.json (name, config, the vocabulary pieces that
// follow the 259 special and byte tokens, and each tensor's GGUF name,
// PyTorch shape (outermost-first), byte offset and dtype "f32" or "f16")
// and model.bin (the tensors' raw little-endian row-major bytes). Shapes
// are reversed into GGUF order with the bytes unchanged: a Linear weight
// [out, in] becomes dims [in, out]. No weights are permuted, so the model
// must use llama.cpp's rope, which rotates adjacent pairs of each head.
func FromTorchExport(dir string) (*File, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, fmt.Errorf("gguf: torch export: %w", err)
	}
	var ex torchExport
	if err := json.Unmarshal(raw, &ex); err != nil {
		return nil, fmt.Errorf("gguf: torch export: model.json: %w", err)
	}
	bin, err := os.Open(filepath.Join(dir, "model.bin"))
	if err != nil {
		return nil, fmt.Errorf("gguf: torch export: %w", err)
	}
	defer bin.Close()
	st, err := bin.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: torch export: %w", err)
	}
	tensors := make([]Tensor, 0, len(ex.Tensors))
	for _, et := range ex.Tensors {
		typ, ok := torchDtypes[et.Dtype]
		if !ok {
			return nil, fmt.Errorf("gguf: torch export: tensor %q: %w: unknown dtype %q (want f32 or f16)", et.Name, ErrInvalid, et.Dtype)
		}
		dims, err := ggufDims(et.Shape)
		if err != nil {
			return nil, fmt.Errorf("gguf: torch export: tensor %q: %w", et.Name, err)
		}
		size, err := typ.DataSize(dims)
		if err != nil || et.Offset < 0 || size > uint64(st.Size()) || uint64(et.Offset) > uint64(st.Size())-size {
			return nil, fmt.Errorf("gguf: torch export: tensor %q: %w: %s %v at offset %d needs %d bytes, model.bin has %d",
				et.Name, ErrInvalid, et.Dtype, et.Shape, et.Offset, size, st.Size())
		}
		t := Tensor{Name: et.Name, Dims: dims, Type: typ, Data: make([]byte, size)}
		if _, err := bin.ReadAt(t.Data, et.Offset); err != nil {
			return nil, fmt.Errorf("gguf: torch export: tensor %q: %w", et.Name, err)
		}
		tensors = append(tensors, t)
	}
	c := ex.Config
	return NewLlama(LlamaConfig{
		Name:              ex.Name,
		Vocab:             CharVocab(ex.Pieces),
		ContextLength:     c.ContextLength,
		EmbeddingLength:   c.EmbeddingLength,
		BlockCount:        c.BlockCount,
		FeedForwardLength: c.FeedForwardLength,
		HeadCount:         c.HeadCount,
		HeadCountKV:       c.HeadCountKV,
		RMSEps:            c.RMSEps,
		RopeFreqBase:      c.RopeFreqBase,
		TiedOutput:        c.TiedOutput,
	}, tensors)
}

// ggufDims reverses a PyTorch shape (outermost-first) into GGUF dims.
func ggufDims(shape []int64) ([]uint64, error) {
	if len(shape) == 0 || len(shape) > maxDims {
		return nil, fmt.Errorf("%w: shape %v must have 1 to %d dims", ErrInvalid, shape, maxDims)
	}
	dims := make([]uint64, len(shape))
	for i, d := range shape {
		if d < 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("%w: shape %v has a dim out of range", ErrInvalid, shape)
		}
		dims[i] = uint64(d)
	}
	slices.Reverse(dims)
	return dims, nil
}
