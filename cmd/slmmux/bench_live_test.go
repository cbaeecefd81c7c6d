package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// TestEvalIFEvalLive: through the real daemon, eval on five IFEval prompts
// with two demo models grades every sample by the instruction checks
// (exec.jsonl, one verdict per sample), writes results, and a second call
// generates and grades nothing again.
func TestEvalIFEvalLive(t *testing.T) {
	data := sharedData(t, "ifeval.jsonl")
	d := ollamatest.Shared(t)
	demoModels(t, d)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"eval", "--bench", "ifeval", "--data", data, "--limit", "5", "--models", "demo-addsub,demo-mix",
		"--samples", "2", "--num-predict", "24", "--run", dir}
	r := run(t.Context(), env, args...)
	if r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	vs, err := runstore.ReadVerdicts(dir)
	if err != nil || len(vs) != 5*2*2 {
		t.Fatalf("%d verdicts (%v), want one per sample (20)", len(vs), err)
	}
	for k, v := range vs {
		if len(v.Detail) == 0 || !strings.Contains(string(v.Detail), "follow_instruction_list") {
			t.Fatalf("verdict of %v carries no strict/loose outputs: %s", k, v.Detail)
		}
	}
	again := run(t.Context(), env, args...)
	if again.code != 0 {
		t.Fatalf("resume: %+v", again)
	}
	if vs2, _ := runstore.ReadVerdicts(dir); len(vs2) != len(vs) {
		t.Errorf("resume graded again: %d verdicts", len(vs2))
	}
	if m := run(t.Context(), env, "mux", "--run", dir); m.code != 0 || !strings.Contains(m.stdout, "SLM-MUX") {
		t.Errorf("mux on the IFEval run: %+v", m)
	}
}
