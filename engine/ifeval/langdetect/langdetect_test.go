package langdetect

import (
	"errors"
	"math"
	"testing"
)

// TestPyRandom compares the Mersenne Twister with values printed by
// CPython 3.11: r = random.Random(); r.seed(0); three r.gauss(0.0, 1.0),
// one r.random(), five r.choice(range(1000)), one r.choice(range(7)).
// Integers and random() are exact; gauss goes through Go's math.Sin and
// math.Cos, which may differ from the C library's in the last bit.
func TestPyRandom(t *testing.T) {
	var r pyRandom
	r.seed(0)
	for i, want := range []float64{0.9417154046806644, -1.3965781047011498, -0.6797144480784211} {
		if got := r.gauss(); math.Abs(got-want) > 1e-15*math.Abs(want) {
			t.Errorf("gauss %d = %v, want %v", i, got, want)
		}
	}
	if got, want := r.random(), 0.5112747213686085; got != want {
		t.Errorf("random = %v, want %v", got, want)
	}
	for i, want := range []int{414, 940, 802, 849, 310} {
		if got := r.below(1000); got != want {
			t.Errorf("choice %d of range(1000) = %d, want %d", i, got, want)
		}
	}
	if got := r.below(7); got != 3 {
		t.Errorf("choice of range(7) = %d, want 3", got)
	}
}

// TestDetect compares with Python langdetect 1.0.9 and
// DetectorFactory.seed = 0 (langdetect.detect_langs), on the sentences of
// the IFEval authors' instructions_test.py and a few other languages.
func TestDetect(t *testing.T) {
	for _, c := range []struct {
		text  string
		langs []string
	}{
		{"The response is English", []string{"en"}},
		{"Desayunamos en McDonald's hoy", []string{"es"}},
		{"Today we visit the Louvre", []string{"en"}},
		{"THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.", []string{"en", "de"}},
		{"every letter is lowercase.", []string{"en"}},
		{"Habari ya asubuhi, rafiki yangu. Leo ni siku nzuri sana.", []string{"sw", "id"}},
		{"यह एक हिंदी वाक्य है।", []string{"hi"}},
		{"这是一个中文句子。", []string{"zh-cn"}},
		{"Ceci est une phrase en français.", []string{"fr"}},
		{"Tämä on suomenkielinen lause.", []string{"fi"}},
		{"ABC DEF", []string{"de"}}, // only the first capital of a word counts
	} {
		probs, err := Probabilities(c.text)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		var got []string
		for _, p := range probs {
			got = append(got, p.Lang)
		}
		if len(got) != len(c.langs) {
			t.Errorf("%q: languages %v, want %v", c.text, got, c.langs)
			continue
		}
		for i := range got {
			if got[i] != c.langs[i] {
				t.Errorf("%q: languages %v, want %v", c.text, got, c.langs)
				break
			}
		}
		lang, err := Detect(c.text)
		if err != nil || lang != c.langs[0] {
			t.Errorf("Detect(%q) = %q, %v; want %q", c.text, lang, err, c.langs[0])
		}
	}
}

// TestNoFeatures: a text without letters has no n-grams; Python raises
// LangDetectException("No features in text.").
func TestNoFeatures(t *testing.T) {
	for _, text := range []string{"", "1234 !!!", "https://example.com/a?b=c"} {
		if _, err := Detect(text); !errors.Is(err, ErrNoFeatures) {
			t.Errorf("Detect(%q) error = %v, want ErrNoFeatures", text, err)
		}
	}
}

// TestLanguages: the 55 profiles langdetect ships, including the
// languages IFEval asks for.
func TestLanguages(t *testing.T) {
	langs := Languages()
	if len(langs) != 55 {
		t.Errorf("%d languages, want 55", len(langs))
	}
	have := map[string]bool{}
	for _, l := range langs {
		have[l] = true
	}
	for _, l := range []string{"en", "sw", "hi", "kn", "mr", "vi", "ko", "de", "pa", "fa", "ru", "bg", "pt", "gu", "te", "it", "ar", "ta", "fi", "ur", "th", "ne", "bn"} {
		if !have[l] {
			t.Errorf("no profile for %q", l)
		}
	}
}
