package benchmark

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OfficialGPQA is the official extract_answer_gpqa (MCQAExtractor): the six
// strategies of spec §5.3 in order, false positives included. Valid letters
// are the uppercased first characters of choices (A–D when choices is
// empty). It returns "" on failure.
func OfficialGPQA(response string, choices []string) string {
	if len(choices) == 0 {
		choices = defaultChoices
	}
	valid := make(map[string]bool, len(choices))
	for _, c := range choices {
		r, w := utf8.DecodeRuneInString(c)
		if w > 0 {
			valid[string(unicode.ToUpper(r))] = true
		}
	}
	ok := func(r byte) bool { return valid[string(rune(r))] }
	if r, found := offAnswerLetter(response); found && ok(r) {
		return string(rune(r))
	}
	if r, found := offHashLetter(response); found && ok(r) {
		return string(rune(r))
	}
	for _, line := range pySplitlines(response) {
		t := []rune(pyStrip(line))
		if len(t) == 1 && valid[string(unicode.ToUpper(t[0]))] {
			return string(unicode.ToUpper(t[0]))
		}
	}
	for i := len(response) - 3; i >= 0; i-- {
		if response[i] == '(' && isAD(response[i+1]) && response[i+2] == ')' && ok(response[i+1]) {
			return response[i+1 : i+2]
		}
	}
	if r := offLastSpaceLetter(response, ok); r != 0 {
		return string(rune(r))
	}
	const final = "Final Answer: ("
	if i := offFinalAnswer(response, final); i >= 0 && ok(response[i+len(final)]) {
		return response[i+len(final) : i+len(final)+1]
	}
	return ""
}

var defaultChoices = []string{"A", "B", "C", "D"}

func isAD(b byte) bool { return b >= 'A' && b <= 'D' }

// offAnswerLetter is re.search(r"answer[^A-Za-z0-9]*([A-D])", s, re.I): the
// first "answer" (case-insensitive, ſ folding to s) whose next alphanumeric
// character is A–D or a–d. Under re.I, ſ, ı, İ and the Kelvin sign count as
// letters of [A-Za-z].
func offAnswerLetter(s string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		end, ok := foldAnswerAt(s, i)
		if !ok {
			continue
		}
		for end < len(s) {
			r, w := utf8.DecodeRuneInString(s[end:])
			if pyIAlnum(r) {
				if up := byte(unicode.ToUpper(r)); r < utf8.RuneSelf && isAD(up) {
					return up, true
				}
				break
			}
			end += w
		}
	}
	return 0, false
}

// foldAnswerAt matches "answer" case-insensitively at s[i:].
func foldAnswerAt(s string, i int) (int, bool) {
	for _, want := range "answer" {
		if i >= len(s) {
			return 0, false
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.ToLower(r) != want && !(want == 's' && r == 'ſ') {
			return 0, false
		}
		i += w
	}
	return i, true
}

// pyIAlnum reports membership in [A-Za-z0-9] under Python's re.IGNORECASE.
func pyIAlnum(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return r == 'ſ' || r == 'ı' || r == 'İ' || r == 'K'
}

// offHashLetter is re.search(r"##\s*([A-D])\s*##", s).
func offHashLetter(s string) (byte, bool) {
	skip := func(i int) int {
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if !pyIsSpace(r) {
				break
			}
			i += w
		}
		return i
	}
	for i := strings.Index(s, "##"); i >= 0; {
		j := skip(i + 2)
		if j < len(s) && isAD(s[j]) {
			if k := skip(j + 1); strings.HasPrefix(s[k:], "##") {
				return s[j], true
			}
		}
		next := strings.Index(s[i+1:], "##")
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return 0, false
}

// offLastSpaceLetter is the last match of \s([A-D]) whose letter is valid.
func offLastSpaceLetter(s string, ok func(byte) bool) byte {
	for i := len(s) - 1; i > 0; i-- {
		if !isAD(s[i]) || !ok(s[i]) {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); pyIsSpace(r) {
			return s[i]
		}
	}
	return 0
}

// offFinalAnswer is re.search(r"Final Answer: \(([A-Z])\)", s): the index of
// the first match, or -1.
func offFinalAnswer(s, prefix string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], prefix)
		if i < 0 {
			return -1
		}
		i += off
		j := i + len(prefix)
		if j+1 < len(s) && s[j] >= 'A' && s[j] <= 'Z' && s[j+1] == ')' {
			return i
		}
		off = i + 1
	}
}
