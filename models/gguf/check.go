package gguf

import (
	"errors"
	"fmt"
	"strings"
)

// ErrIncomplete reports a well-formed GGUF file that lacks what any runner
// needs to load it: the daemon would accept it and crash on the first
// request (Ollama v0.6.5 does, for every client).
var ErrIncomplete = errors.New("GGUF file lacks what a runner needs")

// CheckRunnable reports whether f has what every llama.cpp architecture
// needs: general.architecture, its block_count and embedding_length, a
// tokenizer vocabulary, and tensors including the token embedding. The
// error wraps ErrIncomplete and names every missing part.
func (f *File) CheckRunnable() error {
	var missing []string
	arch, _ := f.Get("general.architecture")
	a, _ := arch.(string)
	if a == "" {
		missing = append(missing, "general.architecture")
	} else {
		for _, k := range []string{a + ".block_count", a + ".embedding_length"} {
			if _, ok := f.Get(k); !ok {
				missing = append(missing, k)
			}
		}
	}
	if _, ok := f.Get("tokenizer.ggml.tokens"); !ok {
		missing = append(missing, "tokenizer.ggml.tokens")
	}
	if len(f.Tensors) == 0 {
		missing = append(missing, "tensors (it has none)")
	} else if _, ok := f.Tensor("token_embd.weight"); !ok {
		missing = append(missing, "tensor token_embd.weight")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrIncomplete, strings.Join(missing, ", "))
	}
	return nil
}
