package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/runstore"
)

// codeRun writes a run of four code questions as an eval of a grading
// benchmark stores it: each sample's answer is its reply's normalized
// code, kind "code", correct the verdict. "steady" writes one program per
// question (its samples differ in comments and spacing only), correct on
// q1-q3 and wrong on q4; "drift" and "loose" write a different program in
// every sample, one of them correct.
func codeRun(t *testing.T) string {
	t.Helper()
	programs := func(i int) (steady []string, drift []string, loose []string) {
		fn := fmt.Sprintf("task_%d", i)
		steady = []string{
			fmt.Sprintf("```python\ndef %s(xs):\n    total = 0\n    for x in xs:\n        total += x * %d\n    return total\n```", fn, i),
			fmt.Sprintf("Here it is:\n```python\ndef %s(xs):\n    # accumulate\n    total = 0\n\n    for x in xs:\n        total += x * %d  # scale\n    return total\n```\nIt loops once.", fn, i),
			fmt.Sprintf("```python\ndef %s(xs):\n    total = 0\n    for x in xs:   \n        total += x * %d\n\n    return total\n```", fn, i),
		}
		drift = []string{
			fmt.Sprintf("```python\ndef %s(xs):\n    return sum(xs) * %d\n```", fn, i),
			fmt.Sprintf("```python\ndef %s(values):\n    import functools\n    return functools.reduce(lambda a, b: a + b * %d, values, 0)\n```", fn, i),
			fmt.Sprintf("```python\ndef %s(xs):\n    out = [v for v in xs]\n    return len(out) + %d\n```", fn, i),
		}
		loose = []string{
			fmt.Sprintf("def %s(xs):\n    while xs:\n        xs.pop()\n    return %d\n", fn, i),
			fmt.Sprintf("```python\nclass Solver:\n    def %s(self, xs):\n        return max(xs, default=%d)\n```", fn, i),
			"I cannot write that function without more details about the input.",
		}
		return
	}
	var ss []runstore.Sample
	for i := 1; i <= 4; i++ {
		steady, drift, loose := programs(i)
		for _, m := range []struct {
			name    string
			replies []string
			correct func(j int) bool
		}{
			{"steady", steady, func(int) bool { return i <= 3 }},
			{"drift", drift, func(j int) bool { return j == 0 }},
			{"loose", loose, func(int) bool { return false }},
		} {
			for j, r := range m.replies {
				ss = append(ss, runstore.Sample{Item: fmt.Sprint("q", i), Model: m.name, Sample: j, Response: r,
					Answer: answer.FormOf(answer.Code, r), Correct: m.correct(j), Kind: "code", OutputTokens: 80})
			}
		}
	}
	dir := t.TempDir()
	if err := runstore.WriteJSONL(dir, runstore.SamplesFile, ss); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mux --run over stored code questions picks the self-consistent model on
// every question and reports its accuracy under the run's verdicts (3 of
// 4), each item naming its kind.
func TestMuxOnStoredCodeRun(t *testing.T) {
	dir := codeRun(t)
	r := runSub(t, (*App).muxCmd, "--run", dir, "--models", "drift,loose,steady", "--json")
	var got struct {
		Accuracy  float64 `json:"accuracy"`
		Baselines struct {
			AgentForest float64 `json:"agent_forest"`
		} `json:"baselines"`
		Items []struct {
			Item, Model, Kind, Answer string
			Correct                   bool
		} `json:"items"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil {
		t.Fatalf("mux: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got.Accuracy != 0.75 || len(got.Items) != 4 {
		t.Fatalf("accuracy %v over %d items, want 0.75 over 4:\n%s", got.Accuracy, len(got.Items), r.stdout)
	}
	for _, it := range got.Items {
		if it.Model != "steady" || it.Kind != "code" || !strings.Contains(it.Answer, "total += x") || it.Correct != (it.Item != "q4") {
			t.Errorf("item %+v: want steady's program, kind code", it)
		}
	}
	if got.Baselines.AgentForest != 0.75 {
		t.Errorf("Agent Forest %v, want 0.75 (the pooled medoid is steady's program)", got.Baselines.AgentForest)
	}
	text := runSub(t, (*App).muxCmd, "--run", dir)
	if text.code != 0 || !strings.Contains(text.stdout, "SLM-MUX") || !strings.Contains(text.stdout, "75.0 %") {
		t.Errorf("mux: exit %d\n%s", text.code, text.stdout)
	}
}

// search, scale and report run over stored code questions too: the
// similarity is computed from the stored answers, no model is needed.
func TestOfflineCommandsOnStoredCodeRun(t *testing.T) {
	dir := codeRun(t)
	var s struct {
		BestByK map[string]struct {
			Models []string `json:"models"`
		} `json:"best_by_k"`
	}
	r := runSub(t, (*App).searchCmd, "--run", dir, "--json")
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &s) != nil || len(s.BestByK) == 0 {
		t.Fatalf("search: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runSub(t, (*App).scaleCmd, "--run", dir); r.code != 0 || !strings.Contains(r.stdout, "75.0") {
		t.Errorf("scale: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runSub(t, (*App).reportCmd, "--run", dir); r.code != 0 {
		t.Errorf("report: exit %d\n%s", r.code, r.stderr)
	}
	if r := runSub(t, (*App).muxCmd, "--run", dir, "--adaptive", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"identical": true`) {
		t.Errorf("mux --adaptive: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
