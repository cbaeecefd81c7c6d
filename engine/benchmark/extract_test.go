package benchmark

import (
	"strings"
	"testing"
	"time"
)

func TestExtractMode(t *testing.T) {
	tests := []struct {
		name, in       string
		strict, flexib string
	}{
		{"boxed-wins", `The final answer is 41. So \boxed{42}`, "42", "42"},
		{"final-answer-is", "Therefore the final answer is 42.", "", "42"},
		{"final-answer-math", `Final Answer: The final answer is $\frac{1}{2}$. I hope it is correct.`, "", `\frac{1}{2}`},
		{"answer-colon", "Answer: 42", "", "42"},
		{"answer-because", "The answer is 42 because geometry proves it", "", "42"},
		{"last-inline-math", `We get $x=3$ and then $y = 7$`, "", "7"},
		{"last-display-math", "So \\[ 9 \\] remains", "", "9"},
		{"unclosed-math", "cost $5 and more", "", ""},
		{"nothing", "no idea", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExtractMath(tt.in, Strict); got != tt.strict {
				t.Errorf("ExtractMath(%q, Strict) = %q, want %q", tt.in, got, tt.strict)
			}
			if got := ExtractMath(tt.in, Flexible); got != tt.flexib {
				t.Errorf("ExtractMath(%q, Flexible) = %q, want %q", tt.in, got, tt.flexib)
			}
		})
	}
	t.Run("gsm8k-phrase", func(t *testing.T) {
		in := "The answer is 42, since 6*7 makes 42 and 3 more is 45 trees minus 3"
		if got := ExtractNumber(in, Strict); got != "3" {
			t.Errorf("Strict = %q, want 3", got)
		}
		if got := ExtractNumber(in, Flexible); got != "42" {
			t.Errorf("Flexible = %q, want 42", got)
		}
	})
	t.Run("config", func(t *testing.T) {
		b, err := New("math500", Config{Extract: Flexible})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Extract("the final answer is 42", Item{}); got != "42" {
			t.Errorf("Flexible math500 Extract = %q, want 42", got)
		}
		if _, err := New("gsm8k", Config{Extract: ExtractMode(7)}); err == nil {
			t.Error("New accepted ExtractMode(7)")
		}
	})
	for _, s := range []string{"", "strict", "flexible", "Flexible-Extract"} {
		if _, err := ParseExtractMode(s); err != nil {
			t.Errorf("ParseExtractMode(%q): %v", s, err)
		}
	}
	if _, err := ParseExtractMode("loose"); err == nil {
		t.Error(`ParseExtractMode("loose") succeeded`)
	}
}

// TestMultipleBoxes covers issue 13 item 4: several boxes answer a set or
// list reference; otherwise the last box counts.
func TestMultipleBoxes(t *testing.T) {
	tests := []struct {
		name, in, ref string
		want          bool
	}{
		{"two-boxes-list", `\(\boxed{-2}\) and \(\boxed{1}\)`, `-2,1`, true},
		{"two-boxes-set-order", `\boxed{1} and \boxed{-2}`, `\{-2,1\}`, true},
		{"three-boxes", `\boxed{1}, \boxed{2}, \boxed{3}`, `1,2,3`, true},
		{"tuples", `\boxed{(1, 2)}, \boxed{(2, 1)}`, `(2,1),(1,2)`, true},
		{"repeat-counts-once", `\boxed{1} so \boxed{1} and \boxed{2}`, `1,2`, true},
		{"missing-element", `\boxed{1} and \boxed{2}`, `1,2,3`, false},
		{"single-reference-last-box", `\boxed{-2} and \boxed{1}`, `1`, true},
		{"single-reference-not-first", `\boxed{-2} and \boxed{1}`, `-2`, false},
		{"tuple-reference-last-box", `\boxed{-2} and \boxed{1}`, `(-2,1)`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := Item{Reference: canonMath(tt.ref)}
			got := (mathBench{}).Extract(tt.in, it)
			if v := (mathBench{}).Correct(got, it); v != tt.want {
				t.Errorf("Extract(%q) = %q, Correct against %q = %v, want %v", tt.in, got, it.Reference, v, tt.want)
			}
		})
	}
}

func TestFlexibleBounded(t *testing.T) {
	for name, s := range map[string]string{
		"open-spans":   strings.Repeat(`\(`, 1<<19),
		"dollars":      strings.Repeat("$", 1<<20),
		"answer-words": strings.Repeat("answer is ", 1<<17),
		"boxes":        strings.Repeat(`\boxed{1}`, 1<<17),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			ExtractMath(s, Flexible)
			ExtractNumber(s, Flexible)
			extractMath(s, Item{Reference: "1,2"}, Flexible)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
