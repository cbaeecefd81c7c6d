package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// TestEvalDiscussionMethodsBesideSLMMUX: through the real daemon, a plain
// eval, then MoA, Debate and MAV added to the same run folder over the
// same models and items; each method's replies are stored with their
// round, a second call reuses every one of them, run.json lists the
// methods with their settings and prompts, and mux --json compares them
// all in one table.
func TestEvalDiscussionMethodsBesideSLMMUX(t *testing.T) {
	d := ollamatest.Shared(t)
	demoModels(t, d)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := filepath.Join(t.TempDir(), "test.jsonl")
	os.WriteFile(data, demo.TestSet(), 0o644)
	dir := filepath.Join(t.TempDir(), "run")
	base := []string{"eval", "--bench", "jsonl", "--extractor", "number", "--data", data, "--limit", "4",
		"--models", "demo-addsub,demo-mul,demo-mix", "--samples", "2", "--temperature", "1", "--run", dir}
	if r := run(t.Context(), env, base...); r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	for _, m := range []string{"moa", "debate", "mav", "debate+mux"} {
		r := run(t.Context(), env, append(base, "--method", m)...)
		if r.code != 0 || !strings.Contains(r.stdout, m) {
			t.Fatalf("eval --method %s: %+v", m, r)
		}
	}
	turns, err := runstore.ReadTurns(dir)
	if err != nil {
		t.Fatal(err)
	}
	rounds := map[string]map[int]bool{}
	for _, tr := range turns {
		if rounds[tr.Method] == nil {
			rounds[tr.Method] = map[int]bool{}
		}
		rounds[tr.Method][tr.Round] = true
	}
	if len(rounds["moa"]) != 4 || len(rounds["debate"]) != 3 || len(rounds["mav"]) != 3 || len(rounds["debate+mux"]) != 3 { // rounds + the final line's 0
		t.Errorf("rounds stored per method: %v", rounds)
	}
	// debate+mux's first round is SLM-MUX's samples: each reply is one the plain eval stored.
	samples, err := runstore.ReadSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[[3]string]bool{}
	for _, s := range samples {
		stored[[3]string{s.Item, s.Model, s.Response}] = true
	}
	for _, tr := range turns {
		if tr.Method == "debate+mux" && tr.Round == 1 && !stored[[3]string{tr.Item, tr.Model, tr.Response}] {
			t.Errorf("debate+mux round 1 of %s by %s is not one of its SLM-MUX samples: %q", tr.Item, tr.Model, tr.Response)
		}
	}
	r := run(t.Context(), env, append(base, "--method", "debate")...)
	if r.code != 0 || !strings.Contains(r.stderr, "0 generations") {
		t.Errorf("a second debate over the same folder must generate nothing: %+v", r)
	}
	var meta runstore.Meta
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &meta); err != nil || len(meta.Methods) != 4 || len(meta.Methods[0].Prompts) == 0 {
		t.Errorf("run.json methods: %+v (%v)", meta.Methods, err)
	}
	// Killed between rounds: the finals and debate's second round are gone;
	// the next call generates exactly that round again and nothing else.
	var kept []runstore.Turn
	lost := 0
	for _, tr := range turns {
		if tr.Method == "debate" && tr.Round == 2 {
			lost++
			continue
		}
		if tr.Method == "debate" && tr.Role == "final" {
			continue
		}
		kept = append(kept, tr)
	}
	if err := runstore.WriteJSONL(dir, runstore.DiscussFile, kept); err != nil {
		t.Fatal(err)
	}
	r = run(t.Context(), env, append(base, "--method", "debate")...)
	if r.code != 0 || !strings.Contains(r.stderr, fmt.Sprintf("debate: %d generations", lost)) {
		t.Errorf("resume after a kill between rounds must generate the %d lost replies only: %+v", lost, r)
	}
	repDir := t.TempDir()
	if rep := run(t.Context(), env, "report", "--run", dir, "--out", repDir); rep.code != 0 {
		t.Errorf("report: %+v", rep)
	}
	page, _ := os.ReadFile(filepath.Join(repDir, "report.html"))
	for _, m := range []string{"<td>moa</td>", "<td>debate</td>", "<td>mav</td>", "<td>debate+mux</td>"} {
		if !strings.Contains(html.UnescapeString(string(page)), m) {
			t.Errorf("report.html lacks the row %s", m)
		}
	}
	m := run(t.Context(), env, "mux", "--run", dir, "--json")
	var out struct {
		Methods []struct {
			Method      string
			Items       int
			Generations int
		}
	}
	if err := json.Unmarshal([]byte(m.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, m.stdout)
	}
	seen := map[string]bool{}
	for _, row := range out.Methods {
		seen[row.Method] = row.Items == 4 && row.Generations > 0
	}
	for _, want := range []string{"SLM-MUX", "Agent Forest", "demo-addsub", "demo-mul +SC", "moa", "debate", "mav", "debate+mux"} {
		if !seen[want] {
			t.Errorf("mux --json methods lack %s (items 4, generations > 0): %+v", want, out.Methods)
		}
	}
}

// TestServeDiscussionEnsembles: an ensemble may serve a discussion method
// as a model. Through the real daemon, each of moa, debate and mav
// answers a chat with one of its members' replies, and its slmmux object
// names the method, the winner and every member's replies; the same
// request answers the same again.
func TestServeDiscussionEnsembles(t *testing.T) {
	d := ollamatest.Shared(t)
	demoModels(t, d)
	cfg := "ensembles:\n"
	for _, m := range []string{"moa", "debate", "mav"} {
		cfg += fmt.Sprintf("  %s:\n    models: [demo-addsub, demo-mul]\n    method: %s\n    temperature: 1\n", m, m)
	}
	// Members and aggregator named as `ollama list` names them (":latest")
	// are the resolved members.
	cfg += "  tagged:\n    models: [demo-addsub:latest, demo-mul]\n    method: moa\n    aggregator: demo-addsub:latest\n"
	path := filepath.Join(t.TempDir(), "serve.yaml")
	os.WriteFile(path, []byte(cfg), 0o644)
	base := launchServe(t, map[string]string{"OLLAMA_HOST": d.Host}, "--config", path)
	if code, reply := post(t, base+"/v1/chat/completions", `{"model":"mux:tagged","messages":[{"role":"user","content":"What is 2+3?"}]}`); code != 200 {
		t.Errorf("moa over members named with :latest: %d %s", code, reply)
	}
	for _, m := range []string{"moa", "debate", "mav"} {
		body := fmt.Sprintf(`{"model":"mux:%s","seed":4,"messages":[{"role":"user","content":"What is 47+8?"}]}`, m)
		code, reply := post(t, base+"/v1/chat/completions", body)
		var out struct {
			Choices []struct{ Message struct{ Content string } }
			Slmmux  struct {
				Method, Model string
				Members       []struct {
					Model   string
					Samples []string
				}
			}
		}
		if code != 200 || json.Unmarshal([]byte(reply), &out) != nil || len(out.Choices) != 1 {
			t.Fatalf("%s: %d %s", m, code, reply)
		}
		if out.Slmmux.Method != m || len(out.Slmmux.Members) != 2 {
			t.Errorf("%s: slmmux object %+v", m, out.Slmmux)
		}
		found := false
		for _, mem := range out.Slmmux.Members {
			if len(mem.Samples) == 0 {
				t.Errorf("%s: member %s shows no replies", m, mem.Model)
			}
			for _, s := range mem.Samples {
				found = found || (mem.Model == out.Slmmux.Model && s == out.Choices[0].Message.Content)
			}
		}
		if out.Slmmux.Model != "" && !found {
			t.Errorf("%s: the content is not one of the winner %s's replies: %q", m, out.Slmmux.Model, out.Choices[0].Message.Content)
		}
		if again := chatReply(t, base, body); again != chatReply(t, base, body) {
			t.Errorf("%s: the same request answered differently", m)
		}
		// Ollama's own Go client, unchanged, gets the same content.
		u, _ := url.Parse(base)
		var chat strings.Builder
		stream, seed := false, 4
		err := api.NewClient(u, http.DefaultClient).Chat(t.Context(), &api.ChatRequest{Model: "mux:" + m, Stream: &stream,
			Messages: []api.Message{{Role: "user", Content: "What is 47+8?"}}, Options: map[string]any{"seed": seed}},
			func(r api.ChatResponse) error { chat.WriteString(r.Message.Content); return nil })
		if err != nil || chat.String() != out.Choices[0].Message.Content {
			t.Errorf("%s through Ollama's Go client: %q, %v; want %q", m, chat.String(), err, out.Choices[0].Message.Content)
		}
	}
}
