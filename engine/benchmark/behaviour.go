package benchmark

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Behaviour is a code benchmark whose questions carry runnable examples in
// their prompts (HumanEval's doctests, the asserts an MBPP prompt lists), so
// that replies can be grouped by what their code does on them: identical
// outputs are the same answer, voted on exactly as short answers are. Only
// what the prompt shows is run, never the hidden tests.
type Behaviour interface {
	Grader
	// Examples are the expressions of it's visible examples, each a call
	// of the function the question asks for; none when the prompt shows
	// none.
	Examples(it Item) []string
	// Behaviour runs the reply's code on the examples in the sandbox and
	// returns what each gave, one repr a line ("!" and the exception's
	// name for one that raised); "" when the reply has no code, the item no
	// examples, or the program did not run to its end (a crash before the
	// examples, a timeout). The error is the sandbox's, or
	// ErrExecutionNotAllowed.
	Behaviour(ctx context.Context, response string, it Item) (string, error)
}

// behaviourHarness prints the repr of each example's value, or the name of
// what it raised, one a line, each cut at 200 characters.
func behaviourHarness(examples []string) string {
	var b strings.Builder
	b.WriteString("\nfor __slmmux_e in [")
	for _, e := range examples {
		b.WriteString(strconv.Quote(e))
		b.WriteString(", ")
	}
	b.WriteString(`]:
    try:
        __slmmux_r = repr(eval(__slmmux_e))
    except BaseException as __slmmux_x:
        __slmmux_r = "!" + type(__slmmux_x).__name__
    print(__slmmux_r[:200].replace("\n", "\\n"))
`)
	return b.String()
}

// behaveReply runs the code of reply (codeOf), as solution(code), followed
// by the examples' harness under the item's time limit (timed on
// solution(ref), the reference's same program). It returns "" for a reply
// with no code, and ErrExecutionNotAllowed without an executor.
func (x *executor) behaveReply(ctx context.Context, bench, id, reply, ref string, solution func(code string) string, examples []string) (string, error) {
	if err := x.notAllowed(bench); err != nil {
		return "", err
	}
	code, ok := codeOf(reply)
	if !ok || len(examples) == 0 {
		return "", nil
	}
	h := behaviourHarness(examples)
	limit, err := x.timeLimit(ctx, id+"\x00examples", solution(ref)+h)
	if err != nil {
		return "", fmt.Errorf("benchmark: %s: time the reference of %s: %w", bench, id, err)
	}
	l := x.exec.Limits
	l.CPU, l.Wall = limit, limit
	r, err := x.run(ctx, solution(code)+h, l)
	if err != nil {
		return "", fmt.Errorf("benchmark: %s: run %s: %w", bench, id, err)
	}
	if !r.OK() {
		return "", nil
	}
	return r.Stdout, nil
}

// doctestExamples are the expressions of a prompt's doctest lines
// (">>> expr"), in order.
func doctestExamples(prompt string) []string {
	var out []string
	for _, l := range strings.Split(prompt, "\n") {
		if e, ok := strings.CutPrefix(strings.TrimSpace(l), ">>> "); ok && strings.TrimSpace(e) != "" {
			out = append(out, strings.TrimSpace(e))
		}
	}
	return out
}

// assertExamples turns asserts ("assert f(x) == y") into the expressions
// whose values they compare: the left side of a top-level ==, else the
// asserted expression itself (assert math.isclose(f(x), y)).
func assertExamples(tests []string) []string {
	var out []string
	for _, t := range tests {
		e, ok := strings.CutPrefix(strings.TrimSpace(t), "assert ")
		if !ok {
			continue
		}
		e = strings.TrimSpace(e)
		if i := topLevelEq(e); i >= 0 {
			e = strings.TrimSpace(e[:i])
		}
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// topLevelEq returns the index of the first "==" outside brackets and
// string literals, -1 when there is none.
func topLevelEq(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case depth == 0 && c == '=' && i+1 < len(s) && s[i+1] == '=':
			return i
		}
	}
	return -1
}

// Examples are the doctest expressions of the task's prompt.
func (humanEvalBench) Examples(it Item) []string {
	c, ok := it.Check.(HumanEvalCheck)
	if !ok {
		return nil
	}
	return doctestExamples(c.Prompt)
}

// Behaviour runs the reply's function on the prompt's doctest calls.
func (b humanEvalBench) Behaviour(ctx context.Context, response string, it Item) (string, error) {
	c, ok := it.Check.(HumanEvalCheck)
	if !ok {
		return "", fmt.Errorf("benchmark: humaneval: item %s has no HumanEval task (Check is %T)", it.ID, it.Check)
	}
	return b.x.behaveReply(ctx, b.Name(), it.ID, response, c.CanonicalSolution,
		func(code string) string { return humanEvalSolution(c, code) }, b.Examples(it))
}

// Examples are the expressions the asserts the prompt lists compare.
func (mbppBench) Examples(it Item) []string {
	c, ok := it.Check.(MBPPCheck)
	if !ok {
		return nil
	}
	return assertExamples(c.Tests)
}

// Behaviour runs the reply's code on the calls of the prompt's asserts.
func (b mbppBench) Behaviour(ctx context.Context, response string, it Item) (string, error) {
	c, ok := it.Check.(MBPPCheck)
	if !ok {
		return "", fmt.Errorf("benchmark: mbpp: item %s has no MBPP task (Check is %T)", it.ID, it.Check)
	}
	return b.x.behaveReply(ctx, b.Name(), it.ID, response, c.Code,
		func(code string) string { return code + "\n" + c.Setup + "\n" }, b.Examples(it))
}
