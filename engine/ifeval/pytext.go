package ifeval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds Python's string semantics where Go's differ: what counts
// as whitespace for str.strip and str.split and the re module's \s, what
// the re module's \w and \d match in str patterns, and str.isupper and
// str.islower.

// pySpaceClass is Python's \s for str patterns (the characters for which
// str.isspace is true), as a Go regexp character class.
const pySpaceClass = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

// pyIsSpace reports whether str.isspace is true for r.
func pyIsSpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r >= 0x1c && r <= 0x1f, r == ' ', r == 0x85, r == 0xa0, r == 0x1680:
		return true
	case r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// pyIsWord reports whether Python's \w matches r in a str pattern: a letter,
// a number (str.isalnum) or the underscore.
func pyIsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pyStrip is str.strip() with no argument.
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pyFields is str.split() with no argument.
func pyFields(s string) []string { return strings.FieldsFunc(s, pyIsSpace) }

// pyLen is len(s) for a Python str: the number of code points.
func pyLen(s string) int { return utf8.RuneCountInString(s) }

// cased reports whether r is a cased character and, if so, whether it is
// upper case and lower case in Python's sense (str.isupper, str.islower):
// categories Lu and Ll, plus Lt (cased, but neither upper nor lower), plus
// the Other_Uppercase and Other_Lowercase properties.
func cased(r rune) (isCased, upper, lower bool) {
	switch {
	case unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r):
		return true, true, false
	case unicode.IsLower(r) || unicode.Is(unicode.Other_Lowercase, r):
		return true, false, true
	case unicode.IsTitle(r):
		return true, false, false
	}
	return false, false, false
}

// pyIsUpper is str.isupper: at least one cased character and no cased
// character that is not upper case.
func pyIsUpper(s string) bool { return allCased(s, true) }

// pyIsLower is str.islower: at least one cased character and no cased
// character that is not lower case.
func pyIsLower(s string) bool { return allCased(s, false) }

// allCased reports whether s has at least one cased character and every
// cased character is upper case (upper true) or lower case (upper false).
func allCased(s string, upper bool) bool {
	seen := false
	for _, r := range s {
		c, up, low := cased(r)
		if !c {
			continue
		}
		if upper && !up || !upper && !low {
			return false
		}
		seen = true
	}
	return seen
}
