package benchmark

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine/enginetest"
)

func TestExamplesAreWhatThePromptShows(t *testing.T) {
	p := "def f(x):\n    \"\"\"Doubles.\n    >>> f(2)\n    4\n    >>>   f([1, 2])\n    [1, 2, 1, 2]\n    \"\"\"\n"
	if got := doctestExamples(p); !slices.Equal(got, []string{"f(2)", "f([1, 2])"}) {
		t.Errorf("doctests: %q", got)
	}
	tests := []string{"assert f(2) == 4", `assert f("a==b") == "x"`, "assert math.isclose(g(1), 2.5, rel_tol=0.001)", "assert set(h([1, 2])) == set([2, 1])", "print(1)"}
	want := []string{"f(2)", `f("a==b")`, "math.isclose(g(1), 2.5, rel_tol=0.001)", "set(h([1, 2]))"}
	if got := assertExamples(tests); !slices.Equal(got, want) {
		t.Errorf("asserts: %q, want %q", got, want)
	}
}

// TestBehaviourGroupsByWhatCodeDoes: two correct solutions written
// differently behave the same on HumanEval/0's doctests and MBPP task 11's
// asserts; a wrong one differs; a reply without code has no behaviour;
// without an execution nothing runs.
func TestBehaviourGroupsByWhatCodeDoes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs sandboxed programs")
	}
	requirePython(t)
	run := func(name, file string, replies map[string]string) map[string]string {
		b, err := New(name, Config{Exec: &Execution{Timeout: 30 * time.Second}}) // generous: load must not make a correct solution time out
		if err != nil {
			t.Fatal(err)
		}
		items, err := b.Load(enginetest.DataFile(t, file))
		if err != nil {
			t.Fatal(err)
		}
		bb := b.(Behaviour)
		if len(bb.Examples(items[0])) == 0 {
			t.Fatalf("%s %s shows no examples", name, items[0].ID)
		}
		out := map[string]string{}
		for k, r := range replies {
			if out[k], err = bb.Behaviour(t.Context(), r, items[0]); err != nil {
				t.Fatal(err)
			}
		}
		off, _ := New(name, Config{})
		if _, err := off.(Behaviour).Behaviour(t.Context(), replies["a"], items[0]); !errors.Is(err, ErrExecutionNotAllowed) {
			t.Errorf("%s without an execution: %v", name, err)
		}
		return out
	}
	he := run("humaneval", "humaneval.jsonl", map[string]string{
		"a":    "```python\nfrom typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    for i, a in enumerate(numbers):\n        for b in numbers[i+1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False\n```",
		"b":    "```python\ndef has_close_elements(numbers, threshold):\n    s = sorted(numbers)\n    return any(y - x < threshold for x, y in zip(s, s[1:]))\n```",
		"bad":  "```python\ndef has_close_elements(numbers, threshold):\n    return True\n```",
		"none": "I cannot help with that.",
	})
	if he["a"] == "" || he["a"] != he["b"] || he["bad"] == he["a"] || he["none"] != "" {
		t.Errorf("humaneval behaviours: %q", he)
	}
	mb := run("mbpp", "mbpp.jsonl", map[string]string{ // task 11: remove the first and last occurrence of a character
		"a":   "```python\ndef remove_Occ(s, ch):\n    i = s.find(ch)\n    if i >= 0:\n        s = s[:i] + s[i+1:]\n    j = s.rfind(ch)\n    if j >= 0:\n        s = s[:j] + s[j+1:]\n    return s\n```",
		"b":   "```python\ndef remove_Occ(s, ch):\n    s = s.replace(ch, '', 1)\n    return s[::-1].replace(ch, '', 1)[::-1]\n```",
		"bad": "```python\ndef remove_Occ(s, ch):\n    return s.replace(ch, '', 1)\n```",
	})
	if mb["a"] == "" || mb["a"] != mb["b"] || mb["bad"] == mb["a"] || strings.Count(mb["a"], "\n") != 3 {
		t.Errorf("mbpp behaviours: %q", mb)
	}
}
