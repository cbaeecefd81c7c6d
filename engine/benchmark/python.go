package benchmark

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the few Python string semantics that the Official*
// functions must reproduce exactly (spec §0.4).

// pyIsSpace reports whether Python's str.isspace() is true for r. It is
// Go's unicode.IsSpace plus the information separators U+001C–U+001F.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's str.strip() with no arguments.
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pySplitlines is Python's str.splitlines() without keepends.
func pySplitlines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			lines = append(lines, s[start:i])
			start = i + w
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				w++
			}
			start = i + w
		}
		i += w
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// pyMaxIntDigits is CPython's default int_max_str_digits (3.11+): int() of
// a longer decimal string raises ValueError.
const pyMaxIntDigits = 4300

// pyInt parses s like Python's int(s) (base 10) and returns the decimal
// form that f"{int(s)}" would print. Surrounding Unicode whitespace (Go's
// unicode.IsSpace set, which is what int() strips), a sign, single
// underscores between digits and any Unicode decimal digits are accepted.
func pyInt(s string) (string, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var b strings.Builder
	prevDigit := false
	for _, r := range s {
		if r == '_' {
			if !prevDigit {
				return "", false
			}
			prevDigit = false
			continue
		}
		d, ok := digitValue(r)
		if !ok {
			return "", false
		}
		b.WriteByte(byte('0' + d))
		prevDigit = true
	}
	if !prevDigit || b.Len() > pyMaxIntDigits {
		return "", false
	}
	digits := strings.TrimLeft(b.String(), "0")
	if digits == "" {
		return "0", true
	}
	if neg {
		return "-" + digits, true
	}
	return digits, true
}

// digitValue returns the value of a Unicode decimal digit (category Nd).
// Nd digits are always encoded as complete, contiguous runs of 0–9, so the
// value is the distance to the start of the run, modulo 10.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if !unicode.IsDigit(r) {
		return 0, false
	}
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10, true
}
