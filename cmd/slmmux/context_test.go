package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeOllama answers like Ollama v0.33.0 with one installed model whose
// context is too small for any question: /api/generate with a prompt gets
// the recorded HTTP 400; a preload (no prompt) succeeds. It records the
// generate requests.
type fakeOllama struct {
	mu       sync.Mutex
	generate []map[string]any
}

func newFakeOllama(t *testing.T) (*fakeOllama, string) {
	t.Helper()
	f := &fakeOllama{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch r.URL.Path {
		case "/api/version":
			fmt.Fprint(w, `{"version":"0.33.0"}`)
		case "/api/tags":
			fmt.Fprint(w, `{"models":[{"name":"tiny:latest","model":"tiny:latest","size":1000000,"digest":"0123456789abcdef","details":{"format":"gguf","family":"llama","parameter_size":"1M","quantization_level":"F16"}}]}`)
		case "/api/ps":
			fmt.Fprint(w, `{"models":[{"name":"tiny:latest","model":"tiny:latest","size":1000000,"digest":"0123456789abcdef","expires_at":"2099-01-01T00:00:00Z"}]}`)
		case "/api/show":
			fmt.Fprint(w, `{"details":{"format":"gguf","family":"llama","parameter_size":"1M","quantization_level":"F16"},"model_info":{"general.architecture":"llama","llama.context_length":2048}}`)
		case "/api/generate":
			var req map[string]any
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &req)
			f.mu.Lock()
			f.generate = append(f.generate, req)
			f.mu.Unlock()
			if p, _ := req["prompt"].(string); p == "" {
				fmt.Fprint(w, `{"model":"tiny:latest","response":"","done":true,"done_reason":"load"}`)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// prompts counts the generate requests that carried a prompt.
func (f *fakeOllama) prompts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.generate {
		if p, _ := r["prompt"].(string); p != "" {
			n++
		}
	}
	return n
}

// `slmmux ask` against a daemon that refuses the prompt as longer than the
// context (v0.30.9+): it fails once per sample, without retries, and says
// the prompt's size and what to do.
func TestAskContextExceeded(t *testing.T) {
	f, host := newFakeOllama(t)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, "ask", "--models", "tiny", "--samples", "2", "--num-ctx", "256", "What is 1+1?")
	if r.code != exitError {
		t.Fatalf("exit %d; want %d\nstdout: %s\nstderr: %s", r.code, exitError, r.stdout, r.stderr)
	}
	for _, want := range []string{"longer than a context of 256 tokens", "characters", "raise --num-ctx"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "thrashing") {
		t.Errorf("a spurious warning:\n%s", r.stderr)
	}
	if n := f.prompts(); n < 1 || n > 2 {
		t.Errorf("%d prompted requests for 2 samples: a prompt too long is never retried", n)
	}
}
