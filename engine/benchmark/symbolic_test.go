package benchmark

import (
	"strings"
	"testing"
	"time"
)

var exprSeeds = []string{
	`(r+5)^2`, `\sec^2 y`, `\sqrt{\sqrt 2}`, `2**(1/4)`, `2x`, `\frac{x}{7}+\frac{2}{7}`, `\sqrt[3]{x}`,
	`\log_2(8)`, `x^-1`, `1-\frac{1}{e}`, `\sin^{-1}x`, `((((x))))`, `2^{2^{2^{2^{2}}}}`, `0^{-1}`, `9^{64}`,
	`\frac{1}{0}`, `sqrt(-1)`, `x^{1000000}`, `\pi\theta`, `{`, `\frac{`, `-`, `.`, `1.2.3`,
}

// FuzzExprParse checks that the expression parser and symbolic equality
// never panic, stay fast on any input, and are symmetric.
func FuzzExprParse(f *testing.F) {
	for _, s := range exprSeeds {
		f.Add(s, s+"+1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		start := time.Now()
		if _, err := parseExpr(a); err == nil && len(a) > maxExprLen {
			t.Fatalf("parseExpr accepted %d bytes", len(a))
		}
		ab, ba := symbolicEqual(a, b), symbolicEqual(b, a)
		if ab != ba {
			t.Fatalf("symbolicEqual(%q, %q) = %v but reversed %v", a, b, ab, ba)
		}
		mathCorrect(a, b)
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Fatalf("comparing %q and %q took %v", a, b, d)
		}
	})
}

// TestSymbolicBounded checks that adversarial answers cost little: a 1 MB
// expression is refused by size, and a list of hard expressions is cut by
// the comparison budget.
func TestSymbolicBounded(t *testing.T) {
	hard := strings.Repeat(`(x+1)^{64}`, maxExprLen/len(`(x+1)^{64}`)-1)
	inputs := map[string][2]string{
		"1MB-sum":      {strings.Repeat("x+", 1<<19) + "1", strings.Repeat("1+x", 1<<18)},
		"1MB-parens":   {strings.Repeat("(", 1<<19) + strings.Repeat(")", 1<<19), "1"},
		"1MB-powers":   {strings.Repeat("2^", 1<<19) + "2", "4"},
		"hard-element": {hard, hard + "+1"},
		"hard-set":     {strings.Repeat(hard+",", 63) + hard, strings.Repeat(hard+"+1,", 63) + hard},
		"tower":        {`2^{2^{2^{2^{2^{2^{2}}}}}}`, `4^{2^{2^{2^{2^{2}}}}}`},
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			// Linear work on 1 MB takes milliseconds alone; an unbounded
			// expansion takes hours. The wall clock is shared with other
			// tests and machines' load (1.5 s seen under -race at load 5).
			limit := 10 * time.Second
			if raceEnabled {
				limit *= 10
			}
			start := time.Now()
			mathCorrect(in[0], in[1])
			if d := time.Since(start); d > limit {
				t.Errorf("took %v", d)
			}
		})
	}
}

// strictPairs are typical answers that string and number equivalence
// settle; symbolicPairs need the expression test.
var (
	strictPairs = [][2]string{
		{`\frac{1}{2}`, `0.5`}, {`1,000`, `1000`}, {`\{1,2\}`, `\{2,1\}`}, {`(3,\frac{\pi}{2})`, `(3,\frac{\pi}{2})`},
		{`5\text{ cm}`, `5`}, {`x=7`, `7`}, {`-\frac{3}{8}`, `-0.375`}, {`12`, `13`},
	}
	symbolicPairs = [][2]string{
		{`(r+5)^2`, `(r+5)(r+5)`}, {`\sec^2 y`, `\tan^2 y+1`}, {`\sqrt{\sqrt{2}}`, `2^{1/4}`}, {`2x`, `2*x`},
		{`\frac{x}{7}+\frac{2}{7}`, `\frac{x+2}{7}`}, {`1-\frac{1}{e}`, `1+\frac{1}{e}`}, {`\frac{\sqrt{3}}{3}`, `\frac{1}{\sqrt{3}}`},
		{`x^2+2x+1`, `(x+1)^3`},
	}
)

func benchmarkPairs(b *testing.B, pairs [][2]string) {
	canon := make([][2]string, len(pairs))
	for i, p := range pairs {
		canon[i] = [2]string{canonMath(p[0]), canonMath(p[1])}
	}
	b.ResetTimer()
	for b.Loop() {
		for i := range 1000 {
			p := canon[i%len(canon)]
			mathCorrect(p[0], p[1])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/cmp")
}

// BenchmarkCorrect times 1,000 comparisons per op (ns/op is the time per
// 1,000): answers settled by the strict string and number rules, and
// answers that need symbolic equivalence.
func BenchmarkCorrect(b *testing.B) {
	b.Run("strict", func(b *testing.B) { benchmarkPairs(b, strictPairs) })
	b.Run("symbolic", func(b *testing.B) { benchmarkPairs(b, symbolicPairs) })
}
