package benchmark

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is an exact port of the official framework's extractors
// (SLM-MUX-ICLR src/slm_mux/extractors, spec §5.3), bugs included, for
// differential tests. The improved extractors used by New live in math.go,
// gsm8k.go and letter.go.

// ErrSqrtIndex is returned by OfficialMath and OfficialMathNormalize where
// the Python normalizer raises IndexError: a \sqrt with nothing after it.
var ErrSqrtIndex = errors.New("benchmark: official MATH normalizer: IndexError on empty \\sqrt argument")

// OfficialMath is the official MathExtractor.extract: the first \boxed{...}
// (nested braces), normalized by OfficialMathNormalize. It returns "" when
// there is no complete box, and ErrSqrtIndex where Python raises.
func OfficialMath(response string) (string, error) {
	raw, ok := offBoxed(response)
	if !ok {
		return "", nil
	}
	return OfficialMathNormalize(raw)
}

// offBoxed is extract_boxed_text: the content of the first \boxed{, or
// false when there is none or its braces never close.
func offBoxed(s string) (string, bool) {
	const tag = `\boxed{`
	start := strings.Index(s, tag)
	if start < 0 {
		return "", false
	}
	depth := 1
	for i := start + len(tag); i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return pyStrip(s[start+len(tag) : i]), true
			}
		}
	}
	return "", false
}

// OfficialMathNormalize is the official normalize_answer (spec §5.3 step 4).
func OfficialMathNormalize(s string) (string, error) {
	s = pyStrip(s)
	// ^\\text\{(?P<text>.+?)\}$ : "." excludes only LF, and the end anchor
	// makes the lazy run extend to the final brace.
	if inner, ok := strings.CutPrefix(s, `\text{`); ok && strings.HasSuffix(inner, "}") {
		inner = inner[:len(inner)-1]
		if inner != "" && !strings.Contains(inner, "\n") {
			s = pyStrip(inner)
		}
	}
	return offStripString(s)
}

var offReplacer1 = strings.NewReplacer("\n", "", `\!`, "")

// offStripString is _strip_string, step by step.
func offStripString(s string) (string, error) {
	s = offReplacer1.Replace(s)
	for _, p := range [][2]string{
		{`\\`, `\`}, {"tfrac", "frac"}, {"dfrac", "frac"}, {`\left`, ""},
		{`\right`, ""}, {`^{\circ}`, ""}, {`^\circ`, ""}, {`\$`, ""},
	} {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	if before, _, found := strings.Cut(s, `\text{`); found {
		s = before
	}
	for _, p := range [][2]string{{`\%`, ""}, {"%", ""}, {" .", " 0."}, {"{.", "{0."}} {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	if strings.HasPrefix(s, ".") {
		s = "0" + s
	}
	if parts := strings.Split(s, "="); len(parts) == 2 && utf8.RuneCountInString(parts[0]) <= 2 {
		s = parts[1]
	}
	s, err := offFixSqrt(s)
	if err != nil {
		return "", err
	}
	s = strings.ReplaceAll(s, " ", "")
	s = offFixFracs(s)
	if s == "0.5" {
		s = `\frac{1}{2}`
	}
	return offFixSlash(s), nil
}

func offFixSqrt(s string) (string, error) {
	if !strings.Contains(s, `\sqrt`) {
		return s, nil
	}
	parts := strings.Split(s, `\sqrt`)
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if strings.HasPrefix(p, "{") {
			b.WriteString(`\sqrt` + p)
			continue
		}
		if p == "" {
			return "", ErrSqrtIndex
		}
		_, w := utf8.DecodeRuneInString(p)
		b.WriteString(`\sqrt{` + p[:w] + "}" + p[w:])
	}
	return b.String(), nil
}

func offFixFracs(s string) string {
	parts := strings.Split(s, `\frac`)
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		b.WriteString(`\frac`)
		_, wa := utf8.DecodeRuneInString(p)
		if strings.HasPrefix(p, "{") || wa >= len(p) {
			b.WriteString(p) // starts with a brace, or fewer than 2 characters
			continue
		}
		a, rest := p[:wa], p[wa:]
		if rest[0] == '{' {
			b.WriteString("{" + a + "}" + rest)
			continue
		}
		_, wb := utf8.DecodeRuneInString(rest)
		b.WriteString("{" + a + "}{" + rest[:wb] + "}" + rest[wb:])
	}
	return b.String()
}

func offFixSlash(s string) string {
	if strings.Count(s, "/") != 1 {
		return s
	}
	a, b, _ := strings.Cut(s, "/")
	ai, okA := pyInt(a)
	bi, okB := pyInt(b)
	if !okA || !okB {
		return s
	}
	return `\frac{` + ai + "}{" + bi + "}"
}

// OfficialGSM8K is the official GSMExtractor.extract: normalize_answer_gsm
// of extract_answer_gsm (spec §5.3). Thousands commas are not understood.
func OfficialGSM8K(response string) string {
	return offGSMNormalize(offGSMRaw(response))
}

// offGSMRaw is extract_answer_gsm: the number after the last "####", else
// the last number anywhere. \d and \s are Unicode-aware, as in Python.
func offGSMRaw(s string) string {
	last := ""
	for i := 0; i+4 <= len(s); {
		j := strings.Index(s[i:], "####")
		if j < 0 {
			break
		}
		i += j
		k := i + 4
		for k < len(s) {
			r, w := utf8.DecodeRuneInString(s[k:])
			if !pyIsSpace(r) {
				break
			}
			k += w
		}
		if end := offNumberAt(s, k); end > k {
			last = s[k:end]
			i = end
			continue
		}
		i++
	}
	if last != "" {
		return last
	}
	for i := 0; i < len(s); {
		if end := offNumberAt(s, i); end > i {
			last = s[i:end]
			i = end
			continue
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return last
}

// offNumberAt matches [-]?\d+(?:\.\d+)? at s[i:] and returns the end of the
// match, or i when there is none.
func offNumberAt(s string, i int) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	k := skipDigits(s, j)
	if k == j {
		return i
	}
	if k < len(s) && s[k] == '.' {
		if m := skipDigits(s, k+1); m > k+1 {
			k = m
		}
	}
	return k
}

// skipDigits returns the end of the run of Unicode decimal digits at s[i:].
func skipDigits(s string, i int) int {
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsDigit(r) {
			break
		}
		i += w
	}
	return i
}

// offGSMNormalize is normalize_answer_gsm.
func offGSMNormalize(s string) string {
	s = pyStrip(s)
	if rest, ok := strings.CutPrefix(s, "####"); ok {
		s = pyStrip(rest)
	}
	s = strings.ReplaceAll(s, ",", "")
	if s != "" && strings.Trim(s, "0") == "" {
		return "0"
	}
	return strings.TrimLeft(s, "0")
}
