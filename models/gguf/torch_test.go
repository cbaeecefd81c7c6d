package gguf

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTorchExport writes model.json and model.bin for tensors into a new
// temp dir, as the training script would, after letting edit change the
// JSON document.
func writeTorchExport(t *testing.T, cfg LlamaConfig, pieces []string, tensors []Tensor, edit func(map[string]any)) string {
	t.Helper()
	var bin bytes.Buffer
	var list []any
	for _, tensor := range tensors {
		shape := slices.Clone(tensor.Dims)
		slices.Reverse(shape) // PyTorch order: outermost first
		dtype := map[TensorType]string{TypeF32: "f32", TypeF16: "f16"}[tensor.Type]
		list = append(list, map[string]any{"name": tensor.Name, "shape": shape, "offset": bin.Len(), "dtype": dtype})
		bin.Write(tensor.Data)
	}
	doc := map[string]any{
		"name": cfg.Name,
		"config": map[string]any{
			"context_length": 512, "embedding_length": cfg.EmbeddingLength, "block_count": cfg.BlockCount,
			"feed_forward_length": cfg.FeedForwardLength, "head_count": cfg.HeadCount, "head_count_kv": cfg.HeadCountKV,
			"rms_eps": 1e-6, "rope_freq_base": 500000.0, "tied_output": cfg.TiedOutput,
		},
		"pieces":  pieces,
		"tensors": list,
	}
	if edit != nil {
		edit(doc)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.bin"), bin.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFromTorchExport(t *testing.T) {
	pieces := []string{"▁", "1"}
	for _, tied := range []bool{false, true} {
		cfg := testConfig()
		cfg.TiedOutput = tied
		tensors := specTensors(cfg)
		// One matrix as F16, as an exporter may write it.
		tensors[2] = Tensor{Name: tensors[2].Name, Dims: tensors[2].Dims, Type: TypeF16, Data: tensors[2].Data[:16*16*2]}
		dir := writeTorchExport(t, cfg, pieces, tensors, nil)
		f, err := FromTorchExport(dir)
		if err != nil {
			t.Fatalf("tied=%v: FromTorchExport: %v", tied, err)
		}
		got := mustRead(t, mustWrite(t, f))
		if len(got.Tensors) != len(tensors) {
			t.Fatalf("tied=%v: %d tensors, want %d", tied, len(got.Tensors), len(tensors))
		}
		for _, want := range tensors {
			g, ok := got.Tensor(want.Name)
			if !ok || !slices.Equal(g.Dims, want.Dims) || g.Type != want.Type || !bytes.Equal(g.Data, want.Data) {
				t.Errorf("tied=%v: tensor %s not converted unchanged", tied, want.Name)
			}
		}
		for key, want := range map[string]any{
			"general.name": "test", "llama.context_length": uint32(512), "llama.attention.head_count_kv": uint32(2),
			"llama.attention.layer_norm_rms_epsilon": float32(1e-6), "llama.rope.freq_base": float32(500000),
			"general.file_type": uint32(1),
		} {
			if v, _ := got.Get(key); v != want {
				t.Errorf("tied=%v: %s = %#v, want %#v", tied, key, v, want)
			}
		}
		if toks, _ := got.Get("tokenizer.ggml.tokens"); !slices.Equal(toks.([]string)[FirstPiece:], pieces) {
			t.Errorf("tied=%v: pieces %q, want %q", tied, toks.([]string)[FirstPiece:], pieces)
		}
	}
}

func TestFromTorchExportErrors(t *testing.T) {
	setTensor := func(i int, key string, v any) func(map[string]any) {
		return func(doc map[string]any) { doc["tensors"].([]any)[i].(map[string]any)[key] = v }
	}
	tests := []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"unknown dtype", setTensor(0, "dtype", "bf16"), `tensor "token_embd.weight": invalid GGUF: unknown dtype "bf16"`},
		{"offset past end", setTensor(3, "offset", 1<<30), `tensor "blk.0.attn_k.weight": invalid GGUF: f32 [8 16] at offset 1073741824`},
		{"negative offset", setTensor(3, "offset", -4), "at offset -4"},
		{"negative dim", setTensor(1, "shape", []int{-16}), "dim out of range"},
		{"no dims", setTensor(1, "shape", []int{}), "must have 1 to 4 dims"},
		{"wrong shape", setTensor(2, "shape", []int{8, 16}), `tensor "blk.0.attn_q.weight": invalid GGUF: shape [16 8], want [16 16]`},
		{"pieces change vocab", func(doc map[string]any) { doc["pieces"] = []string{"▁"} }, "shape [16 261], want [16 260]"},
		{"bad config", func(doc map[string]any) { doc["config"].(map[string]any)["head_count"] = 3 }, "not a multiple of head_count 3"},
	}
	cfg := testConfig()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTorchExport(t, cfg, []string{"▁", "1"}, specTensors(cfg), tt.edit)
			_, err := FromTorchExport(dir)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant ErrInvalid containing %q", err, tt.want)
			}
		})
	}
	t.Run("missing files", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := FromTorchExport(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("no model.json: err = %v, want ErrNotExist", err)
		}
		os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"name": "x"}`), 0o644)
		if _, err := FromTorchExport(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("no model.bin: err = %v, want ErrNotExist", err)
		}
		os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"name": `), 0o644)
		if _, err := FromTorchExport(dir); err == nil || !strings.Contains(err.Error(), "model.json") {
			t.Errorf("bad json: err = %v, want an error naming model.json", err)
		}
	})
}
