package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// The reduced demo, live: SLM-MUX must beat the best single model and
// Agent Forest under both tie rules, so a regression in the engine, the
// extractor, the GGUF writer or the import breaks the build; the best pair
// and the large model are reported with their costs.
func TestReducedDemoBeatsBestSingleModel(t *testing.T) {
	d := ollamatest.Shared(t)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "demo", "--limit", "90", "--samples", "3", "--json")
	if r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	var out report.DemoResult
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	var table struct{ Methods []engine.MethodRow }
	if err := json.Unmarshal([]byte(r.stdout), &table); err != nil || len(table.Methods) == 0 || table.Methods[0].Method != "SLM-MUX" ||
		table.Methods[0].Accuracy != out.Mux.Accuracy || table.Methods[0].Generations != 90*3*5 || table.Methods[0].OutputTokens <= 0 {
		t.Errorf("demo --json methods: %+v (%v): the comparison table, SLM-MUX first as the demo scores it, with its cost", table.Methods, err)
	}
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	best := ""
	for m, acc := range out.Single {
		if best == "" || acc > out.Single[best] {
			best = m
		}
	}
	t.Logf("demo (90 items, k=3): SLM-MUX %.3f, single %v, single+SC %v, Agent Forest %.3f (best_support %.3f), oracle %.3f, best pair %+v, large %+v",
		out.Mux.Accuracy, out.Single, out.SingleSC, out.AgentForest, out.AgentForestBestSupport, out.Oracle, out.BestPair, out.Large)
	if out.NItems != 90 || len(out.Single) != len(cat.Pool()) || len(out.Single) < 3 {
		t.Fatalf("demo result %+v", out)
	}
	// The demo's claims (issue 15), with room for the subset's noise: SLM-MUX
	// at least 5 points above the best single small model and 3 above Agent
	// Forest under either tie rule; every small model alone below 80 %.
	if out.Mux.Accuracy < out.Single[best]+0.05 {
		t.Errorf("SLM-MUX %.3f does not beat the best single model %s (%.3f) by 5 points", out.Mux.Accuracy, best, out.Single[best])
	}
	if out.Mux.Accuracy < out.AgentForest+0.03 || out.Mux.Accuracy < out.AgentForestBestSupport+0.03 {
		t.Errorf("SLM-MUX %.3f does not beat Agent Forest (%.3f first seen, %.3f best_support) by 3 points", out.Mux.Accuracy, out.AgentForest, out.AgentForestBestSupport)
	}
	if out.Single[best] >= 0.80 {
		t.Errorf("the best small model %s scores %.3f alone: the pool's models should each be below 80 %%", best, out.Single[best])
	}
	if p := out.BestPair; p == nil || len(p.Models) != 2 || p.Params <= 0 || p.OutputTokens <= 0 || p.WallSeconds <= 0 || p.Stderr <= 0 {
		t.Errorf("best pair %+v: want two models with params, tokens, wall time and a standard error", p)
	}
	lg, ok := cat.Large()
	switch l := out.Large; {
	case !ok && l != nil:
		t.Errorf("large %+v reported, but the catalog has no large model", l)
	case ok && (l == nil || l.Model != lg.Name || l.Params != lg.Params || l.OutputTokens <= 0 || l.WallSeconds <= 0 || l.Stderr <= 0):
		t.Errorf("large %+v: want %s with its params, tokens, wall time and a standard error", l, lg.Name)
	case ok && out.Single[lg.Name] != 0:
		t.Errorf("the large model %s is in the pool", lg.Name)
	}
}

// Ollama's greedy outputs equal the PyTorch model's, recorded at training:
// the architecture, tokenizer and GGUF conversion match llama.cpp's.
func TestDemoModelsMatchPyTorchGolden(t *testing.T) {
	d := ollamatest.Shared(t)
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Import(t.Context(), d.Client, cat, os.Stderr); err != nil {
		t.Fatal(err)
	}
	for _, m := range cat.Models {
		digest, err := demo.Digest(m.File)
		if err != nil || digest != m.Digest {
			t.Fatalf("%s: catalog digest %s, file %s (%v)", m.Name, m.Digest, digest, err)
		}
		goldens, err := demo.Goldens(m.Name)
		if err != nil || len(goldens) == 0 {
			t.Fatalf("%s: no golden outputs: %v", m.Name, err)
		}
		mismatch := 0
		for _, g := range goldens {
			res, err := d.Client.Generate(t.Context(), models.Request{Model: m.Name, Prompt: g.Prompt,
				Options: models.Options{Temperature: models.Float(0), Seed: models.Int(0), NumPredict: 12,
					RepeatPenalty: models.Float(1), NumThread: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != g.Output {
				mismatch++
				t.Errorf("%s %q: ollama %q, pytorch %q", m.Name, g.Prompt, res.Text, g.Output)
			}
		}
		t.Logf("%s: %d/%d greedy outputs equal PyTorch's", m.Name, len(goldens)-mismatch, len(goldens))
	}
}

// A few training steps, exported and converted, load and generate: the
// training script cannot rot unnoticed.
func TestTrainingSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("trains with PyTorch and loads into the real daemon: skipped under -short")
	}
	if exec.Command("/usr/bin/python3", "-c", "import torch").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3-torch is missing (make test installs it with scripts/deps.sh)")
		}
		t.Skip("python3-torch not installed (apt-get install python3-torch)")
	}
	d := ollamatest.Shared(t)
	out := t.TempDir()
	cmd := exec.Command("/usr/bin/python3", filepath.Join("..", "..", "scripts", "train_demo.py"), "--smoke", "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("train_demo.py --smoke: %v\n%s", err, b)
	}
	var dirs []string
	filepath.WalkDir(out, func(p string, e os.DirEntry, _ error) error {
		if e != nil && e.Name() == "model.json" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if len(dirs) == 0 {
		t.Fatal("the smoke run exported no model")
	}
	slices.Sort(dirs)
	f, err := gguf.FromTorchExport(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, "smoke.gguf")
	w, _ := os.Create(path)
	if _, err := f.WriteTo(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := d.Client.Import(t.Context(), "smoke", path, demo.Template); err != nil {
		t.Fatal(err)
	}
	res, err := d.Client.Generate(t.Context(), models.Request{Model: "smoke", Prompt: "What is 1+2?",
		Options: models.Options{Temperature: models.Float(0), NumPredict: 6}})
	if err != nil || res.OutputTokens == 0 {
		t.Fatalf("smoke model: %+v %v", res, err)
	}
}

// TestDemoNamedDaemonUnreachable: with OLLAMA_HOST naming a daemon that
// does not answer, the demo says so and how to let it start its own (not
// to run the demo it is).
func TestDemoNamedDaemonUnreachable(t *testing.T) {
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, "demo", "--limit", "1")
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "unset OLLAMA_HOST") || strings.Contains(r.stderr, "run `slmmux demo`") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
