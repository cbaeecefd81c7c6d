// Package benchmark loads the SLM-MUX evaluation sets (MATH-500, GSM8K,
// GPQA and generic JSONL), builds their prompts, and turns raw model
// responses into canonical answers that can be voted on and scored.
//
// Each data set is a [Benchmark], obtained from [New] by name (see [Names]).
// [Benchmark.Extract] returns a canonical string, so that votes can compare
// answers with ==; [Benchmark.Correct] may accept more than string equality
// (for MATH, numeric and set equivalence, and symbolic equivalence tested
// at seeded random points: (r+5)^2 is (r+5)(r+5)).
//
// Extraction is [Strict] by default: only a marked answer counts (a box,
// "####", an answer phrase for letters). [Config].Extract = [Flexible], or
// [ExtractMath] and [ExtractNumber] with a mode, also read an unboxed
// final answer in prose, as harnesses' "flexible-extract" does.
//
// The extractors fix the official framework's known bugs (spec §11 items
// 13–19). The official behaviour stays available, bugs included, as
// [OfficialMath], [OfficialGSM8K] and [OfficialGPQA] for differential tests,
// and the official prompts byte for byte with [Official].
package benchmark

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
)

// Item is one question of a benchmark.
type Item struct {
	// ID is unique within a file: MATH's unique_id, an index-based id such
	// as "gsm8k-0007" or "gpqa-0007", or a JSONL line's id ("line-N" when
	// the line has none).
	ID       string
	Question string
	// Reference is the canonical reference answer, in the form Extract
	// returns: the GSM8K number after "####" without commas, the canonical
	// MATH answer, or a GPQA letter.
	Reference string
	// Choices holds multiple-choice options, each starting with its letter
	// ("A ..."); nil otherwise.
	Choices []string
	// Subject and Level are MATH metadata ("" and 0 elsewhere).
	Subject string
	Level   int
	// Check holds what a Grader needs beyond Reference (HumanEval's test
	// program and entry point, MBPP's asserts, IFEval's instructions), as
	// the benchmark's own type; nil for short-answer sets.
	Check any
}

// Prompt is a chat prompt: an optional system message and a user message.
type Prompt struct{ System, User string }

// Benchmark is one evaluation set. Implementations are stateless after New
// and safe for concurrent use.
type Benchmark interface {
	// Name is "math500", "gsm8k", "gpqa" or "jsonl".
	Name() string
	// Load reads a data file. Errors name the file, and the item or line.
	Load(path string) ([]Item, error)
	// Prompt builds the chat prompt for it in the configured PromptStyle.
	Prompt(it Item) Prompt
	// Extract returns the canonical answer in response, or "" when there is
	// none. Equivalent answers map to the same string as far as is cheaply
	// possible, so votes can compare them exactly.
	Extract(response string, it Item) string
	// Correct reports whether a canonical answer (from Extract) matches
	// it.Reference. "" is never correct. A Grader's answers are judged by
	// Grade instead; its Correct is false.
	Correct(answer string, it Item) bool
	// Kind is what the set's answers are: short answers compared by
	// equality (MATH, GSM8K, GPQA, JSONL), code or text.
	Kind() answer.Kind
}

// Verdict is a graded response.
type Verdict struct {
	Pass bool `json:"pass"`
	// Reason says why it failed, for people ("" when it passed).
	Reason string `json:"reason,omitempty"`
	// Detail is benchmark-specific (IFEval: the strict and loose outputs).
	Detail any `json:"detail,omitempty"`
}

// ErrExecutionNotAllowed reports a code grader asked to run model-written
// code without the caller's permission (Config.Exec unset).
var ErrExecutionNotAllowed = errors.New("running model-written code is not allowed")

// Grader is a Benchmark whose responses are judged by running or checking
// the whole reply (code against tests, text against instructions), not by
// comparing an extracted answer with a reference. Its Extract returns the
// form voted on (code: answer.NormalizeCode of answer.ExtractCode; text:
// the trimmed reply), and a stored sample's correct is its Verdict's Pass.
type Grader interface {
	Benchmark
	// Grade judges one response. An error is a failure of the grading
	// itself (the sandbox could not start), never a wrong answer.
	Grade(ctx context.Context, response string, it Item) (Verdict, error)
}

// PromptStyle selects the prompt text.
type PromptStyle int

const (
	// Paper, the default, is the official framework's prompts with the
	// obvious quirks fixed (single braces in MATH's "\boxed{...}").
	Paper PromptStyle = iota
	// Official is the official framework's prompts byte for byte (spec §5.2
	// and Appendix C), including the literal "\boxed{{...}}" in MATH.
	Official
)

// String returns "paper" or "official".
func (s PromptStyle) String() string {
	switch s {
	case Paper:
		return "paper"
	case Official:
		return "official"
	}
	return fmt.Sprintf("PromptStyle(%d)", int(s))
}

// ParsePromptStyle parses "paper" (or "") and "official".
func ParsePromptStyle(s string) (PromptStyle, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "paper":
		return Paper, nil
	case "official":
		return Official, nil
	}
	return 0, fmt.Errorf("benchmark: unknown prompt style %q (valid: paper, official)", s)
}

// Config configures New. The zero value selects Paper prompts and, for
// JSONL, automatic extractor choice.
type Config struct {
	PromptStyle PromptStyle
	// Extractor applies to "jsonl" only: "auto" (or ""), "number", "math",
	// "letter" or "general". Auto picks letter for items with choices,
	// number when the reference answer is a number, and math otherwise.
	// General is for questions without a reference format (see
	// extractGeneral): the last box, else an answer phrase, else a final
	// number or short final line.
	Extractor string
	// Extract selects strict (the zero value) or flexible extraction; see
	// ExtractMode. ParseExtractMode reads "strict" and "flexible".
	Extract ExtractMode
	// MBPP selects mbpp's task set: the full test split (the zero value)
	// or the sanitized subset.
	MBPP MBPPSet
	// Exec allows humaneval's and mbpp's Grade to run code in the sandbox;
	// nil refuses with ErrExecutionNotAllowed.
	Exec *Execution
}

var names = []string{"math500", "gsm8k", "gpqa", "jsonl", "ifeval", "humaneval", "mbpp"}

// Names returns the benchmark names New accepts.
func Names() []string { return append([]string(nil), names...) }

// New returns the named benchmark.
func New(name string, cfg Config) (Benchmark, error) {
	if cfg.PromptStyle != Paper && cfg.PromptStyle != Official {
		return nil, fmt.Errorf("benchmark: invalid prompt style %v", cfg.PromptStyle)
	}
	if cfg.Extract != Strict && cfg.Extract != Flexible {
		return nil, fmt.Errorf("benchmark: invalid extract mode %v", cfg.Extract)
	}
	if name != "jsonl" && cfg.Extractor != "" {
		return nil, fmt.Errorf("benchmark: %s: Extractor %q applies only to jsonl", name, cfg.Extractor)
	}
	if name != "mbpp" && cfg.MBPP != MBPPFull {
		return nil, fmt.Errorf("benchmark: %s: the task set %v applies only to mbpp", name, cfg.MBPP)
	}
	switch name {
	case "humaneval":
		return humanEvalBench{x: newExecutor(cfg.Exec)}, nil
	case "mbpp":
		if cfg.MBPP != MBPPFull && cfg.MBPP != MBPPSanitized {
			return nil, fmt.Errorf("benchmark: mbpp: invalid task set %v", cfg.MBPP)
		}
		return mbppBench{set: cfg.MBPP, x: newExecutor(cfg.Exec)}, nil
	case "math500":
		return mathBench{style: cfg.PromptStyle, mode: cfg.Extract}, nil
	case "gsm8k":
		return gsmBench{style: cfg.PromptStyle, mode: cfg.Extract}, nil
	case "gpqa":
		return gpqaBench{style: cfg.PromptStyle}, nil
	case "jsonl":
		kind, err := parseKind(cfg.Extractor)
		if err != nil {
			return nil, err
		}
		return jsonlBench{style: cfg.PromptStyle, kind: kind, mode: cfg.Extract}, nil
	case "ifeval":
		return ifevalBench{}, nil
	}
	return nil, fmt.Errorf("benchmark: unknown benchmark %q (valid: %s)", name, strings.Join(names, ", "))
}
