package answer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Programs for "reverse a list", as small models write them.
var programs = map[string]string{
	"loop":         "def reverse_list(xs):\n    result = []\n    for i in range(len(xs) - 1, -1, -1):\n        result.append(xs[i])\n    return result",
	"loop-renamed": "def reverse_list(items):\n    out = []\n    for j in range(len(items) - 1, -1, -1):\n        out.append(items[j])\n    return out",
	"while":        "def reverse_list(xs):\n    result = []\n    i = len(xs) - 1\n    while i >= 0:\n        result.append(xs[i])\n        i -= 1\n    return result",
	"slice":        "def reverse_list(xs):\n    return xs[::-1]",
	"slice-lst":    "def reverse_list(lst):\n    return lst[::-1]",
	"reversed":     "def reverse_list(lst):\n    return list(reversed(lst))",
	"insert":       "def reverse_list(xs):\n    out = []\n    for x in xs:\n        out.insert(0, x)\n    return out",
	"swap":         "def reverse_list(a):\n    n = len(a)\n    for i in range(n // 2):\n        a[i], a[n - 1 - i] = a[n - 1 - i], a[i]\n    return a",
	"inplace":      "def reverse_list(xs):\n    xs.reverse()\n    return xs",
}

// Answers to "why is the sky blue?": three paraphrases of one answer
// (p0..p2) and three other answers.
var skyReplies = []string{
	"The sky is blue because sunlight is scattered by the molecules in the air, and blue light is scattered much more than red light because of its shorter wavelength.",
	"Sunlight is scattered by the molecules of the air, and blue light, with its shorter wavelength, is scattered much more than red light. That is why the sky is blue.",
	"The sky is blue because the air scatters blue sunlight more than red sunlight: shorter wavelengths are scattered much more by the molecules in the air.",
	"The sky looks blue because of the ocean reflecting onto the atmosphere above it.",
	"Blue light has more energy, so our eyes are more sensitive to it during the day.",
	"I'm sorry, I cannot answer questions about the weather.",
}

// TestThresholdsSeparate checks the thresholds against the measurements
// their doc cites: one program written twice (names changed, or the same
// loop) scores at least CodeThreshold, and other programs below it; the
// closest paraphrases score at least TextThreshold, and other answers
// below it.
func TestThresholdsSeparate(t *testing.T) {
	code := func(a, b string) float64 { return Similarity(Prepare(Code, programs[a]), Prepare(Code, programs[b])) }
	same := [][2]string{{"loop", "loop-renamed"}, {"loop", "while"}, {"slice", "slice-lst"}}
	for _, p := range same {
		if s := code(p[0], p[1]); s < CodeThreshold {
			t.Errorf("%s vs %s: %.3f, below the code threshold %.2f", p[0], p[1], s, CodeThreshold)
		}
	}
	for a := range programs {
		for b := range programs {
			isSame := a == b
			for _, p := range same {
				isSame = isSame || p == [2]string{a, b} || p == [2]string{b, a}
			}
			if s := code(a, b); !isSame && s >= CodeThreshold {
				t.Errorf("%s vs %s: %.3f, at or above the code threshold %.2f", a, b, s, CodeThreshold)
			}
		}
	}
	text := func(i, j int) float64 { return Similarity(Prepare(Text, skyReplies[i]), Prepare(Text, skyReplies[j])) }
	if text(0, 1) < TextThreshold || text(0, 2) < TextThreshold {
		t.Errorf("paraphrases: %.3f, %.3f; want at least %.2f", text(0, 1), text(0, 2), TextThreshold)
	}
	for i := range skyReplies {
		for j := 3; j < len(skyReplies); j++ {
			if s := text(i, j); i != j && s >= TextThreshold {
				t.Errorf("replies %d and %d: %.3f, at or above the text threshold %.2f", i, j, s, TextThreshold)
			}
		}
	}
}

func TestSimilarityProperties(t *testing.T) {
	withComments := "def reverse_list(xs):\n    # build it from the end\n    result = []\n\n    for i in range(len(xs) - 1, -1, -1):  \n        result.append(xs[i])  # next\n    return result\n"
	if s := Similarity(Prepare(Code, NormalizeCode(withComments)), Prepare(Code, programs["loop"])); s != 1 {
		t.Errorf("comments and spacing: %v, want 1", s)
	}
	forms := []Form{Prepare(Code, programs["loop"]), Prepare(Code, programs["slice"]), Prepare(Text, skyReplies[0]), Prepare(Text, skyReplies[3]),
		PrepareEmbedding([]float32{1, 2, 3}), PrepareEmbedding([]float32{3, 2, 1})}
	for i, a := range forms {
		if s := Similarity(a, a); s < 1-1e-12 {
			t.Errorf("form %d with itself: %v", i, s)
		}
		for j, b := range forms {
			ab, ba := Similarity(a, b), Similarity(b, a)
			if ab != ba || ab < 0 || ab > 1 {
				t.Errorf("forms %d, %d: %v and %v, want equal and in [0, 1]", i, j, ab, ba)
			}
		}
		if Similarity(a, Form{}) != 0 || Similarity(Form{}, Form{}) != 0 {
			t.Errorf("form %d: an empty answer is similar to nothing", i)
		}
	}
	if Similarity(forms[0], forms[2]) != 0 {
		t.Error("a code form and a text form compare as 0")
	}
	if !Prepare(Code, " \n\t").Empty() || !Prepare(Text, "...").Empty() || !PrepareEmbedding([]float32{0, 0}).Empty() {
		t.Error("blank answers and zero vectors are empty forms")
	}
	if got := strings.Join(CodeTokens("x_1 = f(a,b)  # ok"), " "); got != "x_1 = f ( a , b ) # ok" {
		t.Errorf("CodeTokens: %q", got)
	}
}

func TestDetect(t *testing.T) {
	reads := func(r string) bool { return strings.HasPrefix(r, "#### ") }
	cases := []struct {
		replies []string
		want    Kind
	}{
		{nil, Short},
		{[]string{"", " "}, Short},
		{[]string{"```python\nx = 1\n```", "```python\nx = 2\n```", "#### 3"}, Code},
		{[]string{"```python\nx = 1\n```", "#### 3", "#### 4"}, Short},
		{[]string{"```python\nx = 1\n```", "#### 3", "prose here.", ""}, Text},
		{[]string{"#### 3", "prose", "", ""}, Text},
		{[]string{"#### 3", "#### 4", "prose", ""}, Short},
	}
	for _, c := range cases {
		if got := Detect(c.replies, reads); got != c.want {
			t.Errorf("Detect(%q) = %s, want %s", c.replies, got, c.want)
		}
	}
}

// codeOf returns a program of about n tokens, and text of n words.
func codeOf(n int) string {
	var b strings.Builder
	for i := 0; len(CodeTokens(b.String())) < n; i++ {
		fmt.Fprintf(&b, "    total_%d = values[%d] * %d + offset\n", i%7, i, i)
	}
	return b.String()
}

func textOf(n int) string {
	words := strings.Fields(strings.Repeat(skyReplies[0]+" "+skyReplies[1]+" ", n/50+1))
	return strings.Join(words[:n], " ")
}

// BenchmarkSimilarity is the cost of one comparison of two prepared
// answers (preparing is once per sample, comparing once per pair).
func BenchmarkSimilarity(b *testing.B) {
	vec := func(seed float32) []float32 {
		v := make([]float32, 768)
		for i := range v {
			v[i] = seed + float32(i%13)
		}
		return v
	}
	cases := []struct {
		name string
		a, c Form
	}{
		{"bleu/code-100-tokens", Prepare(Code, codeOf(100)), Prepare(Code, strings.ReplaceAll(codeOf(100), "offset", "base"))},
		{"bleu/code-400-tokens", Prepare(Code, codeOf(400)), Prepare(Code, strings.ReplaceAll(codeOf(400), "offset", "base"))},
		{"rouge-l/text-100-words", Prepare(Text, textOf(100)), Prepare(Text, textOf(100)[7:])},
		{"rouge-l/text-400-words", Prepare(Text, textOf(400)), Prepare(Text, textOf(400)[7:])},
		{"rouge-l/text-2000-words", Prepare(Text, textOf(2000)), Prepare(Text, textOf(2000)[7:])},
		{"cosine/768-dims", PrepareEmbedding(vec(1)), PrepareEmbedding(vec(2))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Similarity(c.a, c.c)
			}
		})
	}
	b.Run("prepare/code-400-tokens", func(b *testing.B) {
		s := codeOf(400)
		for b.Loop() {
			Prepare(Code, s)
		}
	})
	b.Run("prepare/text-400-words", func(b *testing.B) {
		s := textOf(400)
		for b.Loop() {
			Prepare(Text, s)
		}
	})
}

// lcsTable is the LCS length by the textbook dynamic program, the
// reference lcsBits is tested against.
func lcsTable(a, b []uint64) int {
	prev := make([]int32, len(b)+1)
	cur := make([]int32, len(b)+1)
	for _, x := range a {
		for j, y := range b {
			switch {
			case x == y:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return int(prev[len(b)])
}

// lcsBits agrees with the dynamic program on word sequences of every
// length around the 64-bit word boundaries, over small vocabularies (many
// repeats) and large ones.
func TestLCSBitsMatchesTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := func(n, vocab int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = fmt.Sprintf("w%d", rng.IntN(vocab))
		}
		return strings.Join(ws, " ")
	}
	for _, n := range []int{1, 2, 63, 64, 65, 127, 128, 129, 300} {
		for _, vocab := range []int{2, 5, 50} {
			for range 5 {
				a, b := prepareText(words(n, vocab)), prepareText(words(1+rng.IntN(2*n), vocab))
				if got, want := lcsBits(a.words, b), lcsTable(a.words, b.words); got != want {
					t.Fatalf("n %d vocab %d: lcsBits %d, table %d", n, vocab, got, want)
				}
				if got, want := lcsBits(b.words, a), lcsTable(b.words, a.words); got != want {
					t.Fatalf("n %d vocab %d, swapped: lcsBits %d, table %d", n, vocab, got, want)
				}
			}
		}
	}
}
