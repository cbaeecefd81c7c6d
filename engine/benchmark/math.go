package benchmark

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slmmux/slmmux/engine/answer"
)

// mathBench is MATH-500 (spec §5): boxed LaTeX answers.
type mathBench struct {
	style PromptStyle
	mode  ExtractMode
}

func (mathBench) Name() string { return "math500" }

// Kind is answer.Short.
func (mathBench) Kind() answer.Kind { return answer.Short }

type mathRecord struct {
	Problem  string          `json:"problem"`
	Answer   json.RawMessage `json:"answer"`
	Subject  string          `json:"subject"`
	Level    json.RawMessage `json:"level"`
	UniqueID string          `json:"unique_id"`
}

// Load reads a JSON array of {problem, answer, subject, level, unique_id}.
func (b mathBench) Load(path string) ([]Item, error) {
	data, err := readData(b.Name(), path)
	if err != nil {
		return nil, err
	}
	var items []Item
	ids := uniqueIDs{}
	err = decodeArray(b.Name(), path, data, func(i, line int, raw json.RawMessage) error {
		fail := func(format string, args ...any) error {
			return itemError(b.Name(), path, i, line, format, args...)
		}
		var rec mathRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fail("%v", err)
		}
		answer, ok := jsonText(rec.Answer)
		ref := canonMath(answer)
		if rec.Problem == "" || !ok || ref == "" {
			return fail(`want a non-empty "problem" and a non-empty string "answer"`)
		}
		level, ok := jsonLevel(rec.Level)
		if !ok {
			return fail(`"level" %s is not a number`, rec.Level)
		}
		id := rec.UniqueID
		if id == "" {
			id = fmt.Sprintf("math500-%04d", i)
		}
		if err := ids.add(id, line); err != nil {
			return fail("%v", err)
		}
		items = append(items, Item{
			ID: id, Question: rec.Problem, Reference: ref,
			Subject: rec.Subject, Level: level,
		})
		return nil
	})
	return items, err
}

func (b mathBench) Prompt(it Item) Prompt { return mathPrompt(b.style, it.Question) }

// Extract returns the canonical form of the last complete \boxed{...},
// \boxed <token> or \fbox{...} in response. When it.Reference is a set or
// list, several boxes answer the list of them (extractMath); in Flexible
// mode an unboxed answer in prose counts too (ExtractMath).
func (b mathBench) Extract(response string, it Item) string {
	return extractMath(response, it, b.mode)
}

// Correct reports canonical equality, or cheap equivalence: equal numbers,
// and lists whose elements are equivalent (in any order for sets).
func (mathBench) Correct(answer string, it Item) bool {
	return mathCorrect(answer, it.Reference)
}

// lastBox returns the content of the last complete, non-empty box in s, or
// "" when there is none. Braces are matched in one linear pass, so a long
// run of unclosed boxes costs O(len(s)).
func lastBox(s string) string {
	closeAt := matchBraces(s)
	boxed, fbox := strings.LastIndex(s, `\boxed`), strings.LastIndex(s, `\fbox`)
	for boxed >= 0 || fbox >= 0 {
		var end int
		if boxed > fbox {
			end = boxed + len(`\boxed`)
			boxed = strings.LastIndex(s[:boxed], `\boxed`)
		} else {
			end = fbox + len(`\fbox`)
			fbox = strings.LastIndex(s[:fbox], `\fbox`)
		}
		if content, ok := boxContent(s, end, closeAt); ok && strings.TrimSpace(content) != "" {
			return content
		}
	}
	return ""
}

// boxContent reads the argument of a box command whose name ends at j: a
// braced group (spaces allowed before it), or a bare token after spaces
// ("\boxed 5"). A letter right after the name means another command.
func boxContent(s string, j int, closeAt []int32) (string, bool) {
	k := j
	for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
		k++
	}
	if k >= len(s) {
		return "", false
	}
	if s[k] == '{' {
		if c := closeAt[k]; c >= 0 {
			return s[k+1 : c], true
		}
		return "", false
	}
	if r, _ := utf8.DecodeRuneInString(s[k:]); k == j && (unicode.IsLetter(r) || r == '@') {
		return "", false
	}
	end := k
	for end < len(s) {
		r, w := utf8.DecodeRuneInString(s[end:])
		if pyIsSpace(r) || r == '$' || r == '}' {
			break
		}
		end += w
	}
	tok := strings.TrimRight(s[k:end], ".,;:")
	tok = strings.TrimSuffix(strings.TrimSuffix(tok, `\)`), `\]`)
	return tok, tok != ""
}

// matchBraces returns, for every structural "{" in s, the index of its
// matching "}" (or -1); other entries are -1. A backslash escapes the
// following "{", "}" or "\".
func matchBraces(s string) []int32 {
	closeAt := make([]int32, len(s))
	var stack []int32
	for i := 0; i < len(s); i++ {
		closeAt[i] = -1
		switch s[i] {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '}' || s[i+1] == '\\') {
				i++
				closeAt[i] = -1
			}
		case '{':
			stack = append(stack, int32(i))
		case '}':
			if n := len(stack); n > 0 {
				closeAt[stack[n-1]] = int32(i)
				stack = stack[:n-1]
			}
		}
	}
	return closeAt
}
