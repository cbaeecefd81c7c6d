package score_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/score"
)

func TestPassAtK(t *testing.T) {
	cases := []struct {
		n, c, k int
		want    float64
	}{
		{10, 0, 1, 0}, {10, 10, 1, 1}, {10, 3, 1, 0.3},
		{5, 1, 2, 1 - 6.0/10},    // 1 - C(4,2)/C(5,2)
		{10, 3, 5, 1 - 21.0/252}, // 1 - C(7,5)/C(10,5)
		{4, 2, 3, 1},             // n-c < k: some draw of 3 always holds a pass
		{3, 1, 5, 1},             // k > n is n
	}
	for _, c := range cases {
		if got := score.PassAtK(c.n, c.c, c.k); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("PassAtK(%d, %d, %d) = %v, want %v", c.n, c.c, c.k, got, c.want)
		}
	}
}

// adder is a code grader: a response passes when it returns a + b.
type adder struct{ benchmark.Benchmark }

func (adder) Name() string      { return "adder" }
func (adder) Kind() answer.Kind { return answer.Code }
func (adder) Prompt(it benchmark.Item) benchmark.Prompt {
	return benchmark.Prompt{User: "Write " + it.Question}
}
func (adder) Extract(r string, _ benchmark.Item) string {
	c, _ := answer.ExtractCode(r)
	return answer.NormalizeCode(c)
}
func (adder) Grade(_ context.Context, r string, _ benchmark.Item) (benchmark.Verdict, error) {
	if strings.Contains(r, "boom") {
		return benchmark.Verdict{}, errors.New("sandbox down")
	}
	if strings.Contains(r, "return a + b") {
		return benchmark.Verdict{Pass: true}, nil
	}
	return benchmark.Verdict{Reason: "AssertionError"}, nil
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r.jsonl")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScoreResponses(t *testing.T) {
	items := []benchmark.Item{{ID: "T/0", Question: "add(a, b)"}, {ID: "T/1", Question: "add2(a, b)"}}
	p := writeFile(t, `{"task_id":"T/0","response":"def add(a, b):\n    return a + b","model":"m1"}
{"task_id":"T/0","response":"def add(a, b):\n    return a - b","model":"m1"}
{"prompt":"add2(a, b)","response":"def add2(a, b):\n    return a + b","model":"m1"}
{"prompt":"Write add2(a, b)","response":"x","model":"m1"}
{"id":"T/9","response":"def f(): pass","model":"m1"}
{"task_id":"T/0","response":"","model":"m2"}
`)
	rs, err := score.ReadResponses(p)
	if err != nil {
		t.Fatal(err)
	}
	b := adder{}
	recs := score.Match(b, items, rs)
	if recs[2].Item != "T/1" || recs[3].Item != "T/1" || recs[3].Sample != 1 || recs[1].Sample != 1 {
		t.Fatalf("matching by question and by the prompt's user text: %+v", recs)
	}
	if recs[4].Err == "" || !strings.Contains(recs[4].Err, "T/9") {
		t.Fatalf("an unknown id is reported: %+v", recs[4])
	}
	if err := score.Grade(t.Context(), b, items, recs, 2); err != nil {
		t.Fatal(err)
	}
	ms := score.Compute(answer.Code, recs)
	if len(ms) != 2 || ms[0].Model != "m1" || ms[0].Responses != 4 || ms[0].Items != 2 {
		t.Fatalf("metrics %+v", ms)
	}
	if got := ms[0].PassAt["1"]; math.Abs(got-0.5) > 1e-12 { // T/0: 1 of 2, T/1: 1 of 2
		t.Errorf("m1 pass@1 = %v, want 0.5", got)
	}
	if ms[1].PassAt["1"] != 0 || recs[5].Verdict.Reason != "AssertionError" {
		t.Errorf("an empty reply is graded like any other, and fails: %+v %+v", ms[1], recs[5].Verdict)
	}
	j := recs[0].JSON("task_id")
	if j["task_id"] != "T/0" || j["pass"] != true || j["model"] != "m1" {
		t.Errorf("record JSON %v", j)
	}
	if j := recs[4].JSON("task_id"); j["error"] == nil || j["line"] != 5 {
		t.Errorf("unmatched record JSON %v", j)
	}

	// The records as a run folder: mux and report read correct from the verdicts.
	dir := filepath.Join(t.TempDir(), "run")
	if err := score.WriteRun(dir, p, b, items, recs); err != nil {
		t.Fatal(err)
	}
	r, err := engine.LoadRun(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Graded != 5 || len(r.Dataset.Items) != 2 {
		t.Errorf("run folder: %d graded, %d items", r.Graded, len(r.Dataset.Items))
	}
	if err := score.WriteRun(dir, p, b, items, recs); err != nil {
		t.Fatalf("the same responses again: %v", err)
	}

	// A grading failure (not a wrong answer) stops with an error.
	bad := score.Match(b, items, []score.Response{{Line: 1, Ref: "T/0", Response: "boom", Model: "m"}})
	if err := score.Grade(t.Context(), b, items, bad, 1); err == nil || !strings.Contains(err.Error(), "sandbox down") {
		t.Errorf("grading failure: %v", err)
	}
}

func TestReadResponsesErrors(t *testing.T) {
	for body, want := range map[string]string{
		"{\"task_id\":1}\n":      `:1: no "response"`,
		"{\"response\":\"x\"}\n": "names no item",
		"not json\n":             "not a JSON object",
		"\n\n":                   "holds no responses",
	} {
		if _, err := score.ReadResponses(writeFile(t, body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", body, err, want)
		}
	}
}
