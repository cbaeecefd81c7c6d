package benchmark

import "testing"

func TestMathExtract(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"last box wins", `\boxed{\frac{1}{2}} and later \boxed{3}`, "3"},
		{"bare token", `so $\boxed 42$.`, "42"},
		{"fbox", `\fbox{7}`, "7"},
		{"space before brace", `\boxed {5}`, "5"},
		{"unclosed last box falls back", `\boxed{3} then \boxed{4`, "3"},
		{"empty last box falls back", `\boxed{5} \boxed{}`, "5"},
		{"nested box", `\boxed{\boxed{6}}`, "6"},
		{"no box", "the answer is 5", ""},
		{"only empty box", `\boxed{}`, ""},
		{"other command", `\boxedanswer{5}`, ""},
		{"trailing sqrt does not panic", `\boxed{2\sqrt}`, `2\sqrt`},
		{"sqrt index", `\boxed{\sqrt[3]{2}}`, `\sqrt[3]{2}`},
		{"sqrt token", `\boxed{2\sqrt3+\sqrt{5}}`, `2\sqrt{3}+\sqrt{5}`},
		{"escaped braces", `\boxed{\{1,2\}}`, `\{1,2\}`},
		{"double escaped", `\\boxed{\\frac{1}{2}}`, `\frac{1}{2}`},
	}
	for _, tt := range tests {
		if got := (mathBench{}).Extract(tt.in, Item{}); got != tt.want {
			t.Errorf("%s: Extract(%q) = %q; want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCanonMath(t *testing.T) {
	same := map[string][]string{
		`\frac{1}{2}`: {"0.5", ".5", "1/2", `\frac{1}{2}`, `\dfrac12`, `\frac12`, `\tfrac{1}{2}`,
			`\frac 1 2`, "2/4", "0.50", `\frac{2}{4}`, `\frac{1}2`, `\frac{0.5}{1}`, " .5 "},
		`-\frac{3}{8}`:  {`-\frac{3}{8}`, `\frac{-3}{8}`, "-3/8", "-0.375", `\frac{3}{-8}`},
		"1000":          {"1,000", "1{,}000", `1,\!000`, "1000", `\$1,000`, "1000.", "+1000", "01000"},
		"2":             {`\frac{4}{2}`, "2.0", "4/2", "x = 2", `\theta=2`, "a_1 = 2", "2^\\circ", "2\\%"},
		"90":            {`90^\circ`, `90^{\circ}`, "90°", `90\text{ degrees}`, "90 degrees", `\text{90}`},
		"5":             {`5\text{ cm}`, `5 \mbox{ cm}^2`, "5 square units", "$5$", `\left. 5 \right.`, `\displaystyle 5`},
		"0":             {"-0", "0.0", "-0.00", "0"},
		`\frac{275}{2}`: {`137 \frac{1}{2}`, `137\frac12`, "137.5"},
		"Monday":        {`\text{Monday}`, `\textbf{Monday}`, " Monday "},
		"C":             {`\text{(C)}`, "(C)", "C"},
	}
	for want, ins := range same {
		for _, in := range ins {
			if got := canonMath(in); got != want {
				t.Errorf("canonMath(%q) = %q; want %q", in, got, want)
			}
		}
	}
	tests := []struct{ in, want string }{
		{"(1,2)", "(1,2)"},
		{"(1, .5)", `(1,\frac{1}{2})`},
		{`\left( 3, \frac{\pi}{2} \right)`, `(3,\frac{\pi}{2})`},
		{`\{2,1\}`, `\{1,2\}`},
		{`\left\{ 3, 1, 2 \right\}`, `\{1,2,3\}`},
		{"(3,4]", "(3,4]"},
		{`(-\infty, 0]`, `(-\infty,0]`},
		{`(0,9) \cup (9,36)`, `(0,9)\cup(9,36)`},
		{`x \in [-2,7]`, "[-2,7]"},
		{"y = 2x + 3", "2x+3"},
		{"x+y = 5", "x+y=5"},
		{"a=b=c", "a=b=c"},
		{"4210_{5}", "4210_5"},
		{"x^{2}+1", "x^2+1"},
		{`\frac ab`, `\frac{a}{b}`},
		{`\frac\pi2`, `\frac{\pi}{2}`},
		{`\binom 52`, "\\binom{5}{2}"},
		{`\sqrt`, `\sqrt`},
		{`\begin{pmatrix} 1/5 \\ -18/5 \end{pmatrix}`, `\begin{pmatrix}\frac{1}{5};-\frac{18}{5}\end{pmatrix}`},
		{`3 \pm 2 \sqrt{2}`, `3\pm2\sqrt{2}`},
		{`\cot x`, `\cot x`},
		{`\pi  r^2`, `\pi r^2`},
		{`2 \pi`, `2\pi`},
		{"1,2,3", "1,2,3"},
		{"1,-2", "1,-2"},
		{"0,0100", "0,0100"},
		{"1.", "1"},
		{"1,2,...", "1,2,..."},
		{`\text{a}\text{b}`, "ab"},
		{`\boxed{5}`, "5"},
		{"{{5}}", "5"},
		{"{1}{2}", "{1}{2}"},
		{"", ""},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := canonMath(tt.in); got != tt.want {
			t.Errorf("canonMath(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := canonMath(tt.want); got != tt.want {
			t.Errorf("canonMath(%q) = %q; canonical forms must be fixed points", tt.want, got)
		}
	}
}

func TestMathCorrect(t *testing.T) {
	tests := []struct {
		answer, ref string
		want        bool
	}{
		{`\frac{4}{2}`, "2", true},
		{"2.50", "2.5", true},
		{`\{1,2\}`, `\{2,1\}`, true},
		{"1,2", "2,1", true},
		{"1,2", `\{2,1\}`, true},
		{"(1,2)", "(2,1)", false},
		{"[1,2)", "(1,2)", false},
		{"(0.5, 1)", `(\frac12, 1)`, true},
		{"C", `\text{(C)}`, true},
		{`15\frac{39}{40}`, `\frac{639}{40}`, true},
		{"3", "4", false},
		{"1,1,2", "1,2,2", false},
		{"", "", false},
		{"", "0", false},
		{"5", "", false},
		{`\sqrt{2}`, `\sqrt2`, true},
		{"x", "y", false},
	}
	for _, tt := range tests {
		if got := (mathBench{}).Correct(tt.answer, Item{Reference: canonMath(tt.ref)}); got != tt.want {
			t.Errorf("Correct(%q, ref %q) = %v; want %v", tt.answer, tt.ref, got, tt.want)
		}
	}
}
