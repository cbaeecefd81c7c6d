package confidence

import (
	"math"
	"testing"
)

func TestParseVerbal(t *testing.T) {
	for in, want := range map[string]float64{
		"85": 0.85, "85%": 0.85, " 85 % ": 0.85, "I am 90 out of 100 sure": 0.9, "confidence: 70": 0.7,
		"Confidence level: 65%": 0.65, "8/10": 0.8, "7 out of 10": 0.7, "150": 1, "-5": 0, "0.9": 0.9, "1.0": 1,
		"1": 0.01, "100.": 1, "**95**": 0.95, "My answer is 12 and my confidence is 40": 0.4,
		"about 30 percent": 0.3, "95/100.": 0.95, "0": 0, ".5": 0.5, "42 because": 0.42,
	} {
		got, ok := ParseVerbal(in)
		if !ok || math.Abs(got-want) > 1e-12 {
			t.Errorf("ParseVerbal(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "very sure", "%"} {
		if v, ok := ParseVerbal(in); ok {
			t.Errorf("ParseVerbal(%q) = %v, want no value", in, v)
		}
	}
}

// Whatever the reply, the parser never panics and stays in [0, 1].
func FuzzParseVerbal(f *testing.F) {
	for _, s := range []string{"85", "8/10", "confidence: 70%", "0.9", "1e9", "-.5/100", "99999999999999999999999999999999999", "½", "٣٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseVerbal(s)
		if ok && (math.IsNaN(v) || v < 0 || v > 1) {
			t.Fatalf("ParseVerbal(%q) = %v", s, v)
		}
		if !ok && v != 0 {
			t.Fatalf("ParseVerbal(%q) failed with %v", s, v)
		}
	})
}
