package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// fakeTagsOllama answers /api/tags with tags; a generation or an embedding is
// counted (the tests want none).
func fakeTagsOllama(t *testing.T, tags string) (string, *atomic.Int32) {
	t.Helper()
	var gens atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/tags":
			w.Write([]byte(tags))
		case "/api/version":
			w.Write([]byte(`{"version":"0.33.0"}`))
		case "/api/ps":
			w.Write([]byte(`{"models":[]}`))
		case "/api/show":
			w.Write([]byte(`{"details":{"family":"qwen2"},"model_info":{"general.architecture":"qwen2","qwen2.context_length":4096}}`))
		case "/api/generate", "/api/chat", "/api/embed":
			gens.Add(1)
			http.Error(w, `{"error":"not in this test"}`, http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &gens
}

// A v0.30+ daemon listing a cloud model and an embedding-only model:
// models marks them; naming either is refused before anything is sent;
// default lists leave both out (the context check meets the local model
// first); --num-ctx above the context length is refused, naming it.
func TestCloudAndEmbeddingModels(t *testing.T) {
	host, gens := fakeTagsOllama(t, ollamatest.TagsV030)
	env := map[string]string{"OLLAMA_HOST": host}

	r := run(t.Context(), env, "models")
	if r.code != 0 || !strings.Contains(r.stdout, "NOTE") ||
		!strings.Contains(r.stdout, "cloud (https://ollama.com:443): never used") ||
		!strings.Contains(r.stdout, "no text generation (embedding)") {
		t.Errorf("models: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	for _, c := range []struct{ cmd, model, want string }{
		{"ask", "gpt-oss:120b-cloud", "gpt-oss:120b-cloud is a cloud model: the daemon sends its prompts to https://ollama.com:443, off this machine"},
		{"ask", "nomic-embed-text", "nomic-embed-text cannot generate text (its capabilities: embedding)"},
		{"plan", "gpt-oss:120b-cloud", "is a cloud model"},
	} {
		args := []string{c.cmd, "--models", "qwen2.5:1.5b," + c.model}
		if c.cmd == "ask" {
			args = append(args, "What is 1+1?")
		}
		r := run(t.Context(), env, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s --models %s: %d, want %q in\n%s", c.cmd, c.model, r.code, c.want, r.stderr)
		}
	}

	// The default list is qwen2.5:1.5b alone: sorted, the cloud model
	// (131072) and the embedding model (2048) would come first.
	r = run(t.Context(), env, "ask", "--num-ctx", "65536", "What is 1+1?")
	want := "--num-ctx 65536: model qwen2.5:1.5b has a context of 32768 tokens: give --num-ctx 32768 or less"
	if r.code != exitUsage || !strings.Contains(r.stderr, want) {
		t.Errorf("ask --num-ctx: %d, want %q in\n%s", r.code, want, r.stderr)
	}
	r = run(t.Context(), env, "plan", "--models", "qwen2.5:1.5b", "--num-ctx", "40000")
	if r.code != exitUsage || !strings.Contains(r.stderr, "model qwen2.5:1.5b has a context of 32768 tokens") {
		t.Errorf("plan --num-ctx: %d\n%s", r.code, r.stderr)
	}
	if n := gens.Load(); n != 0 {
		t.Errorf("%d generation or embedding requests reached the daemon", n)
	}
}

// Only a cloud model and an embedding model: no default list, and the
// error says what was left out and why.
func TestOnlyUnusableModels(t *testing.T) {
	tags := strings.Replace(ollamatest.TagsV030, `"capabilities":["completion","tools"],"context_length":32768`, `"remote_host":"https://ollama.com:443","remote_model":"qwen2.5:1.5b"`, 1)
	host, _ := fakeTagsOllama(t, tags)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, "ask", "What is 1+1?")
	if r.code != exitNotFound || !strings.Contains(r.stderr, "no local model that generates text (left out: qwen2.5:1.5b, gpt-oss:120b-cloud, nomic-embed-text:") {
		t.Errorf("ask: %d\n%s", r.code, r.stderr)
	}
}

// An older daemon (no capabilities or context_length in /api/tags): the
// context length comes from /api/show.
func TestContextFromShow(t *testing.T) {
	host, _ := fakeTagsOllama(t, `{"models":[{"name":"qwen2.5:1.5b","model":"qwen2.5:1.5b","size":986061892,"digest":"65ec06548149",
 "details":{"format":"gguf","family":"qwen2","parameter_size":"1.5B","quantization_level":"Q4_K_M"}}]}`)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, "plan", "--models", "qwen2.5:1.5b", "--num-ctx", "8192")
	if r.code != exitUsage || !strings.Contains(r.stderr, "model qwen2.5:1.5b has a context of 4096 tokens: give --num-ctx 4096 or less") {
		t.Errorf("plan: %d\n%s", r.code, r.stderr)
	}
}
