package benchmark

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// relationOps maps each spelling of an order or inequality relation to its
// canonical command. Longer spellings come first so "<=" is not read as
// "<".
var relationOps = []struct{ spelling, canon string }{
	{`\leqslant`, `\le`}, {`\geqslant`, `\ge`}, {`\leq`, `\le`}, {`\geq`, `\ge`},
	{`\neq`, `\ne`}, {`\le`, `\le`}, {`\ge`, `\ge`}, {`\ne`, `\ne`}, {`\lt`, "<"}, {`\gt`, ">"},
	{"<=", `\le`}, {">=", `\ge`}, {"!=", `\ne`}, {"=<", `\le`}, {"=>", `\ge`}, {"≤", `\le`}, {"≥", `\ge`},
	{"≠", `\ne`}, {"<", "<"}, {">", ">"},
}

// joinSplitOps closes the spaces inside a two-character ASCII relation
// ("! =" is "!="), as removeSpace later would: otherwise a second pass of
// canonMath would find a relation the first did not (found by
// FuzzMathExtract: `\boxed{A\xc5\xc5\xc5! =00}`).
func joinSplitOps(s string) string {
	if strings.IndexByte(s, ' ') < 0 && strings.IndexByte(s, negSpace) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if !strings.ContainsRune("<>!=", rune(s[i])) {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == negSpace) {
			j++
		}
		if j > i+1 && j < len(s) && slices.Contains([]string{"<=", ">=", "!=", "=<", "=>"}, string([]byte{s[i], s[j]})) {
			i = j - 1 // the spaces go; the second character is written next
		}
	}
	return b.String()
}

// flipped is the relation read from right to left.
var flipped = map[string]string{`\le`: `\ge`, `\ge`: `\le`, "<": ">", ">": "<", `\ne`: `\ne`}

// canonRelation rewrites an answer holding exactly one order relation to
// one spelling, the variable on the left: "x <= 5" and "5 \geq x" both
// become "x\le 5" (spaces go later). ASCII relations are never taken apart
// by dropVariable, so "x<=5" is not "5". Anything else is returned as is.
func canonRelation(s string) string {
	s = joinSplitOps(s)
	at, op, n := -1, "", 0
	for i := 0; i < len(s); i++ {
		for _, r := range relationOps {
			if strings.HasPrefix(s[i:], r.spelling) && !(r.spelling[0] == '\\' && isLetterAt(s, i+len(r.spelling))) {
				at, op, n = i, r.spelling, n+1
				i += len(r.spelling) - 1
				break
			}
		}
	}
	if n != 1 {
		return s
	}
	canon := ""
	for _, r := range relationOps {
		if r.spelling == op {
			canon = r.canon
			break
		}
	}
	left, right := strings.TrimSpace(s[:at]), strings.TrimSpace(s[at+len(op):])
	if left == "" || right == "" {
		return s
	}
	if isVarName(right) && !isVarName(left) {
		left, right, canon = right, left, flipped[canon]
	}
	return left + canon + " " + right
}

func isLetterAt(s string, i int) bool { return i < len(s) && isASCIILetter(s[i]) }

// dropApprox removes a trailing "\approx 0.577" (an answer followed by its
// decimal value); when only a variable stands before it ("x \approx 11"),
// the value is the answer.
func dropApprox(s string) string {
	left, right, ok := strings.Cut(s, `\approx`)
	if !ok || isLetterAt(s, len(left)+len(`\approx`)) || strings.Contains(right, `\approx`) {
		return s
	}
	if l := strings.TrimSpace(left); l == "" || isVarName(l) {
		return right
	}
	return left
}

// mixedNumber rewrites a whole answer "1 4/5" or "1 \frac{4}{5}" as the
// mixed number 1\frac{4}{5}, before spaces are removed (which would make
// it 14/5).
func mixedNumber(s string) string {
	t := strings.TrimSpace(s)
	whole, frac, ok := strings.Cut(t, " ")
	frac = strings.TrimSpace(frac)
	if !ok || !isDigits(whole) || frac == "" {
		return s
	}
	if a, b, ok := strings.Cut(frac, "/"); ok && isDigits(a) && isDigits(b) {
		return whole + `\frac{` + a + "}{" + b + "}"
	}
	if strings.HasPrefix(frac, `\frac{`) {
		return whole + frac
	}
	return s
}

// dropVariable turns "x = 5", "\theta=5" and "x \in [1,2]" into their
// right-hand side when the left side is a variable name.
func dropVariable(s string) string {
	if strings.Count(s, "=") == 1 {
		left, right, _ := strings.Cut(s, "=")
		switch {
		case isVarName(left) || isVarTuple(left):
			return right
		case isVarName(right) && !isVarName(left):
			return left // "2=x"
		}
	}
	if left, right, ok := strings.Cut(s, `\in`); ok && (right == "" || !isASCIILetter(right[0])) && isVarName(left) {
		return right
	}
	return s
}

// isVarTuple reports whether t is a tuple of variable names: "(p,q)".
func isVarTuple(t string) bool {
	t = strings.TrimSpace(t)
	inner, open := strings.CutPrefix(t, "(")
	inner, closed := strings.CutSuffix(inner, ")")
	if !open || !closed || !strings.Contains(inner, ",") {
		return false
	}
	for _, v := range strings.Split(inner, ",") {
		if !isVarName(v) {
			return false
		}
	}
	return true
}

// isVarName reports whether t (spaces ignored) has at most two characters
// (the official rule) or is a letter or Greek command with an optional
// subscript, such as a_1, x_{2} or \theta.
func isVarName(t string) bool {
	t = strings.ReplaceAll(strings.TrimSpace(t), " ", "")
	if t == "" {
		return false
	}
	if utf8.RuneCountInString(t) <= 2 {
		return strings.IndexFunc(t, unicode.IsLetter) >= 0 && !strings.ContainsAny(t, `\{}()[]<>!=,;|`)
	}
	name, sub, _ := strings.Cut(t, "_")
	if strings.HasPrefix(name, `\`) {
		name = name[1:]
	} else if len(name) != 1 {
		return false
	}
	for i := range len(name) {
		if !isASCIILetter(name[i]) {
			return false
		}
	}
	sub = strings.TrimSuffix(strings.TrimPrefix(sub, "{"), "}")
	for i := range len(sub) {
		if !isASCIILetter(sub[i]) && !isASCIIDigit(sub[i]) {
			return false
		}
	}
	return name != "" && len(t) <= 12
}
