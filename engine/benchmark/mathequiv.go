package benchmark

import (
	"math/big"
	"strings"
)

// mathCorrect reports whether answer matches ref: equal canonical forms,
// or cheap equivalence (mathEquiv). Both sides are canonicalized again, so
// raw strings work too; "" is never correct.
func mathCorrect(answer, ref string) bool {
	a, r := canonMath(answer), canonMath(ref)
	if a == "" || r == "" {
		return false
	}
	if a == r {
		return true
	}
	budget := maxEquivSteps
	return !tooManyElems(a) && !tooManyElems(r) && mathEquiv(a, r, 0, &budget)
}

// maxEquivElems bounds the lists mathEquiv compares element by element,
// and maxEquivSteps the comparisons of one check (nested sets could
// otherwise cost 64^6).
const (
	maxEquivElems = 64
	maxEquivSteps = 1 << 14
	// symbolicCost is what one symbolicEqual call takes from the budget:
	// at most 64 of them per check.
	symbolicCost = maxEquivSteps / 64
)

// mathEquiv reports whether two canonical answers are equal numbers
// (exactly: 0.333 is not 1/3), the same expression (symbolicEqual), or
// lists whose elements are equivalent: in order for tuples and intervals
// (same brackets), in any order for sets and bare comma lists.
func mathEquiv(a, b string, depth int, budget *int) bool {
	if a == b {
		return true
	}
	if *budget--; *budget < 0 {
		return false
	}
	x, okX := parseNumber(a)
	y, okY := parseNumber(b)
	if okX && okY {
		return x.Cmp(y) == 0
	}
	if depth >= 3 {
		return false
	}
	la, okA := splitList(a)
	lb, okB := splitList(b)
	okA = okA && !isParenthesized(la)
	okB = okB && !isParenthesized(lb)
	if !okA && !okB {
		*budget -= symbolicCost
		return *budget >= 0 && symbolicEqual(a, b)
	}
	if !okA || !okB || len(la.elems) != len(lb.elems) || len(la.elems) > maxEquivElems {
		return false
	}
	if la.unordered() && lb.unordered() {
		return sameMultiset(la.elems, lb.elems, depth+1, budget)
	}
	if la.open != lb.open || la.close != lb.close {
		return false
	}
	for i := range la.elems {
		if !mathEquiv(la.elems[i], lb.elems[i], depth+1, budget) {
			return false
		}
	}
	return true
}

// isParenthesized reports whether l is one element in parentheses: a
// grouped expression "(\frac{1}{3})", not a tuple.
func isParenthesized(l list) bool { return l.open == "(" && l.close == ")" && len(l.elems) == 1 }

// sameMultiset matches every element of a with a distinct equivalent one
// of b (greedily: equivalence is transitive here).
func sameMultiset(a, b []string, depth int, budget *int) bool {
	used := make([]bool, len(b))
next:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && mathEquiv(x, y, depth, budget) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}

// parseNumber parses a canonical-ish number: an integer or decimal (with
// optional thousands commas), a fraction a/b or \frac{a}{b} of such, or a
// mixed number 2\frac{1}{2}, with an optional sign. Numbers with more than
// maxNumberDigits digits, and zero denominators, are refused.
func parseNumber(s string) (*big.Rat, bool) {
	if s == "" || len(s) > 4*maxNumberDigits {
		return nil, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg, s = s[0] == '-', s[1:]
	}
	r, ok := parseUnsigned(s)
	if ok && neg {
		r.Neg(r)
	}
	return r, ok
}

func parseUnsigned(s string) (*big.Rat, bool) {
	if r, ok := parseDecimal(s); ok {
		return r, true
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		return ratio(a, b)
	}
	whole, frac, ok := strings.Cut(s, `\frac{`)
	if !ok {
		return nil, false
	}
	a, b, ok := strings.Cut(frac, "}{")
	b, okB := strings.CutSuffix(b, "}")
	if !ok || !okB {
		return nil, false
	}
	r, ok := ratio(a, b)
	if !ok || whole == "" {
		return r, ok
	}
	// A mixed number: 2\frac{1}{2} is 5/2, for integers with 0 < a < b.
	w, ok := parseDecimal(whole)
	if !ok || !w.IsInt() || !isDigits(a) || !isDigits(b) || r.Sign() <= 0 || r.Cmp(big.NewRat(1, 1)) >= 0 {
		return nil, false
	}
	return w.Add(w, r), true
}

// ratio parses a/b where both sides are signed decimals and b is not 0.
func ratio(a, b string) (*big.Rat, bool) {
	if strings.ContainsAny(a, "/\\") || strings.ContainsAny(b, "/\\") {
		return nil, false
	}
	x, okA := parseNumber(a)
	y, okB := parseNumber(b)
	if !okA || !okB || y.Sign() == 0 {
		return nil, false
	}
	return x.Quo(x, y), true
}

// parseDecimal parses digits with optional thousands commas and an optional
// fraction part: 12, 1,000, 3.50, .5.
func parseDecimal(s string) (*big.Rat, bool) {
	intPart, fracPart, hasPoint := strings.Cut(s, ".")
	if intPart == "" && fracPart == "" || hasPoint && !isDigits(fracPart) {
		return nil, false
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return nil, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return nil, false
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart != "" && !isDigits(intPart) || len(intPart)+len(fracPart) > maxNumberDigits {
		return nil, false
	}
	num, ok := new(big.Int).SetString("0"+intPart+fracPart, 10)
	if !ok {
		return nil, false
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(fracPart))), nil)
	return new(big.Rat).SetFrac(num, den), true
}

func isDigits(s string) bool {
	for i := range len(s) {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// formatRat prints an integer in decimal and any other rational as a
// reduced \frac with the sign in front: -\frac{3}{8}.
func formatRat(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	sign := ""
	if r.Sign() < 0 {
		sign = "-"
	}
	return sign + `\frac{` + new(big.Int).Abs(r.Num()).String() + "}{" + r.Denom().String() + "}"
}
