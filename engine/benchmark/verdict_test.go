package benchmark

import "testing"

// TestIssue13Verdicts holds the wrong verdicts of issue 13, each with the
// verdict it must now have.
func TestIssue13Verdicts(t *testing.T) {
	abcd := []string{"A 1", "B 2", "C 3", "D 4"}
	nine := []string{"A 1", "B 2", "C 3", "D 4", "E 5", "F 6", "G 7", "H 8", "I 9"}
	letters := []struct {
		name, in string
		choices  []string
		want     string
	}{
		{"rejected-last-letter", "The answer is probably C, not B.", abcd, "C"},
		{"rejected-after-stop", "D. it can't be A or B", abcd, "D"},
		{"negated-first", "It's not A because it is wrong, therefore I think it's B", abcd, "B"},
		{"pronoun-I-nine-options", "ANSWER: I don't know", nine, ""},
		{"option-I", "ANSWER: I", nine, "I"},
		{"han-after-letter", "B不是 A", abcd, "B"},
	}
	for _, tt := range letters {
		t.Run("letter/"+tt.name, func(t *testing.T) {
			if got := extractLetter(tt.in, tt.choices); got != tt.want {
				t.Errorf("extractLetter(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	gsm := []struct{ name, in, want string }{
		{"digit-in-word", "The gas is CO2, so the answer is 12 or CO2", "12"},
		{"digit-in-word-only", "AZYUK2A", ""},
	}
	for _, tt := range gsm {
		t.Run("gsm8k/"+tt.name, func(t *testing.T) {
			if got := extractNumber(tt.in); got != tt.want {
				t.Errorf("extractNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, tt := range mathVerdicts {
		t.Run("math/"+tt.name, func(t *testing.T) {
			got := (mathBench{}).Extract(tt.response, Item{})
			ref := canonMath(tt.ref)
			if v := (mathBench{}).Correct(got, Item{Reference: ref}); v != tt.want {
				t.Errorf("Correct(Extract(%q) = %q, %q) = %v, want %v", tt.response, got, ref, v, tt.want)
			}
		})
	}
}

var mathVerdicts = []struct {
	name, response, ref string
	want                bool
}{
	{"le-is-not-ge", `\boxed{x <= 5}`, `x >= 5`, false},
	{"le-is-not-rhs", `\boxed{x <= 5}`, `5`, false},
	{"ne-is-not-rhs", `\boxed{x != 3}`, `3`, false},
	{"le-spellings", `\boxed{x <= 5}`, `x \leq 5`, true},
	{"ge-reversed", `\boxed{5 \geq x}`, `x \le 5`, true},
	{"gt-reversed", `\boxed{x<2}`, `2>x`, true},
	{"mixed-number-space", `\boxed{1 4/5}`, `1\frac{4}{5}`, true},
	{"mixed-number-not-14/5", `\boxed{1 4/5}`, `\frac{14}{5}`, false},
	{"list-not-thousands", `\boxed{10, 100}`, `10100`, false},
	{"list-space", `\boxed{10, 100}`, `100,10`, true},
	{"thousands-negspace", `\boxed{1,\!000}`, `1000`, true},
	{"percent-word", `\boxed{28 percent}`, `28\%`, true},
	{"pct-word", `\boxed{28 pct}`, `28\%`, true},
	{"cfrac", `\boxed{\cfrac{1}{3}}`, `1/3`, true},
	{"reversed-assignment", `\boxed{2=x}`, `2`, true},
	{"tuple-assignment", `\boxed{(p,q)=(3,2)}`, `(3,2)`, true},
	{"tuple-assignment-order", `\boxed{(p,q)=(3,2)}`, `(2,3)`, false},
	{"bmatrix-pmatrix", `\boxed{\begin{bmatrix}0&1\\1&0\end{bmatrix}}`, `\begin{pmatrix}0&1\\1&0\end{pmatrix}`, true},
	{"trailing-approx", `\boxed{\frac{\sqrt{3}}{3} \approx 0.577}`, `\frac{\sqrt{3}}{3}`, true},
	{"variable-approx", `\boxed{x\approx 11}`, `11`, true},
}

// TestSymbolicEqual covers issue 13 item 2: equal expressions written
// differently are equal; near misses never are.
func TestSymbolicEqual(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       bool
	}{
		{"square-vs-product", `(r+5)^2`, `(r+5)(r+5)`, true},
		{"sec-tan", `\sec^2 y`, `\tan^2 y + 1`, true},
		{"sec-tan-parens", `\sec^2(y)`, `\tan^2(y)+1`, true},
		{"nested-root", `\sqrt{\sqrt 2}`, `2^{1/4}`, true},
		{"nested-root-ascii", `\sqrt{\sqrt{2}}`, `2**(1/4)`, true},
		{"implicit-product", `2x`, `2*x`, true},
		{"expanded", `x^2 + 2*x + 1`, `x^2+2x+1`, true},
		{"double-negative", `x^2 + 2*x - (-1)`, `x^2+2x+1`, true},
		{"fraction-split", `\frac{x}{7}+\frac{2}{7}`, `\frac{x+2}{7}`, true},
		{"ascii-sqrt", `-1 + sqrt(3)`, `\sqrt{3} - 1`, true},
		{"ascii-fraction", `(3*sqrt(5))/7`, `\frac{3\sqrt{5}}{7}`, true},
		{"scientific", `1.5 \times 10^3`, `1500`, true},
		{"cancel", `x^2 - x^2`, `0`, true},
		{"float-of-root", `\sqrt{17}`, `4.123105625617661`, true},
		{"rationalized", `\frac{\sqrt{3}}{3}`, `\frac{1}{\sqrt{3}}`, true},
		{"cube-root", `\sqrt[3]{8}`, `2`, true},
		{"greek", `2\theta+\pi`, `\pi+\theta\cdot 2`, true},
		// The near-miss set: none of these may be equal.
		{"near/e-sign", `1-\frac1e`, `1+\frac1e`, false},
		{"near/e-sign-canon", `1-\frac{1}{e}`, `1+\frac{1}{e}`, false},
		{"near/swapped-sign", `x-1`, `1-x`, false},
		{"near/swapped-sign-root", `\sqrt{3}-1`, `1-\sqrt{3}`, false},
		{"near/exponent-off-by-one", `x^2`, `x^3`, false},
		{"near/exponent-off-by-one-paren", `(r+5)^2`, `(r+5)^3`, false},
		{"near/root-vs-decimal", `\frac{\sqrt{3}}{3}`, `0.577`, false},
		{"near/pi-approx", `\pi`, `3.14159`, false},
		{"near/sec-vs-tan", `\sec^2 y`, `\tan^2 y`, false},
		{"near/fourth-vs-half", `\sqrt{\sqrt 2}`, `2^{1/2}`, false},
		{"near/coefficient", `2x+1`, `2x+2`, false},
		{"near/word-anagram", `Monday`, `Mondya`, false},
		{"near/letters", `ab`, `ba`, false},
		{"near/different-variable", `f(y)`, `f(x)`, false},
		{"near/log-base", `\log_2 8`, `\log_3 8`, false},
		{"near/inverse-sine", `\sin^{-1}x`, `\csc x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mathCorrect(tt.a, tt.b); got != tt.want {
				t.Errorf("mathCorrect(%q, %q) = %v, want %v (canonical %q, %q)", tt.a, tt.b, got, tt.want, canonMath(tt.a), canonMath(tt.b))
			}
			if got := mathCorrect(tt.b, tt.a); got != tt.want {
				t.Errorf("mathCorrect(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// TestSymbolicNearMissExtra holds false positives found while porting the
// peer suites.
func TestSymbolicNearMissExtra(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       bool
	}{
		{"mixed-number-not-product", `2\frac{1}{2}`, `1`, false},
		{"mixed-number-improper", `11 6/6`, `11`, false},
		{"thousands-negspace-space", `32,\! 349`, `32349`, true},
		{"interval-union-spaces", `(2, 12) \cup (12, 102)`, `(2,12)\cup(12,102)`, true},
		{"grouped-fraction", `\left( \frac{1}{3} \right)`, `1/3`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mathCorrect(tt.a, tt.b); got != tt.want {
				t.Errorf("mathCorrect(%q, %q) = %v, want %v (canonical %q, %q)", tt.a, tt.b, got, tt.want, canonMath(tt.a), canonMath(tt.b))
			}
		})
	}
}
