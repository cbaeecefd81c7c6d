package benchmark

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/sandbox"
)

// A HumanEval-like task with a helper before the entry point, as
// HumanEval/10 has.
var addCheck = HumanEvalCheck{
	Prompt: "import math\n\n\ndef helper(x):\n    return x\n\n\ndef add(a: int, b: int) -> int:\n" +
		"    \"\"\" Add two numbers.\n    >>> add(2, 3)\n    5\n    \"\"\"\n",
	CanonicalSolution: "    return a + b\n",
	Test:              "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n",
	EntryPoint:        "add",
}

func TestHumanEvalProgram(t *testing.T) {
	tail := "\n" + addCheck.Test + "\ncheck(add)\n"
	tests := []struct{ name, code, want string }{
		{"indented body", "    return a + b\n", addCheck.Prompt + "    return a + b\n" + tail},
		{"unindented body", "s = a + b\nreturn s", addCheck.Prompt + "    s = a + b\n    return s" + tail},
		{"whole function", "def add(a, b):\n    return helper(a) + b",
			"import math\n\n\ndef helper(x):\n    return x\n\n\ndef add(a, b):\n    return helper(a) + b" + tail},
		{"async whole function", "async def add(a, b):\n    pass",
			"import math\n\n\ndef helper(x):\n    return x\n\n\nasync def add(a, b):\n    pass" + tail},
		{"a different function is a body", "def addition(a, b):\n    return a + b",
			addCheck.Prompt + "    def addition(a, b):\n        return a + b" + tail},
	}
	for _, tt := range tests {
		if got := HumanEvalProgram(addCheck, tt.code); got != tt.want {
			t.Errorf("%s: HumanEvalProgram =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

func TestMBPPProgram(t *testing.T) {
	c := MBPPCheck{Code: "ref", Setup: "import math", Tests: []string{"assert f(1) == 1", "assert f(2) == 2"}}
	want := "def f(x):\n    return x\nimport math\nassert f(1) == 1\nassert f(2) == 2\n"
	if got := MBPPProgram(c, "def f(x):\n    return x"); got != want {
		t.Errorf("MBPPProgram =\n%q\nwant\n%q", got, want)
	}
	c.Setup = ""
	if got := MBPPProgram(c, "x"); got != "x\nassert f(1) == 1\nassert f(2) == 2\n" {
		t.Errorf("MBPPProgram without setup = %q", got)
	}
}

func TestCodePrompts(t *testing.T) {
	he, _ := New("humaneval", Config{})
	got := he.Prompt(Item{Question: "\ndef f():\n    \"\"\"doc\"\"\"\n"}).User
	want := "Please provide a self-contained Python script that solves the following problem in a markdown code block:\n```\ndef f():\n    \"\"\"doc\"\"\"\n```\n"
	if got != want {
		t.Errorf("humaneval prompt =\n%q\nwant\n%q", got, want)
	}
	mb, _ := New("mbpp", Config{})
	it := Item{Question: "Write a function to add.", Check: MBPPCheck{Tests: []string{"assert f(1)", "assert f(2)", "assert f(3)", "assert f(4)"}}}
	got = mb.Prompt(it).User
	want = "You are an expert Python programmer, and here is your task: Write a function to add. Your code should pass these tests:\n\nassert f(1)\nassert f(2)\nassert f(3)"
	if got != want {
		t.Errorf("mbpp prompt =\n%q\nwant\n%q", got, want)
	}
	for _, b := range []Benchmark{he, mb} {
		if b.Kind() != answer.Code {
			t.Errorf("%s: Kind %s, want code", b.Name(), b.Kind())
		}
		if b.Correct("anything", Item{}) {
			t.Errorf("%s: Correct is true; graders judge with Grade", b.Name())
		}
		if _, ok := b.(Grader); !ok {
			t.Errorf("%s is not a Grader", b.Name())
		}
	}
	reply := "Here:\n```python\ndef f(x):  # add\n\n    return x + 1   \n```\nDone."
	if got := he.Extract(reply, Item{}); got != "def f(x):\n    return x + 1" {
		t.Errorf("Extract = %q", got)
	}
}

func TestGradeNeedsExecution(t *testing.T) {
	for _, tt := range []struct {
		name string
		it   Item
	}{{"humaneval", Item{ID: "HumanEval/0", Check: addCheck}}, {"mbpp", Item{ID: "11", Check: MBPPCheck{Tests: []string{"assert True"}}}}} {
		b, _ := New(tt.name, Config{})
		_, err := b.(Grader).Grade(t.Context(), "```python\nprint(1)\n```", tt.it)
		if !errors.Is(err, ErrExecutionNotAllowed) {
			t.Errorf("%s: Grade without Exec: err %v, want ErrExecutionNotAllowed", tt.name, err)
		}
		b, _ = New(tt.name, Config{Exec: &Execution{}})
		if _, err := b.(Grader).Grade(t.Context(), "x", Item{ID: "1"}); err == nil || errors.Is(err, ErrExecutionNotAllowed) {
			t.Errorf("%s: Grade of an item without Check: err %v, want one naming the missing test", tt.name, err)
		}
	}
}

func TestMBPPSetOption(t *testing.T) {
	if _, err := New("humaneval", Config{MBPP: MBPPSanitized}); err == nil {
		t.Error("New(humaneval) with an MBPP task set: want an error")
	}
	for in, want := range map[string]MBPPSet{"": MBPPFull, "full": MBPPFull, "Sanitized": MBPPSanitized} {
		if got, err := ParseMBPPSet(in); err != nil || got != want {
			t.Errorf("ParseMBPPSet(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseMBPPSet("plus"); err == nil {
		t.Error("ParseMBPPSet(plus): want an error")
	}
}

func TestCodeLoadSynthetic(t *testing.T) {
	he, _ := New("humaneval", Config{})
	line := `{"task_id": "T/0", "prompt": "def f():\n", "canonical_solution": "    return 1\n", "test": "def check(c): pass", "entry_point": "f"}`
	items, err := he.Load(writeFile(t, "he.jsonl", line+"\n\n"))
	if err != nil || len(items) != 1 || items[0].ID != "T/0" || items[0].Reference != "def f():\n    return 1" {
		t.Errorf("humaneval Load = %+v, %v", items, err)
	}
	if _, err := he.Load(writeFile(t, "he.jsonl", line+"\n"+line+"\n")); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("humaneval Load of a duplicate: err %v", err)
	}
	bad := strings.Replace(line, `"entry_point": "f"`, `"entry_point": "g"`, 1)
	if _, err := he.Load(writeFile(t, "he.jsonl", bad)); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("humaneval Load with a wrong entry point: err %v, want one naming line 1", err)
	}

	mb, _ := New("mbpp", Config{})
	rec := func(id int) string {
		return `{"text": "t", "code": "def f(): return 1", "task_id": ` + strconv.Itoa(id) + `, "test_setup_code": "", "test_list": ["assert f() == 1"], "challenge_test_list": []}`
	}
	items, err = mb.Load(writeFile(t, "mbpp.jsonl", rec(10)+"\n"+rec(11)+"\n"+rec(510)+"\n"+rec(511)+"\n"))
	if err != nil || len(items) != 2 || items[0].ID != "11" || items[1].ID != "510" {
		t.Errorf("mbpp Load kept %+v, %v; want the test split, tasks 11 and 510", items, err)
	}
	if _, err := mb.Load(writeFile(t, "s.json", "[\n"+rec(11)+"]")); err == nil || !strings.Contains(err.Error(), "sanitized") {
		t.Errorf("mbpp (full) Load of a JSON array: err %v, want one pointing at the sanitized set", err)
	}
	san, _ := New("mbpp", Config{MBPP: MBPPSanitized})
	srec := `{"source_file": "x", "task_id": 2, "prompt": "p", "code": "c", "test_imports": ["import math"], "test_list": ["assert 1", "assert 2", "assert 3", "assert 4"]}`
	items, err = san.Load(writeFile(t, "s.json", "["+srec+"]"))
	want := MBPPCheck{Code: "c", Setup: "import math", Tests: []string{"assert 1", "assert 2", "assert 3", "assert 4"}}
	if err != nil || len(items) != 1 || items[0].ID != "2" || items[0].Question != "p" || !equalCheck(items[0].Check, want) {
		t.Errorf("mbpp (sanitized) Load = %+v, %v", items, err)
	}
	if _, err := san.Load(writeFile(t, "m.jsonl", rec(11)+"\n")); err == nil || !strings.Contains(err.Error(), "JSON array") {
		t.Errorf("mbpp (sanitized) Load of JSONL: err %v", err)
	}
}

func equalCheck(got any, want MBPPCheck) bool {
	c, ok := got.(MBPPCheck)
	return ok && c.Code == want.Code && c.Setup == want.Setup && strings.Join(c.Tests, "|") == strings.Join(want.Tests, "|")
}

// requirePython skips a test that runs code when the sandbox has no
// python3, and fails it under CI=true.
func requirePython(t *testing.T) {
	t.Helper()
	_, err := sandbox.Run(t.Context(), sandbox.Program{Code: "pass"}, sandbox.Limits{})
	if err == nil {
		return
	}
	if errors.Is(err, sandbox.ErrNoPython) && os.Getenv("CI") != "true" {
		t.Skipf("python3 not available: %v", err)
	}
	t.Fatalf("the sandbox cannot run: %v", err)
}

func TestGradeRuns(t *testing.T) {
	requirePython(t)
	he, _ := New("humaneval", Config{Exec: &Execution{}})
	g := he.(Grader)
	it := Item{ID: "T/add", Check: addCheck}
	tests := []struct {
		reply  string
		pass   bool
		reason string
	}{
		{"```python\ndef add(a, b):\n    return helper(a) + b\n```", true, ""},
		{"    return a + b\n", true, ""},
		{"```python\ndef add(a, b):\n    return a - b\n```", false, "failed: AssertionError"},
		{"```python\ndef add(a, b):\n    while True: pass\n```", false, "timeout: "},
		{"I cannot write this function.", false, "failed: "},
		{"  \n", false, noCode},
		{"```python\ndef add(a, b):\n    return a + b\n\nif __name__ == '__main__':\n    a, b = map(int, input().split())\n    print(add(a, b))\n```", true, ""},
	}
	for _, tt := range tests {
		v, err := g.Grade(t.Context(), tt.reply, it)
		if err != nil {
			t.Fatalf("Grade(%q): %v", tt.reply, err)
		}
		if v.Pass != tt.pass || !strings.HasPrefix(v.Reason, tt.reason) || (tt.pass && v.Reason != "") {
			t.Errorf("Grade(%q) = %v %q, want %v %q...", tt.reply, v.Pass, v.Reason, tt.pass, tt.reason)
		}
		// The reference runs in well under a second, so the policy gives the
		// floor; under heavy load its timing can only raise the limit.
		if d, ok := v.Detail.(CodeDetail); tt.reason != noCode && (!ok || d.TimeLimitS < MinTimeLimit.Seconds()) {
			t.Errorf("Grade(%q) detail %+v: want at least the policy's floor of %s", tt.reply, v.Detail, MinTimeLimit)
		}
	}
}

func TestGradeTimeoutOverride(t *testing.T) {
	requirePython(t)
	mb, _ := New("mbpp", Config{Exec: &Execution{Timeout: 700 * time.Millisecond, Pool: sandbox.NewPool(1)}})
	it := Item{ID: "slow", Check: MBPPCheck{Code: "def f(): return 1", Tests: []string{"assert f() == 1"}}}
	v, err := mb.(Grader).Grade(t.Context(), "```python\nimport time\ndef f():\n    time.sleep(5)\n    return 1\n```", it)
	d, _ := v.Detail.(CodeDetail)
	if err != nil || v.Pass || d.Status != sandbox.Timeout || d.TimeLimitS != 0.7 {
		t.Errorf("Grade with a 700 ms override = %+v, %v; want a timeout at 0.7 s", v, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := mb.(Grader).Grade(ctx, "```python\ndef f(): return 1\n```", it); !errors.Is(err, context.Canceled) {
		t.Errorf("Grade with a cancelled context: err %v, want context.Canceled", err)
	}
}

func TestDropMainBlock(t *testing.T) {
	tests := []struct{ in, want string }{
		{"def f():\n    return 1\n\nif __name__ == \"__main__\":\n    n = int(input())\n\n    print(f())\n", "def f():\n    return 1\n"},
		{"def f():\n    return 1\nif __name__=='__main__': main()\nx = 2", "def f():\n    return 1\nx = 2"},
		{"def f():\n    if __name__ == '__main__':\n        pass\n", "def f():\n    if __name__ == '__main__':\n        pass\n"},
		{"    return 1", "    return 1"},
	}
	for _, tt := range tests {
		if got := dropMainBlock(tt.in); got != tt.want {
			t.Errorf("dropMainBlock(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
