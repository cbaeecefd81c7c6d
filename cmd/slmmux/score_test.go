package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/runstore"
)

// TestScoreShortAnswers: score grades another tool's responses to a JSONL
// set (by id and by the exact prompt), reports an unmatched line, and
// writes a run folder that mux reads.
func TestScoreShortAnswers(t *testing.T) {
	data := writeArith(t, 3) // a0: 0+1=1, a1: 1+2=3, a2: 2+3=5
	resp := filepath.Join(t.TempDir(), "r.jsonl")
	os.WriteFile(resp, []byte(`{"id":"a0","response":"The answer is \\boxed{1}","model":"x"}
{"prompt":"What is 1+2?","response":"\\boxed{4}","model":"x"}
{"id":"a2","response":"\\boxed{5}"}
{"id":"a9","response":"\\boxed{5}","model":"x"}
`), 0o644)
	run := filepath.Join(t.TempDir(), "run")
	r := runCmd(t, "score", "--bench", "jsonl", "--data", data, "--responses", resp, "--json", "--run", run)
	var out struct {
		Metrics []struct {
			Model     string
			Responses int
			Passed    float64
		}
		Records []map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(out.Metrics) != 2 || out.Metrics[0].Model != "x" || out.Metrics[0].Responses != 2 || out.Metrics[0].Passed != 0.5 || out.Metrics[1].Model != "responses" {
		t.Errorf("metrics %+v", out.Metrics)
	}
	if len(out.Records) != 4 || out.Records[1]["id"] != "a1" || out.Records[1]["pass"] != false || out.Records[3]["error"] == nil {
		t.Errorf("records %v: every response is reported, the unmatched one with its error", out.Records)
	}
	if m := runCmd(t, "mux", "--run", run); !strings.Contains(m.stdout, "SLM-MUX") {
		t.Errorf("mux on the scored run: %+v", m)
	}
	bad := runCmd(t, "score", "--bench", "jsonl", "--data", data, "--responses", data)
	if bad.code != exitUsage || !strings.Contains(bad.stderr, "--responses") {
		t.Errorf("a data file given as responses: %+v", bad)
	}
}

func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	return run(t.Context(), nil, args...)
}

// TestScoreIFEvalGPT4 reproduces the IFEval paper's Table 3 for GPT-4 from
// the authors' published responses: within 0.5 points of each figure when
// every one of the 541 prompts counts (the response made for key 2785's
// old prompt matches none, and is reported).
func TestScoreIFEvalGPT4(t *testing.T) {
	data, resp := enginetest.DataFile(t, "ifeval.jsonl"), enginetest.DataFile(t, "ifeval_gpt4_responses.jsonl")
	r := runCmd(t, "score", "--bench", "ifeval", "--data", data, "--responses", resp, "--missing-as-blank", "--json")
	var out struct {
		Metrics []struct {
			Responses int
			PS        float64 `json:"prompt_level_strict"`
			IS        float64 `json:"instruction_level_strict"`
			PL        float64 `json:"prompt_level_loose"`
			IL        float64 `json:"instruction_level_loose"`
		}
		Records []map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Metrics) != 1 {
		t.Fatalf("%v: %+v", err, r)
	}
	m := out.Metrics[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"prompt-level strict", m.PS, 76.89}, {"instruction-level strict", m.IS, 83.57}, {"prompt-level loose", m.PL, 79.30}, {"instruction-level loose", m.IL, 85.37}} {
		if d := 100*c.got - c.want; d > 0.5 || d < -0.5 {
			t.Errorf("%s %.2f %%, paper %.2f %%", c.name, 100*c.got, c.want)
		}
	}
	unmatched := 0
	for _, rec := range out.Records {
		if rec["error"] != nil {
			unmatched++
		}
		if rec["error"] == nil && (rec["strict"] == nil || rec["loose"] == nil || rec["key"] == nil) {
			t.Fatalf("an IFEval record carries key, strict and loose: %v", rec)
		}
	}
	if m.Responses != 541 || unmatched != 1 {
		t.Errorf("%d responses scored, %d unmatched: want 541 (one blank) and 1", m.Responses, unmatched)
	}
}

// TestScoreHumanEvalReferences: score runs HumanEval's reference solutions
// (prompt + canonical_solution, as a chat reply would give them) in the
// sandbox: all 164 pass; the same functions returning None all fail.
func TestScoreHumanEvalReferences(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 328 sandboxed programs")
	}
	data := enginetest.DataFile(t, "humaneval.jsonl")
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sb strings.Builder
	dec := json.NewDecoder(f)
	for dec.More() {
		var p struct{ TaskID, Prompt, CanonicalSolution string }
		var raw map[string]string
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		p.TaskID, p.Prompt, p.CanonicalSolution = raw["task_id"], raw["prompt"], raw["canonical_solution"]
		for model, body := range map[string]string{"reference": p.CanonicalSolution, "none": "    return None\n"} {
			line, _ := json.Marshal(map[string]string{"task_id": p.TaskID, "model": model, "response": "```python\n" + p.Prompt + body + "```"})
			sb.Write(append(line, '\n'))
		}
	}
	resp := filepath.Join(t.TempDir(), "r.jsonl")
	os.WriteFile(resp, []byte(sb.String()), 0o644)
	dir := filepath.Join(t.TempDir(), "run")
	r := runCmd(t, "score", "--bench", "humaneval", "--data", data, "--responses", resp, "--allow-code-execution", "--exec-timeout", "30s", "--json", "--run", dir)
	var out struct {
		Metrics []struct {
			Model     string
			Responses int
			PassAt    map[string]float64 `json:"pass_at"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %+v", err, r)
	}
	for _, m := range out.Metrics {
		want := map[string]float64{"reference": 1, "none": 0}[m.Model]
		if m.Responses != 164 || m.PassAt["1"] != want {
			t.Errorf("%s: %d responses, pass@1 %v, want 164 and %v", m.Model, m.Responses, m.PassAt["1"], want)
		}
	}
	if len(out.Metrics) != 2 {
		t.Errorf("metrics %+v", out.Metrics)
	}
	var meta runstore.Meta
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &meta); err != nil || meta.Sandbox == nil || meta.Sandbox.Network == "" {
		t.Errorf("run.json must say how the code was isolated: %+v (%v)", meta.Sandbox, err)
	}
}
