package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
)

// MBPPSet selects the MBPP tasks to load.
type MBPPSet int

const (
	// MBPPFull, the zero value, is the test split of mbpp.jsonl: task ids
	// 11 to 510 (500 tasks), the split the MBPP paper evaluates.
	MBPPFull MBPPSet = iota
	// MBPPSanitized is sanitized-mbpp.json, the authors' hand-checked
	// subset: all its 427 tasks (ids 2 to 809).
	MBPPSanitized
)

// String returns "full" or "sanitized".
func (s MBPPSet) String() string {
	switch s {
	case MBPPFull:
		return "full"
	case MBPPSanitized:
		return "sanitized"
	}
	return fmt.Sprintf("MBPPSet(%d)", int(s))
}

// ParseMBPPSet parses "full" (or "") and "sanitized".
func ParseMBPPSet(s string) (MBPPSet, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "full":
		return MBPPFull, nil
	case "sanitized":
		return MBPPSanitized, nil
	}
	return 0, fmt.Errorf("benchmark: mbpp: unknown task set %q (valid: full, sanitized)", s)
}

// The test split of the full MBPP (google-research mbpp/README.md).
const (
	mbppFirstTest = 11
	mbppLastTest  = 510
)

// MBPPCheck is Item.Check of the mbpp benchmark.
type MBPPCheck struct {
	// Code is the reference solution.
	Code string
	// Setup runs after the solution and before the asserts: mbpp.jsonl's
	// test_setup_code, or sanitized-mbpp.json's test_imports, one a line.
	Setup string
	// Tests are the asserts (test_list): three in mbpp.jsonl, sometimes
	// more in the sanitized set.
	Tests []string
}

// mbppBench is MBPP (Austin et al. 2021): short Python tasks stated in
// prose with three asserts, graded by running the asserts on the reply's
// code in the sandbox.
type mbppBench struct {
	set MBPPSet
	x   *executor
}

// Name is "mbpp".
func (mbppBench) Name() string { return "mbpp" }

// Kind is answer.Code.
func (mbppBench) Kind() answer.Kind { return answer.Code }

type mbppRecord struct {
	TaskID        int      `json:"task_id"`
	Text          string   `json:"text"`   // mbpp.jsonl
	Prompt        string   `json:"prompt"` // sanitized-mbpp.json
	Code          string   `json:"code"`
	TestSetupCode string   `json:"test_setup_code"`
	TestImports   []string `json:"test_imports"`
	TestList      []string `json:"test_list"`
}

// Load reads mbpp.jsonl (one task a line; the test split is kept) or, for
// MBPPSanitized, sanitized-mbpp.json (one JSON array). ID is the task_id
// ("11"), Question the task's text, Reference the normalised reference
// code, Check an MBPPCheck.
func (b mbppBench) Load(path string) ([]Item, error) {
	var items []Item
	ids := uniqueIDs{}
	add := func(r mbppRecord, line int) error {
		it, err := b.item(r)
		if err == nil {
			err = ids.add(it.ID, line)
		}
		if err == nil && (b.set == MBPPSanitized || r.TaskID >= mbppFirstTest && r.TaskID <= mbppLastTest) {
			items = append(items, it)
		}
		return err
	}
	if b.set == MBPPSanitized {
		data, err := readData(b.Name(), path)
		if err != nil {
			return nil, err
		}
		if t := strings.TrimSpace(string(data)); !strings.HasPrefix(t, "[") && !strings.HasPrefix(t, "{\"data\"") {
			return nil, fmt.Errorf("benchmark: mbpp: %s: the sanitized set is one JSON array (sanitized-mbpp.json), not JSONL", path)
		}
		err = decodeArray(b.Name(), path, data, func(i, line int, raw json.RawMessage) error {
			var r mbppRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return itemError(b.Name(), path, i, line, "%v", err)
			}
			if err := add(r, line); err != nil {
				return itemError(b.Name(), path, i, line, "%v", err)
			}
			return nil
		})
		return items, err
	}
	err := readJSONL(b.Name(), path, func(line int, text []byte) error {
		if line == 1 && strings.HasPrefix(strings.TrimSpace(string(text)), "[") {
			return errors.New("the full set is JSONL (mbpp.jsonl); a JSON array is the sanitized set, selected by the mbpp task set")
		}
		var r mbppRecord
		if err := json.Unmarshal(text, &r); err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		return add(r, line)
	})
	return items, err
}

// item builds the Item of one record of either file.
func (b mbppBench) item(r mbppRecord) (Item, error) {
	text, setup := r.Text, r.TestSetupCode
	if b.set == MBPPSanitized {
		text, setup = r.Prompt, strings.Join(r.TestImports, "\n")
	}
	if r.TaskID <= 0 || strings.TrimSpace(text) == "" || len(r.TestList) == 0 {
		return Item{}, errors.New(`want a positive "task_id", the task's text and a non-empty "test_list"`)
	}
	c := MBPPCheck{Code: r.Code, Setup: setup, Tests: r.TestList}
	return Item{ID: strconv.Itoa(r.TaskID), Question: text, Reference: answer.NormalizeCode(r.Code), Check: c}, nil
}

// Prompt is the MBPP paper's prompt (Austin et al. 2021, section 2.1; the
// format in google-research mbpp/README.md), zero-shot: "You are an expert
// Python programmer, and here is your task: {text} Your code should pass
// these tests:\n\n{the asserts, one a line}". The paper's few-shot
// examples and its [BEGIN]/[DONE] delimiters are left out: chat models
// answer with a fenced block, which Grade reads. Paper and Official are
// the same.
func (mbppBench) Prompt(it Item) Prompt {
	var tests []string
	if c, ok := it.Check.(MBPPCheck); ok {
		tests = c.Tests
	}
	// The sanitized set has more than three asserts for some tasks; the
	// paper shows three.
	if len(tests) > 3 {
		tests = tests[:3]
	}
	return Prompt{User: "You are an expert Python programmer, and here is your task: " +
		strings.TrimSpace(it.Question) + " Your code should pass these tests:\n\n" + strings.Join(tests, "\n")}
}

// Extract returns the normalised code of the reply (answer.NormalizeCode
// of answer.ExtractCode), "" when it holds none.
func (mbppBench) Extract(response string, _ Item) string { return extractCode(response) }

// Correct is false: MBPP answers are judged by Grade.
func (mbppBench) Correct(string, Item) bool { return false }

// Grade runs [MBPPProgram] of the reply's code (answer.ExtractCode, else
// the whole reply) in the sandbox: it passes when every assert holds
// within the time limit. Without Config.Exec it returns
// ErrExecutionNotAllowed.
func (b mbppBench) Grade(ctx context.Context, response string, it Item) (Verdict, error) {
	c, ok := it.Check.(MBPPCheck)
	if !ok {
		return Verdict{}, fmt.Errorf("benchmark: mbpp: item %s has no MBPP tests (Check is %T)", it.ID, it.Check)
	}
	return b.x.gradeReply(ctx, b.Name(), it.ID, response, c.Code,
		func(code string) string { return MBPPProgram(c, code) })
}

// MBPPProgram returns the test program of code for the task c: the code,
// then c.Setup, then the asserts, one a line (google-research's MBPP
// evaluation).
func MBPPProgram(c MBPPCheck, code string) string {
	var b strings.Builder
	b.WriteString(code)
	b.WriteString("\n")
	if c.Setup != "" {
		b.WriteString(c.Setup)
		b.WriteString("\n")
	}
	for _, t := range c.Tests {
		b.WriteString(t)
		b.WriteString("\n")
	}
	return b.String()
}
