package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
)

// HumanEvalCheck is Item.Check of the humaneval benchmark: the fields of
// an item of openai/human-eval's HumanEval.jsonl.
type HumanEvalCheck struct {
	// Prompt is the function's signature and docstring, preceded by its
	// imports and any helper functions.
	Prompt string
	// CanonicalSolution is the reference body that follows Prompt.
	CanonicalSolution string
	// Test defines check(candidate), which asserts on the function.
	Test string
	// EntryPoint is the function's name.
	EntryPoint string
}

// humanEvalBench is HumanEval (Chen et al. 2021): 164 Python functions to
// complete from their signature and docstring, graded by running their
// tests in the sandbox.
type humanEvalBench struct {
	x *executor
}

// Name is "humaneval".
func (humanEvalBench) Name() string { return "humaneval" }

// Kind is answer.Code.
func (humanEvalBench) Kind() answer.Kind { return answer.Code }

type humanEvalRecord struct {
	TaskID            string `json:"task_id"`
	Prompt            string `json:"prompt"`
	CanonicalSolution string `json:"canonical_solution"`
	Test              string `json:"test"`
	EntryPoint        string `json:"entry_point"`
}

// Load reads HumanEval.jsonl (one task a line: task_id, prompt,
// canonical_solution, test, entry_point). ID is the task_id
// ("HumanEval/0"), Question the prompt, Reference the normalised
// reference program (prompt + canonical_solution), Check a HumanEvalCheck.
func (b humanEvalBench) Load(path string) ([]Item, error) {
	var items []Item
	ids := uniqueIDs{}
	err := readJSONL(b.Name(), path, func(line int, text []byte) error {
		var r humanEvalRecord
		if err := json.Unmarshal(text, &r); err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		if r.TaskID == "" || r.Prompt == "" || r.Test == "" || r.EntryPoint == "" {
			return errors.New(`want non-empty "task_id", "prompt", "test" and "entry_point"`)
		}
		if !definesFunc(r.Prompt, r.EntryPoint) {
			return fmt.Errorf("the prompt does not define the entry point %s", r.EntryPoint)
		}
		if err := ids.add(r.TaskID, line); err != nil {
			return err
		}
		c := HumanEvalCheck{Prompt: r.Prompt, CanonicalSolution: r.CanonicalSolution, Test: r.Test, EntryPoint: r.EntryPoint}
		items = append(items, Item{ID: r.TaskID, Question: r.Prompt,
			Reference: answer.NormalizeCode(r.Prompt + r.CanonicalSolution), Check: c})
		return nil
	})
	return items, err
}

// humanEvalInstruction is EvalPlus's instruction for chat models
// (evalplus/provider/utility.py make_raw_chat_prompt, instruction_prefix).
const humanEvalInstruction = "Please provide a self-contained Python script that solves the following problem in a markdown code block:"

// Prompt is EvalPlus's chat prompt for HumanEval: its instruction, then
// the task's prompt stripped, in a plain fenced block. EvalPlus also
// starts the assistant's turn with "Below is a Python script with a
// self-contained function that solves the problem and passes
// corresponding tests:" and a ```python fence; a chat request cannot
// pre-fill the reply, so that part is left out (models answer with a
// fenced block anyway, which Grade reads). Paper and Official are the same.
func (humanEvalBench) Prompt(it Item) Prompt {
	return Prompt{User: humanEvalInstruction + "\n```\n" + strings.TrimSpace(it.Question) + "\n```\n"}
}

// Extract returns the normalised code of the reply (answer.NormalizeCode
// of answer.ExtractCode), "" when it holds none.
func (humanEvalBench) Extract(response string, _ Item) string { return extractCode(response) }

// Correct is false: HumanEval answers are judged by Grade.
func (humanEvalBench) Correct(string, Item) bool { return false }

// Grade runs the reply's code against the item's tests in the sandbox,
// as upstream human_eval/execution.py does: the program is
// prompt + completion + "\n" + test + "\n" + "check(entry_point)", and it
// passes when it runs to the end within the time limit.
//
// The completion is read from the reply (see [HumanEvalProgram]). Without
// Config.Exec it returns ErrExecutionNotAllowed.
func (b humanEvalBench) Grade(ctx context.Context, response string, it Item) (Verdict, error) {
	c, ok := it.Check.(HumanEvalCheck)
	if !ok {
		return Verdict{}, fmt.Errorf("benchmark: humaneval: item %s has no HumanEval test (Check is %T)", it.ID, it.Check)
	}
	return b.x.gradeReply(ctx, b.Name(), it.ID, response, c.CanonicalSolution,
		func(code string) string { return HumanEvalProgram(c, code) })
}

// HumanEvalProgram returns the test program of completion code for the
// task c: the solution, then c.Test, then "check(<entry point>)".
//
// The solution depends on what the code is. Code that defines the entry
// point at the top level (the usual chat reply, which restates the whole
// function) is run after the part of the prompt that precedes the
// function: its imports and helper functions (HumanEval/10, 32, 38 and 50
// define helpers there), so a reply that leaves them out still runs.
// Other code is a bare body and is appended to the prompt, as upstream
// appends completions; a body whose first line is not indented is
// indented by four spaces first.
func HumanEvalProgram(c HumanEvalCheck, code string) string {
	return humanEvalSolution(c, code) + "\n" + c.Test + "\n" + "check(" + c.EntryPoint + ")\n"
}

// humanEvalSolution is the solution part of HumanEvalProgram.
func humanEvalSolution(c HumanEvalCheck, code string) string {
	def := funcDef(c.EntryPoint)
	if def.MatchString(code) {
		return promptPreamble(c.Prompt, def) + code
	}
	return c.Prompt + indentBody(code)
}

// funcDef matches a top-level definition of a named function.
func funcDef(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^(?:async\s+)?def\s+` + regexp.QuoteMeta(name) + `\s*\(`)
}

// definesFunc reports whether code defines function name at the top level.
func definesFunc(code, name string) bool { return funcDef(name).MatchString(code) }

// promptPreamble returns what prompt holds before the function definition
// def (a funcDef) matches: imports and helpers.
func promptPreamble(prompt string, def *regexp.Regexp) string {
	loc := def.FindStringIndex(prompt)
	if loc == nil {
		return ""
	}
	return prompt[:loc[0]]
}

// indentBody indents every line of a function body by four spaces when
// its first non-blank line is not indented.
func indentBody(code string) string {
	lines := strings.Split(code, "\n")
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			return code
		}
		break
	}
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n")
}
