package answer

import "strings"

// Detect chooses a question's kind from its replies, for Auto: Code when
// more than half of the non-blank replies carry code (ExtractCode), else
// Short when reads finds an answer in more than half of them, else Text.
// With no non-blank reply it is Short, whose selection then finds no
// answer, as before kinds existed.
func Detect(replies []string, reads func(reply string) bool) Kind {
	n, code, short := 0, 0, 0
	for _, r := range replies {
		if strings.TrimSpace(r) == "" {
			continue
		}
		n++
		if _, ok := ExtractCode(r); ok {
			code++
		}
		if reads(r) {
			short++
		}
	}
	switch {
	case n == 0:
		return Short
	case 2*code > n:
		return Code
	case 2*short > n:
		return Short
	}
	return Text
}

// FormOf is what a code or text reply is compared by, the form a grading
// benchmark's Extract stores: the reply's code after NormalizeCode (""
// when it has none) for Code, the trimmed reply otherwise.
func FormOf(k Kind, reply string) string {
	if k == Code {
		code, ok := ExtractCode(reply)
		if !ok {
			return ""
		}
		return NormalizeCode(code)
	}
	return strings.TrimSpace(reply)
}
