package benchmark

import (
	"regexp"
	"strings"
)

// The general extractor is for a question asked without a benchmark
// (`jsonl` with Extractor "general", what `slmmux ask` uses by default). A
// reply's answer is, in this order:
//
//  1. the last \boxed{...}, canonicalised as for MATH;
//  2. else the last explicit answer phrase ("the answer is X", "answer: X",
//     "final answer: X"), X up to the end of its sentence or line;
//  3. else the last number of the reply's last non-empty line;
//  4. else that line itself when it is short (at most generalShortLine
//     bytes), which is how tiny models answer a word.
//
// An answer that is a number takes the number's canonical form (12, 12.0
// and "12." vote together; 1,000 is 1000); any other answer is
// canonicalised as a MATH answer, then lowercased, with surrounding
// quotes and final punctuation dropped, so "Paris." and "paris" vote
// together.
func extractGeneral(s string) string {
	if box := lastBox(s); box != "" {
		return canonGeneral(box, true)
	}
	if m := generalPhrase.FindAllStringSubmatch(s, -1); len(m) > 0 {
		if a := canonGeneral(m[len(m)-1][1], false); a != "" {
			return a
		}
	}
	line := lastLine(s)
	if n := lastNumber(line); n != "" {
		return n
	}
	if len(line) <= generalShortLine {
		return canonGeneral(line, false)
	}
	return ""
}

// generalShortLine is the longest last line taken whole as an answer.
const generalShortLine = 40

// generalPhrase matches an explicit answer and captures it up to the end
// of its sentence ('.' followed by a space or the end) or line.
var generalPhrase = regexp.MustCompile(`(?i)\banswer(?:\s+is\s*:|\s+is|\s*:)\s*([^\n]*?)(?:\.\s|\.$|\n|$)`)

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// canonGeneral canonicalises one answer: a whole number to its canonical
// form, anything else as described at extractGeneral.
func canonGeneral(a string, boxed bool) string {
	a = strings.TrimSpace(a)
	a = strings.Trim(a, "*_`\"'“”‘’")
	a = strings.TrimRight(a, ".!?;:, ")
	a = strings.TrimSpace(strings.Trim(a, "$"))
	if n := wholeNumber(a); n != "" {
		return n
	}
	if a == "" {
		return ""
	}
	if boxed {
		return canonMath(a)
	}
	return strings.ToLower(canonMath(a))
}

// GeneralReads reports whether the general rule reads a marked answer
// from reply: a box, an answer phrase, a number ending a last line that
// is not a list item, or a reply that is one short line. It is how an
// automatic kind tells a short answer from prose: a reply of several
// lines whose last line is short words (a poem, a list) does not count,
// although extractGeneral would take that line.
func GeneralReads(reply string) bool {
	s := strings.TrimSpace(reply)
	if s == "" {
		return false
	}
	if lastBox(s) != "" {
		return true
	}
	for _, m := range generalPhrase.FindAllStringSubmatch(s, -1) {
		if canonGeneral(m[1], false) != "" {
			return true
		}
	}
	line := lastLine(s)
	if listItem.MatchString(line) {
		return false
	}
	if lastNumber(line) != "" {
		return true
	}
	// Here extractGeneral(s) would come to its short-line rule: no box, no
	// phrase that reads, no number.
	return !strings.Contains(s, "\n") && len(line) <= generalShortLine && canonGeneral(line, false) != ""
}

// listItem matches a line that starts a list item: "1.", "2)", "-", "*".
var listItem = regexp.MustCompile(`^\s*(?:\d+[.)]|[-*•+])\s`)
