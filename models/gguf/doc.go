// Package gguf writes and reads GGUF (version 3) model files, the format
// that Ollama and llama.cpp load.
//
// A [File] is an ordered list of metadata entries ([KV]) and tensors
// ([Tensor]); [File.WriteTo] serialises it byte-deterministically, and
// [Read] / [ReadInfo] parse one back, rejecting hostile or damaged input
// with errors that wrap [ErrNotGGUF], [ErrTruncated] or [ErrInvalid].
//
// On top of the container format the package builds llama-architecture
// models: [NewLlama] turns a [LlamaConfig] and its weights into a File with
// the metadata llama.cpp expects, [CharVocab] makes a sentencepiece-style
// [Vocab] of byte tokens plus single-character pieces, [Tokenize] splits text
// the way Ollama v0.6.5 (llama.cpp's SPM tokenizer) does, [RandomLlama]
// makes seeded random models of a chosen [Size], and [FromTorchExport]
// converts a directory written by the project's PyTorch training script.
package gguf

import "errors"

// Sentinel errors returned (wrapped) by the reader and the builders.
var (
	// ErrNotGGUF means the input does not start with the GGUF magic.
	ErrNotGGUF = errors.New("not a GGUF file")
	// ErrTruncated means the input ends before the structure it declares;
	// the wrapping message names the section that was cut.
	ErrTruncated = errors.New("truncated file")
	// ErrInvalid means the input is structurally wrong: an unsupported
	// version or value type, a duplicate name, a misaligned offset, or a
	// tensor whose shape or data does not fit.
	ErrInvalid = errors.New("invalid GGUF")
)
