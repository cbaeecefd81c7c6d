package benchmark

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var mathSeeds = []string{
	`The answer is \boxed{5}.`, `\boxed{\frac{1}{2}} and later \boxed{3}`, `\boxed{\dfrac12}`,
	`\boxed{x = 5}`, `\boxed{10\%}`, `\boxed{90^\circ}`, `\boxed{\$18.90}`, `\boxed{5\text{ cm}}`,
	`\boxed{\text{Monday}}`, `\boxed{2\sqrt}`, `\boxed{\left( 3, \frac{\pi}{2} \right)}`,
	`\boxed{a\\b}`, `\boxed{\frac ab}`, `\boxed{unbalanced`, `\boxed 5`, `\fbox{\{2,1\}}`,
	`\boxed{1,000}`, `\boxed{\begin{pmatrix} 1/5 \\ -18/5 \end{pmatrix}}`, `\boxed{137 \frac{1}{2}}`,
	`\boxed{x \in [-2,7]}`, `\boxed{\sqrt[3]{2}}`, `\boxed{4210_{5}}`, "\\boxed{\u0663/4}",
}

func FuzzMathExtract(f *testing.F) {
	for _, s := range mathSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = OfficialMath(s)
		got := (mathBench{}).Extract(s, Item{})
		if strings.Contains(got, `\boxed`) || strings.Contains(got, `\fbox`) {
			t.Fatalf("Extract(%q) = %q contains a box command", s, got)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") || strings.IndexFunc(got, isOtherSpace) >= 0 {
			t.Fatalf("Extract(%q) = %q has spaces other than single separators", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Extract(%q) = %q is not valid UTF-8", s, got)
		}
		if got != "" && !mathCorrect(got, got) {
			t.Fatalf("Extract(%q) = %q is not Correct against itself", s, got)
		}
		if isTameMath(s) {
			if again := canonMath(got); again != got {
				t.Fatalf("canonMath not idempotent on Extract(%q): %q → %q", s, got, again)
			}
		}
	})
}

func isOtherSpace(r rune) bool { return r != ' ' && pyIsSpace(r) }

// isTameMath reports whether s is free of the constructions that can
// rebuild a command only after a pass has removed something around it
// (such as "\te\text{}xt"); idempotence is promised for the rest.
func isTameMath(s string) bool {
	for _, bad := range []string{`\text`, `\mbox`, `\math`, `\emph`, `\left`, `\right`, `\big`, `\Big`, `\\`, `\circ`, "{,}"} {
		if strings.Count(s, bad) > 0 && strings.Count(s, bad) != strings.Count(s, bad+"{") {
			return false
		}
	}
	return true
}

func FuzzGSM8KExtract(f *testing.F) {
	for _, s := range []string{"so #### 42", "#### 1,600", "The total is $1,000.", "####-7", "#### 3.50",
		"#### 007", "#### $40", "#### -0.5", "#### 5.0", "#### \u0663\u0664", "1.2.3", `\boxed{1,234}`, "-$5", "\u22127"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = OfficialGSM8K(s)
		got := (gsmBench{}).Extract(s, Item{})
		if got == "" {
			return
		}
		if wholeNumber(got) != got {
			t.Fatalf("Extract(%q) = %q is not a canonical number", s, got)
		}
		if again := (gsmBench{}).Extract("#### "+got, Item{}); again != got || !numberCorrect(got, got) {
			t.Fatalf("Extract(%q) = %q does not round-trip (%q)", s, got, again)
		}
	})
}

func FuzzLetterExtract(f *testing.F) {
	for _, s := range []string{"##Answer: B##", "The answer is B", "Let me answer carefully. ##Answer: B##",
		"Final Answer: (C)", "I think\nD\n", "options (A) and (B) ... so (C)", "ANSWER:d", "answer: E",
		"## C ##", "foo\u2028B\u2028bar", "answerſB", "x\x1cB"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, twoChoices bool) {
		choices := defaultChoices
		if twoChoices {
			choices = []string{"X 1", "Y 2"}
		}
		valid := func(got string) bool {
			if got == "" {
				return true
			}
			for _, c := range choices {
				if got == c[:1] {
					return true
				}
			}
			return false
		}
		if got := OfficialGPQA(s, choices); !valid(got) {
			t.Fatalf("OfficialGPQA(%q) = %q; not a valid letter", s, got)
		}
		if got := extractLetter(s, choices); !valid(got) {
			t.Fatalf("extractLetter(%q) = %q; not a valid letter", s, got)
		}
	})
}

// TestAdversarialInputs runs every extractor over about 1 MB of
// pathological text. Quadratic code would take minutes here; the test
// only asserts that each input completes (go test's timeout is the bound).
func TestAdversarialInputs(t *testing.T) {
	const n = 1 << 20
	rep := func(s string) string { return strings.Repeat(s, n/len(s)) }
	inputs := map[string]string{
		"open boxes":     rep(`\boxed{`),
		"open braces":    rep("{"),
		"bare boxes":     rep(`\boxed`),
		"sqrt":           `\boxed{` + rep(`\sqrt`) + "}",
		"frac tokens":    `\boxed{` + rep(`\frac1`) + "}",
		"text groups":    `\boxed{5` + rep(`\text{`) + "}",
		"closed text":    `\boxed{5` + rep(`\text{ cm}`) + "}",
		"degrees":        `\boxed{` + rep(`^\circ`) + "}",
		"scripts":        `\boxed{` + rep(`x^{2}`) + "}",
		"parens":         `\boxed{` + strings.Repeat("(", n/2) + strings.Repeat(")", n/2) + "}",
		"list":           `\boxed{` + rep("1,") + "1}",
		"set":            `\boxed{\{` + rep("2,1,") + `1\}}`,
		"nested sets":    `\boxed{` + nestedSets(3, 64) + "}",
		"matrix":         `\boxed{\begin{pmatrix}` + rep(`1 \\ `) + `\end{pmatrix}}`,
		"equals":         `\boxed{x=` + rep("=") + "}",
		"units":          `\boxed{5` + rep(" cm") + "}",
		"hashes":         rep("#"),
		"hash markers":   rep("#### "),
		"hash spaces":    rep("####" + strings.Repeat(" ", 1000)),
		"thousands":      rep("1,000,"),
		"double hashes":  rep("## "),
		"answers":        rep("answer "),
		"answer fillers": rep("answer is the "),
		"answer punct":   "answer" + rep(":") + "answer",
		"parens letters": rep("(A"),
		"capitals":       rep("A "),
		"lines":          rep("\n"),
		"final answer":   rep("Final Answer: ("),
		"official sqrt":  `\boxed{` + rep(`\sqrt{`) + "}",
		"official slash": `\boxed{` + rep("1/") + "}",
		"unicode":        rep("é\u2028"),
		"backslashes":    rep(`\`),
		"answer boxed":   rep(`answer \boxed{`),
	}
	mathB, gsmB, gpqaB := mathBench{}, gsmBench{}, gpqaBench{}
	for name, s := range inputs {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			defer func() {
				// Linear inputs take well under a second alone; a quadratic scan of
				// 1 MB takes many minutes. The subtests run in parallel on a shared
				// machine, so the wall clock of one includes the others.
				limit := time.Minute
				if raceEnabled {
					limit *= 10
				}
				if d := time.Since(start); d > limit {
					t.Errorf("took %v: not linear", d)
				}
			}()
			ExtractMath(s, Flexible)
			ExtractNumber(s, Flexible)
			extractMath(s, Item{Reference: "1,2"}, Strict)
			m := mathB.Extract(s, Item{})
			mathB.Correct(m, Item{Reference: m})
			_, _ = OfficialMath(s)
			_, _ = OfficialMathNormalize(s)
			gsmB.Correct(gsmB.Extract(s, Item{}), Item{Reference: "1"})
			_ = OfficialGSM8K(s)
			gpqaB.Extract(s, Item{})
			_ = OfficialGPQA(s, nil)
		})
	}
}

// nestedSets builds sets of sets of numbers, depth levels deep.
func nestedSets(depth, width int) string {
	if depth == 0 {
		return "7"
	}
	inner := nestedSets(depth-1, width)
	return `\{` + strings.TrimSuffix(strings.Repeat(inner+",", width), ",") + `\}`
}
