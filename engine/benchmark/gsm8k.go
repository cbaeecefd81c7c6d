package benchmark

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slmmux/slmmux/engine/answer"
)

// gsmBench is GSM8K (spec §5): integer word problems answered "#### N".
type gsmBench struct {
	style PromptStyle
	mode  ExtractMode
}

func (gsmBench) Name() string { return "gsm8k" }

// Kind is answer.Short.
func (gsmBench) Kind() answer.Kind { return answer.Short }

type gsmRecord struct {
	Question string          `json:"question"`
	Answer   json.RawMessage `json:"answer"`
}

// Load reads a JSON array of {question, answer}, where answer is the worked
// rationale ending "#### N" (or just the number). The reference is N
// without thousands commas: spec §11 items 13 and 14.
func (b gsmBench) Load(path string) ([]Item, error) {
	data, err := readData(b.Name(), path)
	if err != nil {
		return nil, err
	}
	var items []Item
	err = decodeArray(b.Name(), path, data, func(i, line int, raw json.RawMessage) error {
		var rec gsmRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return itemError(b.Name(), path, i, line, "%v", err)
		}
		answer, _ := jsonText(rec.Answer)
		ref := gsmReference(answer)
		if rec.Question == "" || ref == "" {
			return itemError(b.Name(), path, i, line, `want a non-empty "question" and an "answer" ending "#### <number>"`)
		}
		items = append(items, Item{ID: fmt.Sprintf("gsm8k-%04d", i), Question: rec.Question, Reference: ref})
		return nil
	})
	return items, err
}

func (gsmBench) Prompt(it Item) Prompt { return gsmPrompt(it.Question) }

// Extract returns the canonical number after the last "####", else in the
// last \boxed{}, else the last number in response.
func (b gsmBench) Extract(response string, _ Item) string { return ExtractNumber(response, b.mode) }

// Correct compares canonical numbers.
func (gsmBench) Correct(answer string, it Item) bool { return numberCorrect(answer, it.Reference) }

// gsmReference is the canonical number after the last "####" of a
// rationale, or the canonical form of a rationale that is just a number.
func gsmReference(rationale string) string {
	if n := markedNumber(rationale); n != "" {
		return n
	}
	return wholeNumber(rationale)
}

// numberCorrect reports whether two numbers are equal in canonical form.
func numberCorrect(answer, ref string) bool {
	a, r := wholeNumber(answer), wholeNumber(ref)
	return a != "" && a == r
}

// extractNumber is the improved GSM8K extractor.
func extractNumber(s string) string {
	if n := markedNumber(s); n != "" {
		return n
	}
	if box := lastBox(s); box != "" {
		if n := lastNumber(box); n != "" {
			return n
		}
	}
	return lastNumber(s)
}

// markedNumber returns the canonical number after the last "####" that is
// followed by one, or "".
func markedNumber(s string) string {
	for end := len(s); ; {
		i := strings.LastIndex(s[:end], "####")
		if i < 0 {
			return ""
		}
		j := i + 4
		for j < len(s) {
			r, w := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += w
		}
		if n, _ := scanNumber(s, j); n != "" {
			return n
		}
		end = i
	}
}

// wholeNumber returns the canonical form of s when all of it (spaces
// aside) is one number, else "".
func wholeNumber(s string) string {
	s = strings.TrimSpace(s)
	n, end := scanNumber(s, 0)
	if end != len(s) {
		return ""
	}
	return n
}

// lastNumber returns the canonical form of the last number in s. Numbers
// are read left to right, so "1.2.3" holds 1.2 and 3. Digits right after
// an ASCII letter belong to a word ("CO2", "x2"), not a number.
func lastNumber(s string) string {
	last := -1
	for i := 0; i < len(s); {
		if i == 0 || !isASCIIDigit(s[i-1]) && !isASCIILetter(s[i-1]) {
			if end := numberEnd(s, i); end > i && (s[i] != '-' || i == 0 || !isAlnumBefore(s, i)) {
				last, i = i, end
				continue
			}
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	if last < 0 {
		return ""
	}
	n, _ := scanNumber(s, last)
	return n
}

// numberEnd returns the end of the number scanNumber would read at s[i:],
// or i, without building its canonical form.
func numberEnd(s string, i int) int {
	j := i
	if strings.HasPrefix(s[j:], "-") {
		j++
	} else if strings.HasPrefix(s[j:], "−") {
		j += len("−")
	}
	if j < len(s) && s[j] == '$' {
		j++
	}
	start := j
	for j < len(s) && isASCIIDigit(s[j]) {
		j++
	}
	for j > start && j < len(s) && s[j] == ',' && isDigits3(s, j+1) {
		j += 4
	}
	if j+1 < len(s) && s[j] == '.' && isASCIIDigit(s[j+1]) {
		for j++; j < len(s) && isASCIIDigit(s[j]); j++ {
		}
	} else if j == start {
		return i
	}
	return j
}

func isAlnumBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// scanNumber reads a number at s[i:]: an optional "-" (or U+2212), an
// optional "$", then digits with optional thousands groups ",ddd" and an
// optional fraction ".ddd", or just ".ddd". It returns the canonical form
// and the end of the number, or "" and i.
func scanNumber(s string, i int) (string, int) {
	end := numberEnd(s, i)
	if end == i {
		return "", i
	}
	t := s[i:end]
	neg := false
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		neg, t = true, rest
	} else if rest, ok := strings.CutPrefix(t, "−"); ok {
		neg, t = true, rest
	}
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(t, "$"), ".")
	return canonDecimal(neg, strings.ReplaceAll(intPart, ",", ""), frac), end
}

// isDigits3 reports whether s[i:] starts with exactly three digits.
func isDigits3(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for k := i; k < i+3; k++ {
		if !isASCIIDigit(s[k]) {
			return false
		}
	}
	return i+3 == len(s) || !isASCIIDigit(s[i+3])
}

// canonDecimal prints a decimal with no leading zeros, no trailing
// fraction zeros and no sign on zero: 007 → 7, 5.00 → 5, .5 → 0.5, -0 → 0.
func canonDecimal(neg bool, intPart, frac string) string {
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" {
		intPart = "0"
	}
	n := intPart
	if frac != "" {
		n += "." + frac
	}
	if neg && n != "0" {
		n = "-" + n
	}
	return n
}
