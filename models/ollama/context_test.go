package ollama_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama"
)

// contextTooLong is what Ollama v0.30.9 and later answer (HTTP 400) to a
// prompt longer than the context instead of truncating it (the wording of
// llm/llama_server.go in v0.33.0).
const contextTooLong = `{"error":"the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length"}`

// A recorded 400 "prompt longer than the context" is a models.ContextError
// (ErrContextExceeded) with the prompt's size and the context sent, asked
// once: it is not retried like a busy daemon.
func TestGenerateContextExceeded(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(contextTooLong))
	}))
	defer srv.Close()
	c, _ := ollama.New(ollama.Config{Host: srv.URL, Backoff: time.Millisecond, BusyRetries: 5})
	req := greedy("m", "What is 2+2? é", 1)
	req.System = "Be brief."
	req.Options.NumCtx = 512
	_, err := c.Generate(t.Context(), req)
	if !errors.Is(err, models.ErrContextExceeded) || errors.Is(err, models.ErrBusy) || errors.Is(err, models.ErrModelNotInstalled) {
		t.Fatalf("got %v; want ErrContextExceeded only", err)
	}
	var ce *models.ContextError
	if !errors.As(err, &ce) || ce.PromptChars != len("What is 2+2? e")+len("Be brief.") || ce.NumCtx != 512 || ce.Model != "m" {
		t.Fatalf("context error %+v", ce)
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests; a prompt too long must not be retried", calls.Load())
	}
	for _, want := range []string{"23 characters", "512 tokens", "longer than the context length"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "--") {
		t.Errorf("the library names a flag: %q", err)
	}
	req.Options.NumCtx = 0
	if _, err := c.Generate(t.Context(), req); !strings.Contains(err.Error(), "default context") {
		t.Errorf("no num_ctx sent: %v", err)
	}
}

// A 400 of another kind is not a context error.
func TestGenerateOtherBadRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid options"}`))
	}))
	defer srv.Close()
	c, _ := ollama.New(ollama.Config{Host: srv.URL})
	if _, err := c.Generate(t.Context(), greedy("m", "x", 1)); err == nil || errors.Is(err, models.ErrContextExceeded) {
		t.Fatalf("got %v", err)
	}
}
