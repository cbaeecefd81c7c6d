package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// noAnswerText is the start of serve's content when no model answered.
const noAnswerText = "No model of the ensemble gave an answer"

// askKindJSON is what these tests read of `ask --json --responses`.
type askKindJSON struct {
	Answer, Model, Kind, Measure, Reply string
	Models                              []struct {
		Model     string
		Responses []string
	}
}

// askKind runs ask --json --responses with extra flags and checks that it
// returns a winner, the kind want ("" any) and a reply that is one of the
// winner's samples.
func askKind(t *testing.T, host string, want string, args ...string) askKindJSON {
	t.Helper()
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, append([]string{"ask", "--json", "--responses"}, args...)...)
	var out askKindJSON
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
		t.Fatalf("ask %q: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
	}
	t.Logf("ask %q: kind %s %s, model %s, reply %q", args, out.Kind, out.Measure, out.Model, out.Reply)
	if !slices.Contains([]string{"short", "code", "text"}, out.Kind) || want != "" && out.Kind != want || out.Model == "" || strings.TrimSpace(out.Reply) == "" {
		t.Fatalf("ask %q: want kind %q, a winner and its reply:\n%s", args, want, r.stdout)
	}
	for _, m := range out.Models {
		if m.Model == out.Model && !slices.Contains(m.Responses, out.Reply) {
			t.Errorf("ask %q: the reply is not one of %s's samples:\n%s", args, m.Model, r.stdout)
		}
	}
	return out
}

// chatKind posts one chat to serve's OpenAI API and checks the content is
// a whole sample of the winning model, never the no-answer text, with
// the kind want ("" any) in the slmmux object.
func chatKind(t *testing.T, base, model, question, want string) {
	t.Helper()
	code, body := post(t, base+"/v1/chat/completions", `{"model":"`+model+`","messages":[{"role":"user","content":"`+question+`"}]}`)
	var resp struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
		Slmmux struct {
			Model, Kind string
			Members     []struct {
				Model   string
				Samples []string
			}
		} `json:"slmmux"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &resp) != nil || len(resp.Choices) != 1 {
		t.Fatalf("serve %s: %d %s", model, code, body)
	}
	content := resp.Choices[0].Message.Content
	t.Logf("serve %s: kind %s, model %s, content %q", model, resp.Slmmux.Kind, resp.Slmmux.Model, content)
	if strings.HasPrefix(content, noAnswerText) || resp.Slmmux.Model == "" || !slices.Contains([]string{"short", "code", "text"}, resp.Slmmux.Kind) ||
		want != "" && resp.Slmmux.Kind != want {
		t.Fatalf("serve %s: want a reply and kind %q: %s", model, want, body)
	}
	for _, m := range resp.Slmmux.Members {
		if m.Model == resp.Slmmux.Model && !slices.Contains(m.Samples, content) {
			t.Errorf("serve %s: the content is not one of %s's samples: %s", model, m.Model, body)
		}
	}
}

// On a question the demo models cannot answer with a number (they are
// arithmetic models, and answer one anyway), ask and serve return a whole
// reply of the winning model with the question's kind: chosen from the
// replies by default, or fixed (ask --kind, an ensemble's extractor) to
// text, compared by ROUGE-L (by cosine with an embedding model), or to code: no demo reply carries code, so
// the question is answered as text rather than not at all. A
// short-answer question keeps today's answer.
func TestAskAndServeAnswerEveryKind(t *testing.T) {
	d := ollamatest.Shared(t)
	ms := strings.Join(demoModels(t, d), ",")
	const question = "Write a short poem about the sea, in three lines."
	askKind(t, d.Host, "", "--models", ms, question)
	if out := askKind(t, d.Host, "text", "--models", ms, "--kind", "text", question); out.Measure != "rouge-l" || out.Answer != strings.TrimSpace(out.Reply) {
		t.Errorf("ask --kind text: measure %q, answer %q: want rouge-l and the trimmed reply", out.Measure, out.Answer)
	}
	askKind(t, d.Host, "text", "--models", ms, "--kind", "code", question)
	if out := askKind(t, d.Host, "text", "--models", ms, "--kind", "text", "--embed-model", "demo-mix", question); out.Measure != "cosine" {
		t.Errorf("ask --kind text --embed-model: measure %q, want cosine", out.Measure)
	}
	plain := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "ask", "--models", ms, "What is 85-73?")
	if plain.code != 0 || !strings.Contains(plain.stdout, "answer: 12\nfrom:") || !strings.Contains(plain.stdout, "kind:   short\n") {
		t.Errorf("ask, a short answer: exit %d\n%s", plain.code, plain.stdout)
	}

	cfg := filepath.Join(t.TempDir(), "serve.yaml")
	if err := os.WriteFile(cfg, []byte("ensembles:\n  mux:\n    samples: 3\n  prose:\n    samples: 3\n    extractor: text\n  program:\n    samples: 2\n    extractor: code\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, d, "--config", cfg)
	chatKind(t, base, "mux", question, "")
	chatKind(t, base, "mux:prose", question, "text")
	chatKind(t, base, "mux:program", question, "text")
	code, body := post(t, base+"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":"What is 85-73?"}]}`)
	if code != 200 || !strings.Contains(body, `"answer":"12"`) || !strings.Contains(body, `"kind":"short"`) {
		t.Errorf("serve, a short answer: %d %s", code, body)
	}
}
