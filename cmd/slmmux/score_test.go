package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
