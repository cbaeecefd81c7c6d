package ifeval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine/ifeval/langdetect"
)

// Input is one IFEval prompt (a line of the authors' input_data.jsonl).
type Input struct {
	Key            int              `json:"key"`
	Prompt         string           `json:"prompt"`
	InstructionIDs []string         `json:"instruction_id_list"`
	Kwargs         []map[string]any `json:"kwargs"`
}

// Output is a checked response, with the authors' field names
// (evaluation_lib.OutputExample).
type Output struct {
	InstructionIDList []string `json:"instruction_id_list"`
	Prompt            string   `json:"prompt"`
	Response          string   `json:"response"`
	// FollowAll is true when every instruction is followed.
	FollowAll bool `json:"follow_all_instructions"`
	// FollowList says, for each instruction, whether it is followed.
	FollowList []bool `json:"follow_instruction_list"`
}

// Result is a response checked both ways: the verdict detail IFEval
// graders report.
type Result struct {
	Strict Output `json:"strict"`
	Loose  Output `json:"loose"`
}

// Check checks response against in both strictly and loosely, as
// [Strict] and [Loose] do, building in's checkers once for both. The
// response itself is the first loose variant, so the loose check starts
// from the strict verdicts and tries only the other variants.
func Check(in Input, response string) Result {
	cs, _ := checkers(in)
	strict := follow(cs, candidates([]string{response}), nil)
	rest := candidates(looseVariants(response))
	if len(rest) > 0 && rest[0] == response {
		rest = rest[1:] // the strict check tried it
	}
	loose := follow(cs, rest, strict)
	return Result{Strict: output(in, response, strict), Loose: output(in, response, loose)}
}

// Failed returns the ids of the instructions not followed, in order.
func (o Output) Failed() []string {
	var ids []string
	for i, ok := range o.FollowList {
		if !ok && i < len(o.InstructionIDList) {
			ids = append(ids, o.InstructionIDList[i])
		}
	}
	return ids
}

// InputError is a prompt that cannot be checked: an unknown instruction
// id, kwargs that do not match the ids, or an argument of the wrong type.
type InputError struct {
	Key int
	Err error
}

func (e *InputError) Error() string { return fmt.Sprintf("key %d: %v", e.Key, e.Err) }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Validate reports whether every instruction of in can be checked.
func Validate(in Input) error {
	_, err := checkers(in)
	return err
}

// checkers builds the checkers of in's instructions, one for each id: nil
// for an instruction that cannot be built (no kwargs at its index, or
// build fails), which then counts as not followed. The error is the
// first reason why in cannot be checked (see [Validate]), nil when every
// checker was built.
func checkers(in Input) ([]checker, error) {
	var first error
	if len(in.Kwargs) != len(in.InstructionIDs) {
		first = &InputError{in.Key, fmt.Errorf("%d instruction ids but %d kwargs", len(in.InstructionIDs), len(in.Kwargs))}
	}
	cs := make([]checker, len(in.InstructionIDs))
	for i, id := range in.InstructionIDs {
		if i >= len(in.Kwargs) {
			continue
		}
		c, err := build(id, in.Kwargs[i])
		if err != nil {
			if first == nil {
				first = &InputError{in.Key, err}
			}
			continue
		}
		cs[i] = c
	}
	return cs, first
}

// Load reads IFEval prompts from a JSONL file (the authors'
// input_data.jsonl format) and validates each: see [Parse]. Errors name the
// file.
func Load(path string) ([]Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ifeval: %w", err)
	}
	ins, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("ifeval: %s: %w", path, err)
	}
	return ins, nil
}

// Parse decodes IFEval prompts, one JSON object a line (blank lines
// skipped), and validates each (see [Validate]); keys must be unique.
// Errors name the line.
func Parse(data []byte) ([]Input, error) {
	var ins []Input
	seen := map[int]int{}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := i + 1
		text := bytes.TrimSpace(raw)
		if i == 0 {
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		if len(text) == 0 {
			continue
		}
		var in Input
		if err := json.Unmarshal(text, &in); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if err := Validate(in); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if first, dup := seen[in.Key]; dup {
			return nil, fmt.Errorf("line %d: key %d: %w (first on line %d)", line, in.Key, ErrDuplicateKey, first)
		}
		seen[in.Key] = line
		ins = append(ins, in)
	}
	if len(ins) == 0 {
		return nil, ErrEmpty
	}
	return ins, nil
}

// ErrDuplicateKey is returned by Parse for a key seen on an earlier line.
var ErrDuplicateKey = errors.New("duplicate key")

// ErrEmpty is returned by Load for a file without prompts.
var ErrEmpty = errors.New("no prompts")

// Strict checks response against in's instructions as the authors'
// test_instruction_following_strict does. A blank response follows no
// instruction. An instruction that cannot be built (see Validate) counts
// as not followed.
func Strict(in Input, response string) Output {
	cs, _ := checkers(in)
	return output(in, response, follow(cs, candidates([]string{response}), nil))
}

// Loose checks response as the authors' test_instruction_following_loose
// does: an instruction is followed when any of eight variants follows it
// (the response; without its first line; without its last line; without
// both; and each of these with every "*" removed).
func Loose(in Input, response string) Output {
	cs, _ := checkers(in)
	return output(in, response, follow(cs, candidates(looseVariants(response)), nil))
}

// looseVariants returns the eight responses of the loose check, in the
// authors' order.
func looseVariants(response string) []string {
	r := strings.Split(response, "\n")
	join := func(lines []string) string { return pyStrip(strings.Join(lines, "\n")) }
	removeFirst := join(r[1:])
	removeLast := join(r[:len(r)-1])
	removeBoth := ""
	if len(r) > 2 {
		removeBoth = join(r[1 : len(r)-1])
	}
	noStar := func(s string) string { return strings.ReplaceAll(s, "*", "") }
	return []string{
		response,
		noStar(response),
		removeFirst,
		removeLast,
		removeBoth,
		noStar(removeFirst),
		noStar(removeLast),
		noStar(removeBoth),
	}
}

// candidates returns the variants worth checking, in order: each once,
// and none that is blank. The authors test `r.strip() and
// instruction.check_following(r)`, so a blank variant follows nothing,
// and a checker is a pure function of its text, so a repeat gets the
// verdict its first occurrence got: dropping either keeps every verdict.
func candidates(variants []string) []string {
	out := make([]string, 0, len(variants))
	for _, v := range variants {
		if pyStrip(v) != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// follow says, for each checker, whether it holds for any of variants: a
// nil checker holds for none. Where from (the verdicts of variants already
// tried, or nil) is true, the verdict stays true without another check.
func follow(cs []checker, variants []string, from []bool) []bool {
	ok := make([]bool, len(cs))
	copy(ok, from)
	for i, c := range cs {
		if c == nil || ok[i] {
			continue
		}
		for _, v := range variants {
			if c(v) {
				ok[i] = true
				break
			}
		}
	}
	return ok
}

// output is the Output for response with verdicts followed.
func output(in Input, response string, followed []bool) Output {
	return Output{
		InstructionIDList: in.InstructionIDs,
		Prompt:            in.Prompt,
		Response:          response,
		FollowAll:         all(followed),
		FollowList:        followed,
	}
}

// all is Python's all(): true for an empty list.
func all(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return true
}

// detectLanguage returns langdetect's language for text, and false when
// langdetect finds no features (the authors then count the instruction
// as followed).
func detectLanguage(text string) (string, bool) {
	lang, err := langdetect.Detect(text)
	if err != nil {
		return "", false
	}
	return lang, true
}

// Scores accumulates the four IFEval accuracies over checked responses.
// The zero value is ready to use.
type Scores struct {
	// Prompts counts the responses added; PromptsStrict and PromptsLoose
	// those that follow all their instructions.
	Prompts, PromptsStrict, PromptsLoose int
	// Instructions counts the instructions; InstructionsStrict and
	// InstructionsLoose those followed.
	Instructions, InstructionsStrict, InstructionsLoose int
}

// Add counts one response, given its strict and loose outputs.
func (s *Scores) Add(strict, loose Output) {
	s.Prompts++
	if strict.FollowAll {
		s.PromptsStrict++
	}
	if loose.FollowAll {
		s.PromptsLoose++
	}
	s.Instructions += len(strict.FollowList)
	for _, ok := range strict.FollowList {
		if ok {
			s.InstructionsStrict++
		}
	}
	for _, ok := range loose.FollowList {
		if ok {
			s.InstructionsLoose++
		}
	}
}

// Accuracy is the four IFEval accuracies, as fractions in [0, 1].
type Accuracy struct {
	PromptStrict      float64 `json:"prompt_level_strict"`
	InstructionStrict float64 `json:"instruction_level_strict"`
	PromptLoose       float64 `json:"prompt_level_loose"`
	InstructionLoose  float64 `json:"instruction_level_loose"`
}

// Accuracy returns the accuracies so far (all 0 before the first Add).
func (s Scores) Accuracy() Accuracy {
	div := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	return Accuracy{
		PromptStrict:      div(s.PromptsStrict, s.Prompts),
		InstructionStrict: div(s.InstructionsStrict, s.Instructions),
		PromptLoose:       div(s.PromptsLoose, s.Prompts),
		InstructionLoose:  div(s.InstructionsLoose, s.Instructions),
	}
}
