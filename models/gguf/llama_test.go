package gguf

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// testConfig is a small GQA config: embd 16, 4 heads, 2 kv heads, ff 24.
func testConfig() LlamaConfig {
	return LlamaConfig{
		Name:            "test",
		Vocab:           CharVocab([]string{"▁", "1"}),
		EmbeddingLength: 16, BlockCount: 2, FeedForwardLength: 24, HeadCount: 4, HeadCountKV: 2,
	}
}

// specTensors returns zero-filled F32 tensors for every spec of cfg.
func specTensors(cfg LlamaConfig) []Tensor {
	var ts []Tensor
	for _, s := range cfg.TensorSpecs() {
		ts = append(ts, f32Tensor(s.Name, s.Dims...))
	}
	return ts
}

func TestTensorSpecs(t *testing.T) {
	specs := testConfig().TensorSpecs()
	want := map[string][]uint64{
		"token_embd.weight":        {16, 261},
		"blk.0.attn_norm.weight":   {16},
		"blk.0.attn_q.weight":      {16, 16},
		"blk.0.attn_k.weight":      {16, 8},
		"blk.0.attn_v.weight":      {16, 8},
		"blk.1.attn_output.weight": {16, 16},
		"blk.1.ffn_norm.weight":    {16},
		"blk.1.ffn_gate.weight":    {16, 24},
		"blk.1.ffn_up.weight":      {16, 24},
		"blk.1.ffn_down.weight":    {24, 16},
		"output_norm.weight":       {16},
		"output.weight":            {16, 261},
	}
	if len(specs) != 1+2*9+2 {
		t.Errorf("%d specs, want %d", len(specs), 1+2*9+2)
	}
	for _, s := range specs {
		if w, ok := want[s.Name]; ok && !slices.Equal(s.Dims, w) {
			t.Errorf("%s dims %v, want %v", s.Name, s.Dims, w)
		}
	}
	tied := testConfig()
	tied.TiedOutput = true
	if last := tied.TensorSpecs(); last[len(last)-1].Name != "output_norm.weight" {
		t.Errorf("tied output: last tensor %s, want output_norm.weight", last[len(last)-1].Name)
	}
}

func TestNewLlamaMetadata(t *testing.T) {
	cfg := testConfig()
	ts := specTensors(cfg)
	slices.Reverse(ts) // input order does not matter
	f, err := NewLlama(cfg, ts)
	if err != nil {
		t.Fatalf("NewLlama: %v", err)
	}
	got := mustRead(t, mustWrite(t, f))
	want := []KV{
		{"general.architecture", "llama"},
		{"general.name", "test"},
		{"general.file_type", uint32(0)},
		{"llama.context_length", uint32(2048)},
		{"llama.embedding_length", uint32(16)},
		{"llama.block_count", uint32(2)},
		{"llama.feed_forward_length", uint32(24)},
		{"llama.attention.head_count", uint32(4)},
		{"llama.attention.head_count_kv", uint32(2)},
		{"llama.rope.dimension_count", uint32(4)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"llama.rope.freq_base", float32(10000)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", cfg.Vocab.Tokens},
		{"tokenizer.ggml.scores", cfg.Vocab.Scores},
		{"tokenizer.ggml.token_type", nil}, // checked below
		{"tokenizer.ggml.bos_token_id", uint32(1)},
		{"tokenizer.ggml.eos_token_id", uint32(2)},
		{"tokenizer.ggml.unknown_token_id", uint32(0)},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
	}
	if len(got.KV) != len(want) {
		t.Fatalf("%d keys, want %d", len(got.KV), len(want))
	}
	for i, w := range want {
		g := got.KV[i]
		if g.Key != w.Key {
			t.Errorf("key %d = %s, want %s", i, g.Key, w.Key)
			continue
		}
		switch wv := w.Value.(type) {
		case nil:
			if tt, ok := g.Value.([]int32); !ok || tt[0] != 2 || tt[1] != 3 || tt[3] != 6 || tt[FirstPiece] != 1 {
				t.Errorf("%s = %v, want int32 token types", g.Key, g.Value)
			}
		case []string:
			if !slices.Equal(g.Value.([]string), wv) {
				t.Errorf("%s differs", g.Key)
			}
		case []float32:
			if !slices.Equal(g.Value.([]float32), wv) {
				t.Errorf("%s differs", g.Key)
			}
		default:
			if g.Value != w.Value {
				t.Errorf("%s = %#v, want %#v", g.Key, g.Value, w.Value)
			}
		}
	}
	if got.Tensors[0].Name != "token_embd.weight" || got.Tensors[len(got.Tensors)-1].Name != "output.weight" {
		t.Errorf("tensors not in spec order: first %s, last %s", got.Tensors[0].Name, got.Tensors[len(got.Tensors)-1].Name)
	}
}

func TestNewLlamaErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*LlamaConfig, []Tensor) []Tensor
		want   string
	}{
		{"wrong shape", func(_ *LlamaConfig, ts []Tensor) []Tensor {
			ts[2] = f32Tensor("blk.0.attn_q.weight", 16, 8)
			return ts
		}, `tensor "blk.0.attn_q.weight": invalid GGUF: shape [16 8], want [16 16]`},
		{"transposed", func(_ *LlamaConfig, ts []Tensor) []Tensor {
			ts[9] = f32Tensor("blk.0.ffn_down.weight", 16, 24)
			return ts
		}, `tensor "blk.0.ffn_down.weight": invalid GGUF: shape [16 24], want [24 16]`},
		{"missing", func(_ *LlamaConfig, ts []Tensor) []Tensor { return ts[1:] },
			`tensor "token_embd.weight": invalid GGUF: missing (want shape [16 261])`},
		{"extra", func(_ *LlamaConfig, ts []Tensor) []Tensor { return append(ts, f32Tensor("rope_freqs.weight", 2)) },
			`unexpected tensors ["rope_freqs.weight"]`},
		{"output with tied", func(c *LlamaConfig, ts []Tensor) []Tensor { c.TiedOutput = true; return ts },
			`unexpected tensors ["output.weight"]`},
		{"twice", func(_ *LlamaConfig, ts []Tensor) []Tensor { return append(ts, ts[0]) },
			`tensor "token_embd.weight": invalid GGUF: given twice`},
		{"f16 norm", func(_ *LlamaConfig, ts []Tensor) []Tensor {
			ts[1] = Tensor{Name: ts[1].Name, Dims: ts[1].Dims, Type: TypeF16, Data: make([]byte, 32)}
			return ts
		}, `tensor "blk.0.attn_norm.weight": invalid GGUF: type F16`},
		{"short data", func(_ *LlamaConfig, ts []Tensor) []Tensor { ts[1].Data = ts[1].Data[:8]; return ts },
			"8 data bytes, want 64"},
		{"heads", func(c *LlamaConfig, ts []Tensor) []Tensor { c.HeadCount = 5; return ts },
			"embedding_length 16 is not a multiple of head_count 5"},
		{"kv heads", func(c *LlamaConfig, ts []Tensor) []Tensor { c.HeadCountKV = 3; return ts },
			"head_count 4 is not a multiple of head_count_kv 3"},
		{"no blocks", func(c *LlamaConfig, ts []Tensor) []Tensor { c.BlockCount = -1; return ts },
			"block_count -1 must be positive"},
		{"vocab", func(c *LlamaConfig, ts []Tensor) []Tensor { c.Vocab = CharVocab([]string{"1", "1"}); return ts },
			"repeats token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			ts := tt.mutate(&cfg, specTensors(testConfig()))
			_, err := NewLlama(cfg, ts)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}
