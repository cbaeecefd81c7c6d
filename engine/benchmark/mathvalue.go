package benchmark

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// braceArgs braces single-token arguments: \frac12 → \frac{1}{2},
// \frac{1}2 → \frac{1}{2}, \sqrt2 → \sqrt{2}, \binom nk → \binom{n}{k},
// and unbraces single-character scripts: x^{2} → x^2, 4210_{5} → 4210_5.
// Edits are collected in one pass and applied in a second.
func braceArgs(s string) string {
	if !strings.ContainsAny(s, `\_^`) {
		return s
	}
	closeAt := matchBraces(s)
	var edits []edit
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			j := i + 1
			for j < len(s) && isASCIILetter(s[j]) {
				j++
			}
			nargs := commandArgs(s[i+1 : j])
			for pos := j; nargs > 0 && pos >= 0; nargs-- {
				pos = braceArg(s, pos, closeAt, &edits)
			}
			i = max(j-1, i)
		case '_', '^':
			if i+1 < len(s) && s[i+1] == '{' && closeAt[i+1] >= 0 {
				c := int(closeAt[i+1])
				if r, w := utf8.DecodeRuneInString(s[i+2 : c]); w > 0 && i+2+w == c && isTokenRune(r) {
					edits = append(edits, edit{at: i + 1, kind: editDelete}, edit{at: c, kind: editDelete})
				}
			}
		}
	}
	if len(edits) == 0 {
		return s
	}
	byPosition := func(a, b edit) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return int(a.kind) - int(b.kind)
	}
	if !slices.IsSortedFunc(edits, byPosition) {
		slices.SortStableFunc(edits, byPosition)
	}
	var b strings.Builder
	k := 0
	for i := 0; i <= len(s); i++ {
		deleted := false
		for ; k < len(edits) && edits[k].at == i; k++ {
			switch edits[k].kind {
			case editClose:
				b.WriteByte('}')
			case editOpen:
				b.WriteByte('{')
			case editDelete:
				deleted = true
			}
		}
		if i < len(s) && !deleted {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// commandArgs is the number of arguments braceArgs braces for a command.
func commandArgs(name string) int {
	switch name {
	case "frac", "binom":
		return 2
	case "sqrt":
		return 1
	}
	return 0
}

type editKind int

// At one position, a token that ends is closed before the next one opens.
const (
	editClose editKind = iota
	editOpen
	editDelete
)

type edit struct {
	at   int
	kind editKind
}

// braceArg reads one argument at s[pos:] (after spaces). A braced group
// needs no edit; a single letter, digit or command gets braces. It returns
// the position after the argument, or -1 where there is none.
func braceArg(s string, pos int, closeAt []int32, edits *[]edit) int {
	for pos < len(s) && s[pos] == ' ' {
		pos++
	}
	if pos >= len(s) {
		return -1
	}
	if s[pos] == '{' {
		if c := closeAt[pos]; c >= 0 {
			return int(c) + 1
		}
		return -1
	}
	end := pos
	switch r, w := utf8.DecodeRuneInString(s[pos:]); {
	case r == '\\':
		end = pos + 1
		for end < len(s) && isASCIILetter(s[end]) {
			end++
		}
		if end == pos+1 {
			return -1
		}
	case isTokenRune(r):
		end = pos + w
	default:
		return -1
	}
	*edits = append(*edits, edit{at: pos, kind: editOpen}, edit{at: end, kind: editClose})
	return end
}

func isTokenRune(r rune) bool {
	return r < utf8.RuneSelf && (isASCIILetter(byte(r)) || isASCIIDigit(byte(r)))
}

// maxNumberDigits bounds the numbers that are parsed exactly; longer ones
// are compared as strings.
const maxNumberDigits = 40

// canonValue rewrites numbers to one form (integers in decimal, other
// rationals as a reduced \frac), numbers inside tuples, intervals, sets,
// lists and matrices likewise, sorts set elements, and turns an answer
// "(C)" into "C".
func canonValue(s string, depth int) string {
	if r, ok := parseNumber(s); ok {
		return formatRat(r)
	}
	if depth == 0 && len(s) == 3 && s[0] == '(' && s[2] == ')' && isASCIIUpper(s[1]) {
		return s[1:2]
	}
	if depth >= 3 || depth == 0 && tooManyElems(s) {
		return s
	}
	if env, body, ok := splitMatrix(s); ok {
		var b strings.Builder
		start := 0
		for i := 0; i <= len(body); i++ {
			if i == len(body) || body[i] == ';' || body[i] == '&' {
				b.WriteString(canonValue(body[start:i], depth+1))
				if i < len(body) {
					b.WriteByte(body[i])
				}
				start = i + 1
			}
		}
		if env == "bmatrix" {
			env = "pmatrix" // brackets or parentheses, the same matrix
		}
		return `\begin{` + env + "}" + b.String() + `\end{` + env + "}"
	}
	if l, ok := splitList(s); ok {
		for i, e := range l.elems {
			l.elems[i] = canonValue(e, depth+1)
		}
		if l.open == `\{` {
			slices.Sort(l.elems)
		}
		out := l.open + strings.Join(l.elems, ",") + l.close
		if _, isNumber := parseNumber(out); isNumber {
			return s // "0,0100" must not become the number "0,100"
		}
		return out
	}
	return s
}

// maxElems bounds the list elements and matrix cells one answer may have
// for them to be canonicalized (all or nothing, so the result stays a
// fixed point); real answers have a handful.
const maxElems = 1000

func tooManyElems(s string) bool {
	n := 0
	for i := range len(s) {
		if s[i] == ',' || s[i] == ';' || s[i] == '&' {
			if n++; n > maxElems {
				return true
			}
		}
	}
	return false
}

// splitMatrix splits \begin{pmatrix}...\end{pmatrix} (any environment
// name ending in "matrix").
func splitMatrix(s string) (env, body string, ok bool) {
	rest, ok := strings.CutPrefix(s, `\begin{`)
	if !ok {
		return "", "", false
	}
	env, rest, ok = strings.Cut(rest, "}")
	if !ok || !strings.HasSuffix(env, "matrix") {
		return "", "", false
	}
	body, ok = strings.CutSuffix(rest, `\end{`+env+"}")
	return env, body, ok && !strings.Contains(body, `\begin`)
}

// list is a tuple "(a,b)", interval "(a,b]", set "\{a,b\}" or bare
// comma-separated list "a,b" (open and close empty).
type list struct {
	open, close string
	elems       []string
}

// unordered reports whether element order is irrelevant (sets, bare lists).
func (l list) unordered() bool { return l.open == `\{` || l.open == "" }

// splitList splits s into a list at its top-level commas. Brackets that
// do not enclose all of s ("(1,2),(3,4)") make a bare list.
func splitList(s string) (list, bool) {
	var l list
	switch {
	case len(s) >= 4 && strings.HasPrefix(s, `\{`) && strings.HasSuffix(s, `\}`):
		l.open, l.close = `\{`, `\}`
	case len(s) >= 2 && (s[0] == '(' || s[0] == '[') && (s[len(s)-1] == ')' || s[len(s)-1] == ']'):
		l.open, l.close = s[:1], s[len(s)-1:]
	}
	if l.open != "" {
		if bracketed, ok := splitElems(l, s[len(l.open):len(s)-len(l.close)]); ok {
			return bracketed, true
		}
	}
	return splitElems(list{}, s)
}

// splitElems splits inner at its top-level commas into l's elements.
func splitElems(l list, inner string) (list, bool) {
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '\\':
			if i+1 < len(inner) && inner[i+1] == '{' {
				depth++
				i++
			} else if i+1 < len(inner) && inner[i+1] == '}' {
				depth--
				i++
			}
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				l.elems = append(l.elems, strings.TrimSpace(inner[start:i]))
				start = i + 1
			}
		}
		if depth < 0 {
			return list{}, false
		}
	}
	if depth != 0 || (l.open == "" && len(l.elems) == 0) {
		return list{}, false
	}
	l.elems = append(l.elems, strings.TrimSpace(inner[start:]))
	return l, true
}
