package benchmark

import (
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine/enginetest"
	"golang.org/x/sync/errgroup"
)

// The acceptance tests of the code benchmarks: every reference solution
// passes its tests in the sandbox, and every reference whose function
// returns None instead fails. They run hundreds of python3 processes, in
// parallel up to the cores, so -short skips them.

// graded is one reply's verdict.
type graded struct {
	id     string
	pass   bool
	reason string
}

// gradeAll grades reply(it) for every item, runtime.NumCPU() at a time;
// items for which reply returns ok false are left out.
func gradeAll(t *testing.T, g Grader, items []Item, reply func(Item) (string, bool)) []graded {
	t.Helper()
	var mu sync.Mutex
	var out []graded
	var eg errgroup.Group
	eg.SetLimit(runtime.NumCPU())
	for _, it := range items {
		r, ok := reply(it)
		if !ok {
			continue
		}
		eg.Go(func() error {
			v, err := g.Grade(t.Context(), r, it)
			if err != nil {
				return fmt.Errorf("%s: %w", it.ID, err)
			}
			mu.Lock()
			out = append(out, graded{it.ID, v.Pass, v.Reason})
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b graded) int { return strings.Compare(a.id, b.id) })
	return out
}

// tally logs the count and every unexpected verdict (with its reason), and
// returns the ids whose verdict was not want.
func tally(t *testing.T, what string, res []graded, want bool) []string {
	t.Helper()
	var bad []string
	for _, r := range res {
		if r.pass != want {
			bad = append(bad, r.id)
			t.Logf("%s: %s: pass=%v %s", what, r.id, r.pass, r.reason)
		}
	}
	t.Logf("%s: %d of %d as expected (pass=%v)", what, len(res)-len(bad), len(res), want)
	return bad
}

func skipLong(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs hundreds of sandboxed programs; skipped under -short")
	}
	requirePython(t)
}

func TestHumanEvalReferences(t *testing.T) {
	skipLong(t)
	b, err := New("humaneval", Config{Exec: &Execution{Timeout: 30 * time.Second}}) // generous: a loaded machine must not fail a correct reference (the policy is TestGradeRuns')
	if err != nil {
		t.Fatal(err)
	}
	items, err := b.Load(enginetest.DataFile(t, "humaneval.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 164 {
		t.Fatalf("loaded %d items, want 164", len(items))
	}
	g := b.(Grader)
	check := func(it Item) HumanEvalCheck { return it.Check.(HumanEvalCheck) }
	start := time.Now()
	// Upstream's form: the canonical body appended to the prompt.
	body := gradeAll(t, g, items, func(it Item) (string, bool) { return check(it).CanonicalSolution, true })
	// A chat model's form: the whole function in a fenced block.
	fenced := gradeAll(t, g, items, func(it Item) (string, bool) {
		c := check(it)
		return "Here is the function:\n\n```python\n" + c.Prompt + c.CanonicalSolution + "```\n", true
	})
	none := gradeAll(t, g, items, func(Item) (string, bool) { return "    return None\n", true })
	t.Logf("humaneval: %d programs (a fixed time limit: no reference is timed) in %s on %d CPUs",
		len(body)+len(fenced)+len(none), time.Since(start).Round(time.Millisecond), runtime.NumCPU())
	for _, c := range []struct {
		what string
		res  []graded
		want bool
	}{{"prompt + canonical_solution", body, true}, {"the reference as a fenced reply", fenced, true}, {"return None", none, false}} {
		if bad := tally(t, c.what, c.res, c.want); len(bad) > 0 || len(c.res) != 164 {
			t.Errorf("%s: %d of %d not as expected: %v", c.what, len(bad), len(c.res), bad)
		}
	}
}

// testedFuncs returns the top-level functions of code that the asserts
// call.
func testedFuncs(code string, tests []string) []string {
	var names []string
	all := strings.Join(tests, "\n")
	for _, m := range regexp.MustCompile(`(?m)^def\s+(\w+)\s*\(`).FindAllStringSubmatch(code, -1) {
		if regexp.MustCompile(`\b` + m[1] + `\s*\(`).MatchString(all) {
			names = append(names, m[1])
		}
	}
	return names
}

// returnNone redefines the tested functions of the reference to return
// None; ok is false when the asserts call no function the code defines.
func returnNone(it Item) (string, bool) {
	c := it.Check.(MBPPCheck)
	names := testedFuncs(strings.ReplaceAll(c.Code, "\r\n", "\n"), c.Tests)
	if len(names) == 0 {
		return "", false
	}
	code := c.Code + "\n"
	for _, n := range names {
		code += "\ndef " + n + "(*args, **kwargs):\n    return None\n"
	}
	return code, true
}

func TestMBPPReferences(t *testing.T) {
	skipLong(t)
	for _, tt := range []struct {
		set   MBPPSet
		file  string
		count int
	}{{MBPPFull, "mbpp.jsonl", 500}, {MBPPSanitized, "sanitized-mbpp.json", 427}} {
		t.Run(tt.set.String(), func(t *testing.T) {
			// A fixed limit: the policy is exercised by the HumanEval test.
			b, err := New("mbpp", Config{MBPP: tt.set, Exec: &Execution{Timeout: 10 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			items, err := b.Load(enginetest.DataFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tt.count {
				t.Fatalf("loaded %d items, want %d", len(items), tt.count)
			}
			g := b.(Grader)
			start := time.Now()
			ref := gradeAll(t, g, items, func(it Item) (string, bool) { return it.Check.(MBPPCheck).Code, true })
			none := gradeAll(t, g, items, returnNone)
			t.Logf("mbpp %s: %d programs in %s on %d CPUs", tt.set, len(ref)+len(none),
				time.Since(start).Round(time.Millisecond), runtime.NumCPU())
			if bad := tally(t, "reference code", ref, true); len(bad) > 0 {
				t.Errorf("%d references fail: %v", len(bad), bad)
			}
			t.Logf("return None: %d of %d references have a tested function to replace", len(none), len(items))
			if len(none) == 0 {
				t.Fatal("return None: no reference has a tested function to replace, so nothing checks that a wrong solution fails")
			}
			if bad := tally(t, "return None", none, false); len(bad) > 0 {
				t.Errorf("%d references still pass with return None: %v", len(bad), bad)
			}
		})
	}
}
