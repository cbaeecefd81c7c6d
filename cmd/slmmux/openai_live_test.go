package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// readSamples returns a run's responses by "item/model/sample".
func readSamples(t *testing.T, dir string) map[string]runstore.Sample {
	t.Helper()
	ss, err := runstore.ReadSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]runstore.Sample{}
	for _, s := range ss {
		out[fmt.Sprintf("%s/%s/%d", s.Item, s.Model, s.Sample)] = s
	}
	return out
}

// The same eval through Ollama's native API and through its /v1 (a real
// third-party implementation of OpenAI's API, driven by --backend openai)
// gives the same answers for the same seeds and explicit options. The
// OpenAI API cannot carry num_ctx or num_thread, so the /v1 requests run
// with the daemon's own context window and threads: neither changes a
// short answer. top_p is given (--top-p 0.9, Ollama's native default),
// since Ollama's /v1 would otherwise sample with 1.0.
func TestOpenAIBackendMatchesNative(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{}) // its own: models other tests left loaded would be evicted mid-wave
	demoModels(t, d)
	ms := []string{"demo-addsub", "demo-mix", "demo-mul"} // three fit Ollama's default of 3 loaded models: no reloads
	data := filepath.Join(t.TempDir(), "demo-test.jsonl")
	if err := os.WriteFile(data, demo.TestSet(), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"eval", "--bench", "jsonl", "--extractor", "number", "--data", data, "--limit", "12",
		"--models", strings.Join(ms, ","), "--samples", "2", "--seed", "11", "--temperature", "0.3", "--num-predict", "12", "--top-p", "0.9"}
	env := map[string]string{"OLLAMA_HOST": d.Host}
	native, viaV1 := filepath.Join(t.TempDir(), "native"), filepath.Join(t.TempDir(), "v1")
	if r := run(t.Context(), env, slices.Concat(common, []string{"--run", native})...); r.code != 0 {
		t.Fatalf("native eval: %+v", r)
	}
	// One request at a time, as the native run sends them (--slots 1):
	// parallel requests to one model would be batched by the runner.
	r := run(t.Context(), env, slices.Concat(common, []string{"--run", viaV1, "--backend", "openai", "--base-url", d.Host + "/v1", "--max-concurrency", "1"})...)
	if r.code != 0 {
		t.Fatalf("eval --backend openai: %+v", r)
	}
	if !strings.Contains(r.stderr, "memory planning does not apply") {
		t.Errorf("no line says memory planning does not apply: %s", r.stderr)
	}
	// The contrast: without --top-p, the API's default top_p 1 is sent.
	defaultTopP := filepath.Join(t.TempDir(), "v1-top-p-1")
	common = slices.DeleteFunc(common, func(s string) bool { return s == "--top-p" || s == "0.9" })
	r = run(t.Context(), env, slices.Concat(common, []string{"--run", defaultTopP, "--backend", "openai", "--base-url", d.Host + "/v1", "--max-concurrency", "1"})...)
	if r.code != 0 {
		t.Fatalf("eval --backend openai without --top-p: %+v", r)
	}
	a := readSamples(t, native)
	if len(a) != 12*len(ms)*2 {
		t.Fatalf("%d native samples, want %d", len(a), 12*len(ms)*2)
	}
	diff := func(dir string, show bool) (texts, answers int) {
		b := readSamples(t, dir)
		if len(b) != len(a) {
			t.Fatalf("%s: %d samples, want %d", dir, len(b), len(a))
		}
		for k, s := range a {
			if o := b[k]; o.Response != s.Response {
				texts++
				if show {
					t.Logf("%s: native %q, /v1 %q", k, s.Response, o.Response)
				}
				if o.Answer != s.Answer {
					answers++
				}
			}
		}
		return texts, answers
	}
	texts, answers := diff(viaV1, true)
	t.Logf("native API vs /v1 (--backend openai), top_p 0.9 on both: %d of %d responses differ (%d answers)", texts, len(a), answers)
	ct, ca := diff(defaultTopP, false)
	t.Logf("native API (top_p 0.9) vs /v1 with the API's default top_p 1: %d of %d responses differ (%d answers)", ct, len(a), ca)
	if texts > 0 {
		t.Fatalf("%d of %d responses differ between the native API and /v1 for the same seeds and options", texts, len(a))
	}
	if ct == 0 {
		t.Fatal("top_p 1 and 0.9 gave the same responses: the comparison cannot tell options apart")
	}
}

// ask --backend openai against slmmux serve's own /v1, with the ensemble
// as the model; that serve itself runs on --backend openai over Ollama's
// /v1, and passes a request for an ordinary model through to it.
func TestAskThroughServeV1(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d, "--backend", "openai", "--base-url", d.Host+"/v1", "--max-concurrency", "2")
	env := map[string]string{"OLLAMA_HOST": closedPort(t)} // nothing reaches Ollama's native API
	oa := []string{"--backend", "openai", "--base-url", base + "/v1"}
	r := run(t.Context(), env, slices.Concat([]string{"ask"}, oa, []string{"--models", "mux", "--samples", "1", "--json", "What is 85-73?"})...)
	if r.code != 0 || !strings.Contains(r.stdout, `"answer": "12"`) {
		t.Fatalf("ask mux through serve's /v1: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t.Context(), env, slices.Concat([]string{"ask"}, oa, []string{"--models", "demo-addsub", "--samples", "1", "--num-predict", "12", "What is 85-73?"})...)
	if r.code != 0 || !strings.Contains(r.stdout, "answer: 12\n") {
		t.Fatalf("ask an ordinary model through serve's /v1 (passed through): exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
