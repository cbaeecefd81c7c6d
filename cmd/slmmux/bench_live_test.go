package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// TestEvalIFEvalLive: through the real daemon, eval on five IFEval prompts
// with two demo models grades every sample by the instruction checks
// (exec.jsonl, one verdict per sample), writes results, and a second call
// generates and grades nothing again.
func TestEvalIFEvalLive(t *testing.T) {
	data := enginetest.DataFile(t, "ifeval.jsonl")
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

// TestEvalHumanEvalLive: through the real daemon, eval on three HumanEval
// problems with two demo models (which cannot write code): without
// --allow-code-execution the samples are stored and scoring is refused,
// naming the flag; with it every sample runs in the sandbox and fails, its
// verdict in exec.jsonl; a second call generates and runs nothing again.
func TestEvalHumanEvalLive(t *testing.T) {
	data := enginetest.DataFile(t, "humaneval.jsonl")
	d := ollamatest.Shared(t)
	demoModels(t, d)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"eval", "--bench", "humaneval", "--data", data, "--limit", "3", "--models", "demo-addsub,demo-mix",
		"--samples", "2", "--num-predict", "24", "--run", dir}
	r := run(t.Context(), env, args...)
	if r.code != 0 || !strings.Contains(r.stderr, "--allow-code-execution") {
		t.Fatalf("eval without permission: %+v", r)
	}
	samples, err := runstore.ReadSamples(dir)
	if err != nil || len(samples) != 3*2*2 {
		t.Fatalf("%d samples stored (%v), want 12", len(samples), err)
	}
	if vs, _ := runstore.ReadVerdicts(dir); len(vs) != 0 {
		t.Fatalf("%d verdicts without permission: nothing may run", len(vs))
	}
	r = run(t.Context(), env, append(args, "--allow-code-execution")...)
	if r.code != 0 {
		t.Fatalf("eval --allow-code-execution: %+v", r)
	}
	vs, err := runstore.ReadVerdicts(dir)
	if err != nil || len(vs) != 12 {
		t.Fatalf("%d verdicts (%v), want one per sample (12)", len(vs), err)
	}
	for k, v := range vs {
		if v.Pass || v.Reason == "" {
			t.Errorf("sample %v: the demo models write no code, yet %+v", k, v)
		}
	}
	again := run(t.Context(), env, append(args, "--allow-code-execution")...)
	if vs2, _ := runstore.ReadVerdicts(dir); again.code != 0 || len(vs2) != 12 {
		t.Errorf("resume: %+v, %d verdicts", again, len(vs2))
	}
	if s2, _ := runstore.ReadSamples(dir); len(s2) != 12 {
		t.Errorf("resume generated again: %d samples", len(s2))
	}
	if m := run(t.Context(), env, "mux", "--run", dir); m.code != 0 || !strings.Contains(m.stdout, "0.0 %") {
		t.Errorf("mux on the HumanEval run: %+v", m)
	}
	if m := run(t.Context(), env, "mux", "--run", dir, "--group", "behaviour"); m.code != exitUsage || !strings.Contains(m.stderr, "eval --group behaviour") {
		t.Errorf("mux --group behaviour before the behaviours ran: %+v", m)
	}
	if r := run(t.Context(), env, append(args, "--allow-code-execution", "--group", "behaviour")...); r.code != 0 {
		t.Fatalf("eval --group behaviour: %+v", r)
	}
	if bs, err := runstore.ReadBehaviours(dir); err != nil || len(bs) != 12 {
		t.Errorf("%d behaviours (%v), want one per sample", len(bs), err)
	}
	if m := run(t.Context(), env, "mux", "--run", dir, "--group", "behaviour"); m.code != 0 || !strings.Contains(m.stdout, "SLM-MUX") {
		t.Errorf("mux --group behaviour: %+v", m)
	}
}
