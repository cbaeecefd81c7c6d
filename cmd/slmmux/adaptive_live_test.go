package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// Live, on the demo models (k = 5, 4 models): eval --adaptive selects, on
// every question, the winner and answer that full sampling selects for the
// same seeds, from fewer generations; mux on the adaptive run reports the
// same; ask --adaptive answers as ask does.
func TestAdaptiveSamplingLiveOnDemoModels(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{})
	ms := demoModels(t, d)
	data := filepath.Join(t.TempDir(), "demo-test.jsonl")
	if err := os.WriteFile(data, demo.TestSet(), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OLLAMA_HOST": d.Host}
	common := []string{"eval", "--bench", "jsonl", "--extractor", "number", "--data", data, "--limit", "48",
		"--models", strings.Join(ms, ","), "--samples", "5", "--seed", "3", "--temperature", "0.3",
		"--num-predict", "8", "--repeat-penalty", "1"}
	full, ad := filepath.Join(t.TempDir(), "full"), filepath.Join(t.TempDir(), "adaptive")
	if r := run(t.Context(), env, slices.Concat(common, []string{"--run", full})...); r.code != 0 {
		t.Fatalf("full eval: %+v", r)
	}
	if r := run(t.Context(), env, slices.Concat(common, []string{"--run", ad, "--adaptive"})...); r.code != 0 {
		t.Fatalf("adaptive eval: %+v", r)
	}
	fs, as := readSamples(t, full), readSamples(t, ad)
	items := map[string]bool{}
	for _, s := range fs {
		items[s.Item] = true
	}
	differ := 0
	for it := range items {
		sel := func(stored map[string]runstore.Sample) mux.Choice { return selectStored(stored, it, ms, 5) }
		f, a := sel(fs), sel(as)
		if f.Winner != a.Winner || f.Answer != a.Answer {
			differ++
			t.Errorf("%s: adaptive selects model %d answer %q, full sampling model %d answer %q", it, a.Winner, a.Answer, f.Winner, f.Answer)
		}
	}
	if len(as) >= len(fs) || len(fs) != 48*len(ms)*5 {
		t.Fatalf("adaptive run stored %d samples, full %d", len(as), len(fs))
	}
	t.Logf("adaptive eval on %d demo questions: %d of %d samples generated (%.1f %% saved), %d selections differ",
		len(items), len(as), len(fs), 100*(1-float64(len(as))/float64(len(fs))), differ)

	// mux over the adaptive run: full sampling's accuracy, no baselines.
	var fullRes struct {
		Accuracy float64 `json:"accuracy"`
	}
	if err := runstore.ReadJSON(full, runstore.ResultsFile, &fullRes); err != nil {
		t.Fatal(err)
	}
	r := run(t.Context(), nil, "mux", "--run", ad, "--json")
	var mj struct {
		Adaptive mux.StoredResult `json:"adaptive_run"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &mj) != nil {
		t.Fatalf("mux on the adaptive run: %+v", r)
	}
	if mj.Adaptive.Accuracy != fullRes.Accuracy || mj.Adaptive.Stored != len(as) {
		t.Fatalf("mux on the adaptive run: %+v; full run's SLM-MUX %v", mj.Adaptive, fullRes.Accuracy)
	}
	// Resuming the adaptive run generates nothing more.
	if r := run(t.Context(), env, slices.Concat(common, []string{"--run", ad, "--adaptive"})...); r.code != 0 || !strings.Contains(r.stdout, "generated 0 sample(s)") {
		t.Fatalf("adaptive resume: %+v", r)
	}
	if r := run(t.Context(), env, slices.Concat(common, []string{"--run", ad})...); r.code != exitUsage || !strings.Contains(r.stderr, "adaptive") {
		t.Fatalf("a full eval on an adaptive run folder: %+v", r)
	}

	q := []string{"ask", "--models", strings.Join(ms, ","), "--samples", "5", "--json", "What is 47+38?"}
	var fa, aa engine.AnswerView
	if r := run(t.Context(), env, q...); r.code != 0 || json.Unmarshal([]byte(r.stdout), &fa) != nil {
		t.Fatalf("ask: %+v", r)
	}
	if r := run(t.Context(), env, append(q, "--adaptive")...); r.code != 0 || json.Unmarshal([]byte(r.stdout), &aa) != nil {
		t.Fatalf("ask --adaptive: %+v", r)
	}
	if aa.Answer != fa.Answer || aa.Model != fa.Model || aa.Adaptive == nil || aa.Adaptive.Total != 5*len(ms) {
		t.Fatalf("ask --adaptive %q from %s (%+v), ask %q from %s", aa.Answer, aa.Model, aa.Adaptive, fa.Answer, fa.Model)
	}
	t.Logf("ask --adaptive: %d of %d samples", aa.Adaptive.Generated, aa.Adaptive.Total)
}

// eval --adaptive over a pool of two hosts (one tracker for both): every
// selection equals a full run's on one host, from fewer samples.
func TestAdaptiveSamplingOnAPool(t *testing.T) {
	da, db, dall := oneAtATime(t, t.TempDir(), ""), oneAtATime(t, t.TempDir(), ""), ollamatest.StartT(t, daemon.Options{})
	ms := demoModels(t, da)
	demoModels(t, db)
	demoModels(t, dall)
	cfg := writeConfig(t, [2]string{"alpha", da.Host}, [2]string{"beta", db.Host})
	data := filepath.Join(t.TempDir(), "demo-test.jsonl")
	if err := os.WriteFile(data, demo.TestSet(), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"eval", "--bench", "jsonl", "--extractor", "number", "--data", data, "--limit", "24",
		"--models", strings.Join(ms, ","), "--samples", "5", "--seed", "4", "--temperature", "0.3", "--num-predict", "8"}
	full, ad := filepath.Join(t.TempDir(), "full"), filepath.Join(t.TempDir(), "pool-adaptive")
	if r := run(t.Context(), map[string]string{"OLLAMA_HOST": dall.Host}, slices.Concat(common, []string{"--run", full})...); r.code != 0 {
		t.Fatalf("full eval on one host: %+v", r)
	}
	r := run(t.Context(), nil, slices.Concat(common, []string{"--run", ad, "--adaptive", "--config", cfg, "--max-loaded", "1"})...)
	if r.code != 0 || !strings.Contains(r.stderr, "host alpha ran") || !strings.Contains(r.stderr, "host beta ran") {
		t.Fatalf("adaptive eval on the pool: %+v", r)
	}
	fs, as := readSamples(t, full), readSamples(t, ad)
	items := map[string]bool{}
	for _, s := range fs {
		items[s.Item] = true
	}
	for it := range items {
		sel := func(stored map[string]runstore.Sample) mux.Choice { return selectStored(stored, it, ms, 5) }
		if f, a := sel(fs), sel(as); f.Winner != a.Winner || f.Answer != a.Answer {
			t.Errorf("%s: the pool's adaptive run selects model %d answer %q, full sampling model %d answer %q", it, a.Winner, a.Answer, f.Winner, f.Answer)
		}
	}
	if len(as) >= len(fs) {
		t.Fatalf("adaptive pool run stored %d samples, full %d", len(as), len(fs))
	}
	t.Logf("adaptive eval on a pool of two hosts: %d of %d samples, %d questions", len(as), len(fs), len(items))
}

// selectStored is SLM-MUX (paper profile, ties by model order) over one
// question's stored samples, by "item/model/sample" as readSamples keys
// them; a missing sample counts as no answer.
func selectStored(stored map[string]runstore.Sample, item string, ms []string, k int) mux.Choice {
	var ss []mux.Samples
	for _, m := range ms {
		answers := make([]string, k)
		for j := range answers {
			answers[j] = stored[fmt.Sprintf("%s/%s/%d", item, m, j)].Answer
		}
		ss = append(ss, mux.Samples{Model: m, Answers: answers})
	}
	return mux.Select(ss, nil, mux.Paper)
}
