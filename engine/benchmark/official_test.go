package benchmark

import (
	"errors"
	"testing"
)

// The vectors in this file are spec Appendix B: outputs of the official
// Python code.

func TestOfficialMath(t *testing.T) {
	tests := []struct{ in, want string }{
		{`The answer is \boxed{5}.`, "5"},
		{`\boxed{\frac{1}{2}} and later \boxed{3}`, `\frac{1}{2}`},
		{`\boxed{\dfrac12}`, `\frac{1}{2}`},
		{`\boxed{ \tfrac{3}{4} }`, `\frac{3}{4}`},
		{`\boxed{x = 5}`, "5"},
		{`\boxed{xy = 5}`, "xy=5"},
		{`\boxed{0.5}`, `\frac{1}{2}`},
		{`\boxed{.5}`, `\frac{1}{2}`},
		{`\boxed{1/2}`, `\frac{1}{2}`},
		{`\boxed{10\%}`, "10"},
		{`\boxed{90^\circ}`, "90"},
		{`\boxed{90^{\circ}}`, "90"},
		{`\boxed{\$18.90}`, "18.90"},
		{`\boxed{5\text{ cm}}`, "5"},
		{`\boxed{\text{Monday}}`, "Monday"},
		{`\boxed{\sqrt2}`, `\sqrt{2}`},
		{`\boxed{2\sqrt3+\sqrt{5}}`, `2\sqrt{3}+\sqrt{5}`},
		{`\boxed{\left( 3, \frac{\pi}{2} \right)}`, `(3,\frac{\pi}{2})`},
		{`\boxed{a\\b}`, `a\b`},
		{`\boxed{3\!000}`, "3000"},
		{`\boxed{\frac ab}`, `\frac{a}{b}`},
		{`\boxed{\frac1{2}}`, `\frac{1}{2}`},
		{`\boxed{unbalanced`, ""},
		{`no box here`, ""},
		{`\boxed {5}`, ""},
		{`\fbox{5}`, ""},
		{`\boxed{}`, ""},
		{`\boxed{(1, .5)}`, "(1,0.5)"},
		{`\boxed{x^2+ 7x+10=0}`, "x^2+7x+10=0"},
		{`\boxed{\text{(C)}}`, "(C)"},
		{`\boxed{1,000}`, "1,000"},
	}
	for _, tt := range tests {
		got, err := OfficialMath(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("OfficialMath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestOfficialMathNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=5", "5"},
		{"ab=5", "5"},
		{"a=b=c", "a=b=c"},
		{" .5", `\frac{1}{2}`},
		{"{.5}", "{0.5}"},
		{"-1/2", `\frac{-1}{2}`},
		{"1/2/3", "1/2/3"},
		{"x/2", "x/2"},
		{`\text{a}\text{b}`, "a}"},
		{"0.50", "0.50"},
		{"1 /2", `\frac{1}{2}`},
		{"1_0/3", `\frac{10}{3}`},
		// Python int() semantics (spec §0.4).
		{"+3/4", `\frac{3}{4}`},
		{"03/4", `\frac{3}{4}`},
		{"\u0663/4", `\frac{3}{4}`},
		{"1__0/3", "1__0/3"},
		{"3\u00a0/4", `\frac{3}{4}`},
		{"3\x1c/4", "3\x1c/4"}, // int() strips less than str.strip()
		{"\x1c3/4", `\frac{3}{4}`},
	}
	for _, tt := range tests {
		got, err := OfficialMathNormalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("OfficialMathNormalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	// Python raises IndexError on a \sqrt with nothing after it; the port
	// returns ErrSqrtIndex.
	for _, in := range []string{`\sqrt`, `5\sqrt`, `\sqrt\sqrt`} {
		if got, err := OfficialMathNormalize(in); !errors.Is(err, ErrSqrtIndex) {
			t.Errorf("OfficialMathNormalize(%q) = %q, %v; want ErrSqrtIndex", in, got, err)
		}
	}
	if _, err := OfficialMath(`\boxed{2\sqrt}`); !errors.Is(err, ErrSqrtIndex) {
		t.Errorf("OfficialMath(trailing sqrt) error = %v; want ErrSqrtIndex", err)
	}
}

func TestOfficialGSM8K(t *testing.T) {
	tests := []struct{ in, raw, want string }{
		{"so #### 42", "42", "42"},
		{"#### 42\nlater #### 43", "43", "43"},
		{"####-7", "-7", "-7"},
		{"#### 3.50", "3.50", "3.50"},
		{"#### 1,600", "1", "1"},
		{"The total is $1,000.", "000", "0"},
		{"no numbers", "", ""},
		{"#### 007", "007", "7"},
		{"#### 000", "000", "0"},
		{"answer: 12 apples and 3 pears", "3", "3"},
		{"#### $40", "40", "40"},
		{"#### -0.5", "-0.5", "-0.5"},
		{"#### 5.0", "5.0", "5.0"},
		// \d is Unicode-aware in Python (spec §0.4).
		{"#### \u0663\u0664", "\u0663\u0664", "\u0663\u0664"},
		{"1.2.3", "3", "3"},
	}
	for _, tt := range tests {
		if got := offGSMRaw(tt.in); got != tt.raw {
			t.Errorf("offGSMRaw(%q) = %q; want %q", tt.in, got, tt.raw)
		}
		if got := OfficialGSM8K(tt.in); got != tt.want {
			t.Errorf("OfficialGSM8K(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	norm := []struct{ in, want string }{
		{"#### 1,234", "1234"}, {" 0012 ", "12"}, {"-012", "-012"}, {"0.5", ".5"},
	}
	for _, tt := range norm {
		if got := offGSMNormalize(tt.in); got != tt.want {
			t.Errorf("offGSMNormalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestOfficialGPQA(t *testing.T) {
	tests := []struct {
		in      string
		choices []string
		want    string
	}{
		{"##Answer: B##", nil, "B"},
		{"The answer is B", nil, "B"},
		{"Let me answer carefully. ##Answer: B##", nil, "C"},
		{"To answer this, consider each option. ##Answer: B##", nil, "B"},
		{"Final Answer: (C)", nil, "C"},
		{"I think\nD\n", nil, "D"},
		{"options (A) and (B) ... so (C)", nil, "C"},
		{"It is C", nil, "C"},
		{"nothing", nil, ""},
		{"ANSWER:d", nil, "D"},
		{"answer: E", nil, ""},
		{"## C ##", nil, "C"},
		{"Answer: The correct choice is B", nil, "B"},
		{"foo\u2028B\u2028bar", nil, "B"},
		{"Answer: A", []string{"X 1", "Y 2"}, ""},
		// Beyond Appendix B: strategy 3 accepts any valid letter, and the
		// "dead" strategy 6 fires for letters outside A–D.
		{"x\ny\n", []string{"X 1", "Y 2"}, "X"},
		{"Final Answer: (Y)", []string{"X 1", "Y 2"}, "Y"},
		// re.I treats ſ as a letter of [A-Za-z] and as a match for "s".
		{"anſwer: B", nil, "B"},
		{"answerſB then (C)", nil, "C"},
		// \s is Unicode-aware and includes U+001C.
		{"x\x1cB", nil, "B"},
	}
	for _, tt := range tests {
		if got := OfficialGPQA(tt.in, tt.choices); got != tt.want {
			t.Errorf("OfficialGPQA(%q, %q) = %q; want %q", tt.in, tt.choices, got, tt.want)
		}
	}
}
