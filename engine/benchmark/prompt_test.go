package benchmark

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slmmux/slmmux/engine/enginetest"
)

// TestOfficialPromptFingerprints checks the Official prompts for item 0 of
// each shipped file against spec Appendix C: the first 16 hex digits of
// the SHA-256 of the UTF-8 text, and its length in code points.
func TestOfficialPromptFingerprints(t *testing.T) {
	tests := []struct {
		bench, file string
		system      fingerprint
		user        fingerprint
	}{
		{"math500", "math_500.json", fingerprint{"597729dbcb58ff1c", 264}, fingerprint{"00b68b2d0eb7b1eb", 113}},
		{"gsm8k", "gsm8k_500.json", fingerprint{"35d18015f8af3a90", 170}, fingerprint{"8edc0a783436a853", 228}},
		{"gpqa", "gpqa_shuffled.json", fingerprint{"107f931356d5a4af", 236}, fingerprint{"7c091055220c5ec3", 407}},
	}
	for _, tt := range tests {
		t.Run(tt.bench, func(t *testing.T) {
			b, err := New(tt.bench, Config{PromptStyle: Official})
			if err != nil {
				t.Fatal(err)
			}
			items, err := b.Load(enginetest.DataFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p := b.Prompt(items[0])
			if got := fingerprintOf(p.System); got != tt.system {
				t.Errorf("system prompt fingerprint %v; want %v", got, tt.system)
			}
			if got := fingerprintOf(p.User); got != tt.user {
				t.Errorf("user prompt fingerprint %v; want %v", got, tt.user)
			}
		})
	}
}

type fingerprint struct {
	sha16 string
	runes int
}

func fingerprintOf(s string) fingerprint {
	sum := sha256.Sum256([]byte(s))
	return fingerprint{hex.EncodeToString(sum[:])[:16], utf8.RuneCountInString(s)}
}

// The full system-prompt digests given in Appendix C.
func TestOfficialSystemPromptFullDigests(t *testing.T) {
	for prompt, want := range map[string]string{
		mathSystem: "597729dbcb58ff1ce2f1a6b44944be8bfa0296552fe12172e78a8d6537e508b5",
		gpqaSystem: "107f931356d5a4af1873a95e14fb52b35ff60910e5f1e9b7c7fd0da8268de5cb",
	} {
		if sum := sha256.Sum256([]byte(prompt)); hex.EncodeToString(sum[:]) != want {
			t.Errorf("SHA-256 of %.30q... = %x; want %s", prompt, sum, want)
		}
	}
}

func TestPromptStyles(t *testing.T) {
	it := Item{Question: "What is 1+1?"}
	official, _ := New("math500", Config{PromptStyle: Official})
	paper, _ := New("math500", Config{})
	if u := official.Prompt(it).User; !strings.HasSuffix(u, `\boxed{{...}}`) {
		t.Errorf("official MATH user prompt %q lacks the literal doubled braces", u)
	}
	if u := paper.Prompt(it).User; !strings.HasSuffix(u, `form: \boxed{...}`) || !strings.HasPrefix(u, "Problem:\nWhat is 1+1?\n\n") {
		t.Errorf("paper MATH user prompt = %q", u)
	}
	if o, p := official.Prompt(it), paper.Prompt(it); p.System != o.System || p.User != strings.ReplaceAll(o.User, "{{...}}", "{...}") {
		t.Errorf("paper and official MATH prompts differ beyond the braces:\n%+v\n%+v", p, o)
	}
	for _, name := range []string{"gsm8k", "gpqa"} {
		o, _ := New(name, Config{PromptStyle: Official})
		p, _ := New(name, Config{})
		it := Item{Question: "Q?", Choices: []string{"A x\n", "B y"}}
		if o.Prompt(it) != p.Prompt(it) {
			t.Errorf("%s: paper and official prompts differ", name)
		}
	}
	gpqa, _ := New("gpqa", Config{})
	want := "Question:\nQ?\n\nChoices:\nA\nB\nC\nD\n\nPlease provide your final single-letter answer in the format: ##Answer: X##."
	if u := gpqa.Prompt(Item{Question: "Q?"}).User; u != want {
		t.Errorf("GPQA prompt without choices = %q; want %q", u, want)
	}
	jsonl, _ := New("jsonl", Config{})
	if p := jsonl.Prompt(Item{Question: "2+2="}); p != (Prompt{User: "2+2="}) {
		t.Errorf("JSONL prompt = %+v; want the bare question and no system prompt", p)
	}
	p := jsonl.Prompt(Item{Question: "Q?", Choices: []string{"A x", "B y"}})
	if p.System != "" || !strings.Contains(p.User, "Choices:\nA x\nB y\n") {
		t.Errorf("JSONL prompt with choices = %+v", p)
	}
}
