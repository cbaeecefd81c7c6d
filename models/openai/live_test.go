package openai_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
	"github.com/slmmux/slmmux/models/openai"
)

func TestMain(m *testing.M) { ollamatest.Main(m) }

// olderThan reports whether a daemon version is known and below major.minor.
func olderThan(v string, major, minor int) (older, known bool) {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 || v == "0.0.0" {
		return false, false
	}
	a, err1 := strconv.Atoi(parts[0])
	b, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false, false
	}
	return a < major || a == major && b < minor, true
}

// Against Ollama's own /v1, a real implementation of the API: a greedy
// answer, the model list, an unknown model, and logprobs where the daemon
// has them (v0.24.0 does; v0.6.5 ignores the field, and the result has
// none).
func TestLiveOllamaV1(t *testing.T) {
	d := ollamatest.Shared(t)
	m := d.TinyModel(t, "openai-live", 41)
	c, err := openai.New(openai.Config{BaseURL: d.Host + "/v1", MaxConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.Models(t.Context())
	if err != nil || !strings.Contains(strings.Join(ids, ","), m) {
		t.Fatalf("models %v, %v; want %s", ids, err, m)
	}
	req := models.Request{Model: m, Prompt: "1+1", Logprobs: true,
		Options: models.Options{Temperature: models.Float(0), Seed: models.Int(1), NumPredict: 5}}
	res, err := c.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.OutputTokens == 0 || res.OutputTokens > 5 || res.Total <= 0 {
		t.Fatalf("result %+v", res)
	}
	v, _ := d.Client.Version(t.Context())
	if older, known := olderThan(v, 0, 24); known && !older && len(res.Logprobs) == 0 {
		t.Errorf("Ollama %s returned no logprobs", v)
	}
	// Ollama gives a logprob for each token that shows in the text (a
	// random tiny model also emits tokens that render as nothing).
	var text strings.Builder
	for _, lp := range res.Logprobs {
		text.WriteString(lp.Token)
		if lp.Logprob > 0 {
			t.Errorf("logprob %+v above 0", lp)
		}
	}
	if len(res.Logprobs) > 0 && (text.String() != res.Text || len(res.Logprobs) > res.OutputTokens) {
		t.Errorf("logprobs %+v for %d tokens of %q", res.Logprobs, res.OutputTokens, res.Text)
	}
	t.Logf("Ollama %s: %d tokens, %d logprobs: %q %+v", v, res.OutputTokens, len(res.Logprobs), res.Text, res.Logprobs)
	_, err = c.Generate(t.Context(), models.Request{Model: "no-such-model", Prompt: "q"})
	if !errors.Is(err, models.ErrModelNotInstalled) || !strings.Contains(err.Error(), "/v1/models") {
		t.Fatalf("unknown model: %v", err)
	}
}
