package gguf

import (
	"fmt"
	"slices"
)

// Defaults that NewLlama applies to zero LlamaConfig fields.
const (
	DefaultContextLength = 2048
	DefaultRMSEps        = 1e-5
	DefaultRopeFreqBase  = 10000
)

// File types (general.file_type, llama.cpp's llama_ftype). NewLlama labels
// a model with F16 matrices FileTypeMostlyF16 and an all-F32 one
// FileTypeAllF32, as llama.cpp does. Ollama reads a file_type of 0 as
// "unknown" (fs/ggml KV.FileType counts only values above 0), so it refuses
// to quantize an F32 file whatever its label; [ConvertF16] makes the F16
// copy that it accepts.
const (
	FileTypeAllF32     uint32 = 0
	FileTypeMostlyF16  uint32 = 1
	FileTypeMostlyBF16 uint32 = 32
)

// fileTypeKey is the metadata key of the file type.
const fileTypeKey = "general.file_type"

// LlamaConfig describes a llama-architecture model. Zero ContextLength,
// HeadCountKV, RMSEps and RopeFreqBase take the defaults above (HeadCountKV
// defaults to HeadCount); the other dimensions are required.
type LlamaConfig struct {
	Name  string // general.name; "llama" when empty
	Vocab Vocab

	ContextLength     int
	EmbeddingLength   int
	BlockCount        int
	FeedForwardLength int
	HeadCount         int
	HeadCountKV       int
	RMSEps            float32
	RopeFreqBase      float32
	// TiedOutput leaves out output.weight: llama.cpp then reuses
	// token_embd.weight as the output projection.
	TiedOutput bool
}

// TensorSpec names one tensor a model needs and its dims, innermost-first.
type TensorSpec struct {
	Name string
	Dims []uint64
}

func (c LlamaConfig) withDefaults() LlamaConfig {
	if c.Name == "" {
		c.Name = "llama"
	}
	if c.ContextLength == 0 {
		c.ContextLength = DefaultContextLength
	}
	if c.HeadCountKV == 0 {
		c.HeadCountKV = c.HeadCount
	}
	if c.RMSEps == 0 {
		c.RMSEps = DefaultRMSEps
	}
	if c.RopeFreqBase == 0 {
		c.RopeFreqBase = DefaultRopeFreqBase
	}
	return c
}

func (c LlamaConfig) validate() error {
	for _, dim := range []struct {
		name string
		v    int
	}{
		{"context_length", c.ContextLength}, {"embedding_length", c.EmbeddingLength},
		{"block_count", c.BlockCount}, {"feed_forward_length", c.FeedForwardLength},
		{"head_count", c.HeadCount}, {"head_count_kv", c.HeadCountKV},
	} {
		if dim.v <= 0 || dim.v > 1<<31-1 {
			return fmt.Errorf("%w: %s %d must be positive", ErrInvalid, dim.name, dim.v)
		}
	}
	if c.EmbeddingLength%c.HeadCount != 0 {
		return fmt.Errorf("%w: embedding_length %d is not a multiple of head_count %d", ErrInvalid, c.EmbeddingLength, c.HeadCount)
	}
	if c.HeadCount%c.HeadCountKV != 0 {
		return fmt.Errorf("%w: head_count %d is not a multiple of head_count_kv %d", ErrInvalid, c.HeadCount, c.HeadCountKV)
	}
	if c.RMSEps < 0 || c.RopeFreqBase < 0 {
		return fmt.Errorf("%w: rms_eps and rope_freq_base must be positive", ErrInvalid)
	}
	return c.Vocab.Validate()
}

// TensorSpecs lists the tensors of the model c describes, in the order
// NewLlama writes them, with the shapes GGUF stores (innermost-first):
// token_embd [embd, vocab], then per block N attn_norm [embd], attn_q
// [embd, embd], attn_k and attn_v [embd, kv], attn_output [embd, embd],
// ffn_norm [embd], ffn_gate and ffn_up [embd, ff], ffn_down [ff, embd], and
// last output_norm [embd] and, unless TiedOutput, output [embd, vocab].
// kv is embd/head_count*head_count_kv.
func (c LlamaConfig) TensorSpecs() []TensorSpec {
	c = c.withDefaults()
	e, ff, v := uint64(c.EmbeddingLength), uint64(c.FeedForwardLength), uint64(len(c.Vocab.Tokens))
	kv := uint64(0)
	if c.HeadCount > 0 {
		kv = e / uint64(c.HeadCount) * uint64(c.HeadCountKV)
	}
	specs := []TensorSpec{{"token_embd.weight", []uint64{e, v}}}
	for i := range c.BlockCount {
		p := fmt.Sprintf("blk.%d.", i)
		specs = append(specs,
			TensorSpec{p + "attn_norm.weight", []uint64{e}},
			TensorSpec{p + "attn_q.weight", []uint64{e, e}},
			TensorSpec{p + "attn_k.weight", []uint64{e, kv}},
			TensorSpec{p + "attn_v.weight", []uint64{e, kv}},
			TensorSpec{p + "attn_output.weight", []uint64{e, e}},
			TensorSpec{p + "ffn_norm.weight", []uint64{e}},
			TensorSpec{p + "ffn_gate.weight", []uint64{e, ff}},
			TensorSpec{p + "ffn_up.weight", []uint64{e, ff}},
			TensorSpec{p + "ffn_down.weight", []uint64{ff, e}},
		)
	}
	specs = append(specs, TensorSpec{"output_norm.weight", []uint64{e}})
	if !c.TiedOutput {
		specs = append(specs, TensorSpec{"output.weight", []uint64{e, v}})
	}
	return specs
}

// NewLlama builds a llama-architecture File from cfg and its tensors, given
// in any order. Every tensor of cfg.TensorSpecs must be present exactly
// once with that shape, as F32 or F16 (norms, which are 1-D, as F32), and
// no other tensor may be. The File holds the metadata llama.cpp and Ollama
// need (general.*, llama.* and tokenizer.ggml.* keys) and the tensors in
// TensorSpecs order; it shares the tensors' Data.
func NewLlama(cfg LlamaConfig, tensors []Tensor) (*File, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("gguf: llama: %w", err)
	}
	byName := make(map[string]*Tensor, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if _, dup := byName[t.Name]; dup {
			return nil, fmt.Errorf("gguf: llama: tensor %q: %w: given twice", t.Name, ErrInvalid)
		}
		byName[t.Name] = t
	}
	f := &File{}
	fileType := FileTypeAllF32
	for _, spec := range cfg.TensorSpecs() {
		t, ok := byName[spec.Name]
		if !ok {
			return nil, fmt.Errorf("gguf: llama: tensor %q: %w: missing (want shape %v)", spec.Name, ErrInvalid, spec.Dims)
		}
		delete(byName, spec.Name)
		if err := checkLlamaTensor(t, spec); err != nil {
			return nil, fmt.Errorf("gguf: llama: tensor %q: %w", spec.Name, err)
		}
		if t.Type == TypeF16 {
			fileType = FileTypeMostlyF16
		}
		f.Tensors = append(f.Tensors, Tensor{Name: t.Name, Dims: t.Dims, Type: t.Type, Data: t.Data})
	}
	if len(byName) > 0 {
		extra := make([]string, 0, len(byName))
		for name := range byName {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		return nil, fmt.Errorf("gguf: llama: %w: unexpected tensors %q", ErrInvalid, extra)
	}
	f.KV = cfg.metadata(fileType)
	return f, nil
}

func checkLlamaTensor(t *Tensor, spec TensorSpec) error {
	if !slices.Equal(t.Dims, spec.Dims) {
		return fmt.Errorf("%w: shape %v, want %v (innermost-first)", ErrInvalid, t.Dims, spec.Dims)
	}
	if t.Type != TypeF32 && (t.Type != TypeF16 || len(spec.Dims) == 1) {
		return fmt.Errorf("%w: type %s, want F32 or, for matrices, F16", ErrInvalid, t.Type)
	}
	size, _ := t.Type.DataSize(t.Dims)
	if uint64(len(t.Data)) != size {
		return fmt.Errorf("%w: %d data bytes, want %d", ErrInvalid, len(t.Data), size)
	}
	return nil
}

// metadata returns the key-value entries of the model, in a fixed order.
func (c LlamaConfig) metadata(fileType uint32) []KV {
	v := c.Vocab
	types := make([]int32, len(v.Types))
	for i, t := range v.Types {
		types[i] = int32(t)
	}
	return []KV{
		{"general.architecture", "llama"},
		{"general.name", c.Name},
		{fileTypeKey, fileType},
		{"llama.context_length", uint32(c.ContextLength)},
		{"llama.embedding_length", uint32(c.EmbeddingLength)},
		{"llama.block_count", uint32(c.BlockCount)},
		{"llama.feed_forward_length", uint32(c.FeedForwardLength)},
		{"llama.attention.head_count", uint32(c.HeadCount)},
		{"llama.attention.head_count_kv", uint32(c.HeadCountKV)},
		{"llama.rope.dimension_count", uint32(c.EmbeddingLength / c.HeadCount)},
		{"llama.attention.layer_norm_rms_epsilon", c.RMSEps},
		{"llama.rope.freq_base", c.RopeFreqBase},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", v.Tokens},
		{"tokenizer.ggml.scores", v.Scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.bos_token_id", uint32(v.BOS)},
		{"tokenizer.ggml.eos_token_id", uint32(v.EOS)},
		{"tokenizer.ggml.unknown_token_id", uint32(v.UNK)},
		{"tokenizer.ggml.add_bos_token", v.AddBOS},
		{"tokenizer.ggml.add_eos_token", v.AddEOS},
	}
}
