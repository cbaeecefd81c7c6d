package ifeval

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// firstRune returns the first character of s and its size in bytes
// (0 for an empty string).
func firstRune(s string) (rune, int) {
	if s == "" {
		return 0, 0
	}
	return utf8.DecodeRuneInString(s)
}

// lastRune returns the last character of s and its size in bytes.
func lastRune(s string) (rune, int) {
	if s == "" {
		return 0, 0
	}
	return utf8.DecodeLastRuneInString(s)
}

// isBoundary reports whether Python's \b holds at byte offset i of s:
// exactly one side of i is a word character.
func isBoundary(s string, i int) bool {
	before, after := false, false
	if i > 0 {
		r, _ := lastRune(s[:i])
		before = pyIsWord(r)
	}
	if i < len(s) {
		r, _ := firstRune(s[i:])
		after = pyIsWord(r)
	}
	return before != after
}

// pyLower is str.lower(), as far as Go's simple case mapping goes.
func pyLower(s string) string { return strings.ToLower(s) }

// pyJSONValid reports whether Python's json.loads accepts s: standard JSON
// plus the NaN, Infinity and -Infinity that Python reads as numbers.
func pyJSONValid(s string) bool {
	if json.Valid([]byte(s)) {
		return true
	}
	if !strings.Contains(s, "NaN") && !strings.Contains(s, "Infinity") {
		return false
	}
	// Replace the three names by null outside strings, then check again:
	// null, unlike a number, cannot merge with a neighbouring digit, sign
	// or exponent ("[1NaN]", "-NaN", "1eNaN"), which Python rejects.
	var b strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
			b.WriteByte(c)
		case strings.HasPrefix(s[i:], "NaN"):
			b.WriteString("null")
			i += len("NaN") - 1
		case strings.HasPrefix(s[i:], "-Infinity"):
			b.WriteString("null")
			i += len("-Infinity") - 1
		case strings.HasPrefix(s[i:], "Infinity"):
			b.WriteString("null")
			i += len("Infinity") - 1
		default:
			b.WriteByte(c)
		}
	}
	return json.Valid([]byte(b.String()))
}
