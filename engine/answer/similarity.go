package answer

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Measure is how two answers of a code or text question are compared.
type Measure string

const (
	// BLEU is symmetric sentence BLEU-4 over code tokens (Agent Forest's
	// measure for code): the mean of BLEU with each side as the candidate,
	// add-one smoothing on the 2- to 4-gram precisions (Lin and Och 2004),
	// so short programs that share no 4-gram still score above zero.
	BLEU Measure = "bleu"
	// RougeL is the ROUGE-L F1 score over lowercased words: twice the
	// longest common subsequence over the two lengths. It is symmetric.
	RougeL Measure = "rouge-l"
	// Cosine is the cosine similarity of two embeddings, below 0 read as 0.
	Cosine Measure = "cosine"
)

// Thresholds at which two samples count as the same answer, where a
// count is needed (votes, the adaptive rule, scaling curves). They were
// set on hand-written replies (TestThresholdsSeparate): code that
// differs only in comments and spacing scores 1 after NormalizeCode; one
// program written again with other names, or its for loop as a while
// loop, scored 0.52 to 0.59 under BLEU; programs that reverse a list
// another way scored 0.03 to 0.48. Under ROUGE-L the two closest
// paraphrases of one prose answer scored 0.47 and 0.61 (a freer one
// 0.32), other answers to the question 0.05 to 0.30. Cosine keeps the
// embedding signal's 0.9.
const (
	CodeThreshold   = 0.5
	TextThreshold   = 0.4
	CosineThreshold = 0.9
)

// Threshold is m's similarity at which two samples count as one answer.
func (m Measure) Threshold() float64 {
	switch m {
	case BLEU:
		return CodeThreshold
	case Cosine:
		return CosineThreshold
	}
	return TextThreshold
}

// Form is an answer prepared for comparison: its n-grams (code), its
// words (text) or its embedding. The zero Form is an empty answer, which
// is similar to nothing.
type Form struct {
	measure Measure
	n       int                 // tokens (BLEU) or words (ROUGE-L)
	grams   [4][]gramFreq       // BLEU: n-gram hashes for n = 1..4, sorted
	words   []uint64            // ROUGE-L: word hashes in order
	match   map[uint64][]uint64 // ROUGE-L: word hash → bitset of its positions in words
	vec     []float32           // Cosine
	norm    float64             // Cosine: |vec|
}

type gramFreq struct {
	h uint64
	c int32
}

// Empty reports whether f is an empty answer.
func (f Form) Empty() bool { return f.n == 0 && f.norm == 0 }

// Measure is how f compares.
func (f Form) Measure() Measure { return f.measure }

// MeasureFor is how answers of kind k are compared: by Cosine when cosine
// (every answer has an embedding), else ROUGE-L for text and BLEU for
// code, as Prepare does.
func MeasureFor(k Kind, cosine bool) Measure {
	switch {
	case cosine:
		return Cosine
	case k == Text:
		return RougeL
	}
	return BLEU
}

// Prepare readies one answer of kind k: code (normalized, as stored) is
// compared by BLEU, anything else by ROUGE-L. A blank answer gives the
// zero Form.
func Prepare(k Kind, s string) Form {
	if k == Code {
		return prepareCode(s)
	}
	return prepareText(s)
}

// PrepareEmbedding readies an embedding for Cosine; nil or all-zero gives
// the zero Form.
func PrepareEmbedding(v []float32) Form {
	sum := 0.0
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return Form{}
	}
	return Form{measure: Cosine, vec: v, norm: math.Sqrt(sum)}
}

// CodeTokens splits code into tokens: runs of letters, digits and '_'
// (identifiers, keywords, numbers), and every other non-space character
// alone. White space separates tokens and is dropped.
func CodeTokens(code string) []string {
	var out []string
	for i := 0; i < len(code); {
		r, w := utf8.DecodeRuneInString(code[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case wordRune(r):
			j := i + w
			for j < len(code) {
				r2, w2 := utf8.DecodeRuneInString(code[j:])
				if !wordRune(r2) {
					break
				}
				j += w2
			}
			out = append(out, code[i:j])
			i = j
		default:
			out = append(out, code[i:i+w])
			i += w
		}
	}
	return out
}

func wordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Words splits text into lowercased words: runs of letters and digits.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func prepareCode(code string) Form {
	toks := CodeTokens(code)
	if len(toks) == 0 {
		return Form{}
	}
	hs := make([]uint64, len(toks))
	for i, t := range toks {
		hs[i] = hash(t)
	}
	f := Form{measure: BLEU, n: len(hs)}
	for n := 1; n <= 4; n++ {
		if len(hs) < n {
			break
		}
		gs := make([]uint64, 0, len(hs)-n+1)
		for i := 0; i+n <= len(hs); i++ {
			h := uint64(n)
			for _, x := range hs[i : i+n] {
				h = (h ^ x) * 0x100000001b3
				h ^= h >> 29
			}
			gs = append(gs, h)
		}
		slices.Sort(gs)
		var fs []gramFreq
		for _, g := range gs {
			if len(fs) > 0 && fs[len(fs)-1].h == g {
				fs[len(fs)-1].c++
				continue
			}
			fs = append(fs, gramFreq{g, 1})
		}
		f.grams[n-1] = fs
	}
	return f
}

func prepareText(text string) Form {
	ws := Words(text)
	if len(ws) == 0 {
		return Form{}
	}
	hs := make([]uint64, len(ws))
	match := map[uint64][]uint64{}
	nw := (len(ws) + 63) / 64
	for i, w := range ws {
		h := hash(w)
		hs[i] = h
		pos := match[h]
		if pos == nil {
			pos = make([]uint64, nw)
			match[h] = pos
		}
		pos[i/64] |= 1 << (i % 64)
	}
	return Form{measure: RougeL, n: len(hs), words: hs, match: match}
}

// hash is 64-bit FNV-1a.
func hash(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}

// Similarity compares two prepared answers, in [0, 1]: 1 for identical
// answers, 0 when either is empty or they were prepared for different
// measures. It is symmetric.
func Similarity(a, b Form) float64 {
	if a.Empty() || b.Empty() || a.measure != b.measure {
		return 0
	}
	switch a.measure {
	case BLEU:
		return bleu(a, b)
	case RougeL:
		if len(a.words) < len(b.words) {
			a, b = b, a
		}
		return 2 * float64(lcsBits(a.words, b)) / float64(a.n+b.n)
	}
	return cosine(a, b)
}

// bleu is the mean of BLEU-4 with a, then b, as the candidate. The
// clipped n-gram matches are the same both ways; only the candidate's
// n-gram totals and the brevity penalty differ.
func bleu(a, b Form) float64 {
	var logA, logB float64
	for n := range 4 {
		m := matches(a.grams[n], b.grams[n])
		ta, tb := max(a.n-n, 0), max(b.n-n, 0)
		if n == 0 {
			if m == 0 {
				return 0
			}
			logA += math.Log(float64(m) / float64(ta))
			logB += math.Log(float64(m) / float64(tb))
			continue
		}
		logA += math.Log(float64(m+1) / float64(ta+1))
		logB += math.Log(float64(m+1) / float64(tb+1))
	}
	return (brevity(a.n, b.n)*math.Exp(logA/4) + brevity(b.n, a.n)*math.Exp(logB/4)) / 2
}

// brevity is BLEU's brevity penalty for a candidate of c tokens against a
// reference of r.
func brevity(c, r int) float64 {
	if c >= r {
		return 1
	}
	return math.Exp(1 - float64(r)/float64(c))
}

// matches sums min(count in a, count in b) over the n-grams of two sorted
// lists.
func matches(a, b []gramFreq) int {
	m, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].h < b[j].h:
			i++
		case a[i].h > b[j].h:
			j++
		default:
			m += int(min(a[i].c, b[j].c))
			i++
			j++
		}
	}
	return m
}

// lcsBits is the length of the longest common subsequence of the words a
// and b's words, by the bit-parallel algorithm (Allison and Dix 1986;
// Hyyrö 2004): one row of the dynamic program is a bit vector V over b's
// positions, and each word x of a updates it as (V + U) | (V - U) with
// U = V & match(x), in len(a)·⌈len(b)/64⌉ word operations instead of
// len(a)·len(b) cells. The LCS is the number of zero bits left in V.
func lcsBits(a []uint64, b Form) int {
	nw := (b.n + 63) / 64
	v := make([]uint64, nw)
	for i := range v {
		v[i] = ^uint64(0)
	}
	for _, x := range a {
		m := b.match[x]
		if m == nil {
			continue
		}
		var carry uint64
		for i := range v {
			u := v[i] & m[i]
			sum, c := bits.Add64(v[i], u, carry)
			carry = c
			v[i] = sum | (v[i] &^ u)
		}
	}
	ones := 0
	for i, w := range v {
		if i == nw-1 && b.n%64 != 0 {
			w &= 1<<(b.n%64) - 1
		}
		ones += bits.OnesCount64(w)
	}
	return b.n - ones
}

func cosine(a, b Form) float64 {
	if len(a.vec) != len(b.vec) {
		return 0
	}
	dot := 0.0
	for i, x := range a.vec {
		dot += float64(x) * float64(b.vec[i])
	}
	return min(max(dot/(a.norm*b.norm), 0), 1)
}
