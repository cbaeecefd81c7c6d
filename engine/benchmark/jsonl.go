package benchmark

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/answer"
)

// answerKind selects how a JSONL item is extracted and scored.
type answerKind int

const (
	kindAuto answerKind = iota
	kindNumber
	kindMath
	kindLetter
	kindGeneral
)

func parseKind(s string) (answerKind, error) {
	switch s {
	case "", "auto":
		return kindAuto, nil
	case "number":
		return kindNumber, nil
	case "math":
		return kindMath, nil
	case "letter":
		return kindLetter, nil
	case "general":
		return kindGeneral, nil
	}
	return 0, fmt.Errorf("benchmark: jsonl: unknown extractor %q (valid: auto, number, math, letter, general)", s)
}

// jsonlBench is a user's own data set: one JSON object per line.
type jsonlBench struct {
	style PromptStyle
	kind  answerKind
	mode  ExtractMode
}

func (jsonlBench) Name() string { return "jsonl" }

// Kind is answer.Short.
func (jsonlBench) Kind() answer.Kind { return answer.Short }

type jsonlRecord struct {
	ID       json.RawMessage `json:"id"`
	Question string          `json:"question"`
	Answer   json.RawMessage `json:"answer"`
	Choices  json.RawMessage `json:"choices"`
}

// Load reads one {"question", "answer", "id"?, "choices"?} object per
// line; blank lines are skipped. Choices without letter prefixes get
// "A ", "B ", ...; a letter answer may also be given as the choice's text.
func (b jsonlBench) Load(path string) ([]Item, error) {
	var items []Item
	ids := uniqueIDs{}
	err := readJSONL(b.Name(), path, func(line int, text []byte) error {
		it, err := b.parseLine(text, line)
		if err == nil {
			err = ids.add(it.ID, line)
		}
		if err == nil {
			items = append(items, it)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// parseLine decodes one JSONL line into an Item.
func (b jsonlBench) parseLine(text []byte, line int) (Item, error) {
	var rec jsonlRecord
	if err := json.Unmarshal(text, &rec); err != nil {
		return Item{}, fmt.Errorf("invalid JSON: %w", err)
	}
	answer, ok := jsonText(rec.Answer)
	if rec.Question == "" || !ok || strings.TrimSpace(answer) == "" {
		return Item{}, errors.New(`want a non-empty "question" and "answer"`)
	}
	it := Item{ID: fmt.Sprintf("line-%d", line), Question: rec.Question}
	if len(rec.ID) > 0 && string(rec.ID) != "null" {
		if it.ID, ok = jsonText(rec.ID); !ok || it.ID == "" {
			return Item{}, errors.New(`"id" must be a non-empty string or a number`)
		}
	}
	choices, err := parseChoices(rec.Choices)
	if err != nil {
		return Item{}, err
	}
	it.Choices, err = labelChoices(choices)
	if err != nil {
		return Item{}, err
	}
	it.Reference, err = b.reference(answer, it.Choices)
	return it, err
}

// reference computes the canonical reference for the configured kind, or
// for auto: a letter when there are choices, else a number when the answer
// is one ("#### N" rationales too), else a MATH answer (boxed or bare).
func (b jsonlBench) reference(answer string, choices []string) (string, error) {
	kind := b.kind
	if kind == kindAuto && len(choices) > 0 {
		kind = kindLetter
	}
	var ref string
	switch kind {
	case kindLetter:
		return letterReference(answer, choices)
	case kindNumber:
		ref = gsmReference(answer)
	case kindMath:
		ref = canonMath(boxOrSelf(answer))
	default:
		if ref = gsmReference(answer); ref == "" {
			ref = canonMath(boxOrSelf(answer))
		}
	}
	if ref == "" {
		return "", fmt.Errorf(`"answer" %q gives no reference answer (want a number, "#### N" or a MATH answer)`, answer)
	}
	return ref, nil
}

func boxOrSelf(s string) string {
	if box := lastBox(s); box != "" {
		return box
	}
	return s
}

// kindOf is the kind an item is extracted as. In auto mode it is derived
// from the item, the same way reference chose it.
func (b jsonlBench) kindOf(it Item) answerKind {
	switch {
	case b.kind != kindAuto:
		return b.kind
	case len(it.Choices) > 0:
		return kindLetter
	case wholeNumber(it.Reference) != "":
		return kindNumber
	}
	return kindMath
}

// Prompt is the bare question as the user message, with no system message
// (tiny demo models are trained on raw questions); with choices, the
// question and choices are laid out as for GPQA.
func (jsonlBench) Prompt(it Item) Prompt {
	if len(it.Choices) > 0 {
		return Prompt{User: choiceUser(it.Question, it.Choices)}
	}
	return Prompt{User: it.Question}
}

func (b jsonlBench) Extract(response string, it Item) string {
	switch b.kindOf(it) {
	case kindLetter:
		return extractLetter(response, it.Choices)
	case kindNumber:
		return ExtractNumber(response, b.mode)
	case kindGeneral:
		return extractGeneral(response)
	}
	return extractMath(response, it, b.mode)
}

func (b jsonlBench) Correct(answer string, it Item) bool {
	switch b.kindOf(it) {
	case kindLetter:
		return letterCorrect(answer, it.Reference)
	case kindNumber:
		return numberCorrect(answer, it.Reference)
	case kindGeneral:
		return answer != "" && answer == canonGeneral(it.Reference, false)
	}
	return mathCorrect(answer, it.Reference)
}

// labelChoices keeps choices that already start "A ", "B) ", "C." ... in
// order, and otherwise prefixes them with "A ", "B ", ...
func labelChoices(choices []string) ([]string, error) {
	if len(choices) > 26 {
		return nil, fmt.Errorf("%d choices; at most 26 are supported", len(choices))
	}
	labelled := true
	for i, c := range choices {
		if len(c) < 2 || c[0] != byte('A'+i) || strings.IndexByte(" ).:", c[1]) < 0 {
			labelled = false
		}
	}
	if labelled {
		return choices, nil
	}
	out := make([]string, len(choices))
	for i, c := range choices {
		out[i] = string(rune('A'+i)) + " " + c
	}
	return out, nil
}
