package benchmark

import (
	"fmt"
	"strings"
)

// ExtractMode selects which replies yield an answer, in the way evaluation
// harnesses report "strict-match" beside "flexible-extract".
type ExtractMode int

const (
	// Strict, the default, accepts only a marked answer: the last
	// \boxed{} (MATH), the number after "####" or in a box (GSM8K, which
	// then also falls back to the last number, as it always has), or a
	// letter that an answer phrase, a line or "(X)" marks.
	Strict ExtractMode = iota
	// Flexible also accepts an unmarked final answer in prose: for MATH,
	// when there is no box, the answer after a phrase such as "the final
	// answer is" or "Answer:", else the content of the last $...$, \(...\)
	// or \[...\]; for GSM8K, the number such a phrase names before the last
	// number of the reply. Letters are extracted as in Strict.
	Flexible
)

// String returns "strict" or "flexible".
func (m ExtractMode) String() string {
	switch m {
	case Strict:
		return "strict"
	case Flexible:
		return "flexible"
	}
	return fmt.Sprintf("ExtractMode(%d)", int(m))
}

// ParseExtractMode parses "strict" (or "") and "flexible".
func ParseExtractMode(s string) (ExtractMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "strict", "strict-match":
		return Strict, nil
	case "flexible", "flexible-extract":
		return Flexible, nil
	}
	return 0, fmt.Errorf("benchmark: unknown extract mode %q (valid: strict, flexible)", s)
}

// ExtractMath returns the canonical MATH answer of response in mode, or
// "" when there is none. In Strict mode it is what the "math500"
// benchmark's Extract returns for an item whose reference is not a set.
func ExtractMath(response string, mode ExtractMode) string {
	if a := canonMath(lastBox(response)); a != "" || mode != Flexible {
		return a
	}
	if a := canonMath(answerPhrase(response)); a != "" {
		return a
	}
	return canonMath(lastMathSpan(response))
}

// ExtractNumber returns the canonical GSM8K number of response in mode, or
// "".
func ExtractNumber(response string, mode ExtractMode) string {
	if mode == Flexible && markedNumber(response) == "" && lastBox(response) == "" {
		if n := lastNumber(answerPhrase(response)); n != "" {
			return n
		}
	}
	return extractNumber(response)
}

// ExtractLetter returns the chosen letter of a multiple-choice response
// (choices start with their letters; nil means A–D), or "". Both modes
// extract alike.
func ExtractLetter(response string, choices []string, _ ExtractMode) string {
	return extractLetter(response, choices)
}

// finalPhrases introduce an unboxed final answer, strongest first.
var finalPhrases = []string{"final answer is", "final answer:", "answer is", "answer:"}

// answerPhrase returns the text after the last "final answer is" (or a
// weaker phrase when that one is absent), to the end of its line or
// sentence; a math span right after the phrase is returned whole.
func answerPhrase(s string) string {
	lower := strings.ToLower(s)
	for _, p := range finalPhrases {
		i := strings.LastIndex(lower, p)
		if i < 0 {
			continue
		}
		rest := strings.TrimLeft(s[i+len(p):], " \t*:")
		if span, n := leadingMathSpan(rest); n > 0 {
			return span
		}
		if j := strings.IndexAny(rest, "\n"); j >= 0 {
			rest = rest[:j]
		}
		for _, stop := range []string{". ", " because ", ", since ", "; "} {
			if j := strings.Index(rest, stop); j >= 0 {
				rest = rest[:j]
			}
		}
		return strings.TrimRight(rest, ". ")
	}
	return ""
}

// mathDelims are the inline and display math delimiters, longest first.
var mathDelims = [][2]string{{"$$", "$$"}, {`\[`, `\]`}, {`\(`, `\)`}, {"$", "$"}}

// leadingMathSpan returns the content of a math span that starts s, and
// the length of the whole span (0 when there is none).
func leadingMathSpan(s string) (string, int) { return mathSpanAt(s, &[4]bool{}) }

// mathSpanAt is leadingMathSpan that skips the delimiters marked dead, and
// marks a delimiter dead once it has no closing one left in s, so that a
// scan over many unclosed spans stays linear.
func mathSpanAt(s string, dead *[4]bool) (string, int) {
	for k, d := range mathDelims {
		if rest, ok := strings.CutPrefix(s, d[0]); ok {
			if dead[k] {
				return "", 0
			}
			if j := strings.Index(rest, d[1]); j >= 0 {
				return rest[:j], len(d[0]) + j + len(d[1])
			}
			dead[k] = true
			return "", 0 // unclosed: no span here, nor inside it
		}
	}
	return "", 0
}

// lastMathSpan returns the content of the last non-empty math span in s.
func lastMathSpan(s string) string {
	last := ""
	var dead [4]bool
	for i := 0; i < len(s); i++ {
		if s[i] != '$' && s[i] != '\\' {
			continue
		}
		if span, n := mathSpanAt(s[i:], &dead); n > 0 {
			if strings.TrimSpace(span) != "" {
				last = span
			}
			i += n - 1
		}
	}
	return last
}

// allBoxes returns the canonical contents of every complete, non-empty
// box in s, in order and without repeats (at most maxEquivElems).
func allBoxes(s string) []string {
	closeAt := matchBraces(s)
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s) && len(out) < maxEquivElems; i++ {
		if s[i] != '\\' {
			continue
		}
		var end int
		switch {
		case strings.HasPrefix(s[i:], `\boxed`):
			end = i + len(`\boxed`)
		case strings.HasPrefix(s[i:], `\fbox`):
			end = i + len(`\fbox`)
		default:
			continue
		}
		content, ok := boxContent(s, end, closeAt)
		if !ok {
			continue
		}
		if c := canonMath(content); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
		// Go on after the box (its content starts within a few spaces of
		// end): a box inside a box is not another answer, and rescanning
		// would make "\boxed\boxed..." quadratic.
		i = end + strings.Index(s[end:], content) + len(content) - 1
	}
	return out
}

// isSetReference reports whether a canonical reference is a set or a bare
// list of at least two elements (not a tuple or interval).
func isSetReference(ref string) bool {
	l, ok := splitList(ref)
	return ok && l.unordered() && len(l.elems) >= 2
}

// extractMath is the math500 Extract: with a set or list reference, a
// reply that boxes several answers (\boxed{-2} and \boxed{1}) answers the
// list of them; otherwise the last box counts (then, in Flexible mode,
// the prose answer).
func extractMath(response string, it Item, mode ExtractMode) string {
	if isSetReference(it.Reference) {
		if boxes := allBoxes(response); len(boxes) >= 2 {
			return canonMath(strings.Join(boxes, ","))
		}
	}
	return ExtractMath(response, mode)
}
