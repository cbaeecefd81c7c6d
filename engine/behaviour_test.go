package engine_test

import (
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// TestLoadRunByBehaviour: model a writes three different-looking programs
// that behave the same on the visible examples (and pass); model b writes
// one wrong program twice and another once. Compared as code text, b's
// near-identical samples make it the more self-consistent; grouped by
// behaviour, a agrees with itself 3 of 3 and wins.
func TestLoadRunByBehaviour(t *testing.T) {
	dir := t.TempDir()
	l, err := runstore.Create(dir, runstore.Meta{Benchmark: "humaneval", Samples: 3, Models: []runstore.ModelMeta{{Name: "a"}, {Name: "b"}}}, []runstore.Item{{ID: "HumanEval/0", Question: "def f(x):"}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	w, err := runstore.OpenWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string][]string{
		"a": {"def f(x):\n    return x * 2", "def f(y):\n    r = y + y\n    return r", "def f(n):\n    out = 0\n    for _ in range(2):\n        out += n\n    return out"},
		"b": {"def f(x):\n    return x * 3", "def f(x):\n    return x * 3", "def f(x):\n    return x ** 3"},
	}
	outs := map[string][]string{"a": {"4\n", "4\n", "4\n"}, "b": {"6\n", "6\n", "8\n"}}
	vw, _ := runstore.OpenVerdicts(dir)
	bw, _ := runstore.OpenBehaviours(dir)
	for _, m := range []string{"a", "b"} {
		for j, c := range codes[m] {
			w.Append(runstore.Sample{Item: "HumanEval/0", Model: m, Sample: j, Response: c, Answer: c, Kind: "code"})
			vw.Append(runstore.Verdict{Item: "HumanEval/0", Model: m, Sample: j, Pass: m == "a"})
			bw.Append(runstore.Behaviour{Item: "HumanEval/0", Model: m, Sample: j, Output: outs[m][j]})
		}
	}
	w.Close()
	vw.Close()
	bw.Close()
	byText, err := engine.LoadRun(dir, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	byBehaviour, err := engine.LoadRunByBehaviour(dir, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	text, _ := mux.Simulate(byText.Dataset, mux.SimConfig{Trials: 1})
	beh, _ := mux.Simulate(byBehaviour.Dataset, mux.SimConfig{Trials: 1})
	if text.Accuracy != 0 || beh.Accuracy != 1 {
		t.Errorf("SLM-MUX by code text %.2f, by behaviour %.2f: want b (wrong) then a (right)", text.Accuracy, beh.Accuracy)
	}
	if _, err := engine.LoadRunByBehaviour(t.TempDir(), nil); err == nil {
		t.Error("a folder without behaviour.jsonl must be refused")
	}
}
