package confidence

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// VerbalQuestion is the follow-up turn of the verbalized signal. The
// follow-up prompt is the question, the model's reply and this question
// (VerbalPrompt); it is sent greedily (temperature 0) with at most
// VerbalTokens tokens.
const VerbalQuestion = "How confident are you that your answer above is correct? Reply with one integer from 0 (surely wrong) to 100 (surely right)."

// VerbalTokens caps the follow-up's output.
const VerbalTokens = 8

// VerbalPrompt is the follow-up prompt for a reply to question.
func VerbalPrompt(question, reply string) string {
	return question + "\n\nYour answer:\n" + strings.TrimSpace(reply) + "\n\n" + VerbalQuestion
}

var (
	numRe     = `([+-]?(?:\d+(?:\.\d*)?|\.\d+))`
	wholeRe   = regexp.MustCompile(`^` + numRe + `\s*(%|percent)?\.?$`)
	outOf100  = regexp.MustCompile(numRe + `\s*(?:/|out\s+of)\s*100(?:\D|$)`)
	outOf10   = regexp.MustCompile(numRe + `\s*(?:/|out\s+of)\s*10(?:[^0-9]|$)`)
	labelled  = regexp.MustCompile(`(?i)(?:confidence|confident|score|rating|certainty)[^0-9+\-.]{0,12}` + numRe + `\s*(%)?`)
	firstNum  = regexp.MustCompile(numRe + `\s*(%)?`)
	percentRe = regexp.MustCompile(`^\s*(%|percent)`)
)

// ParseVerbal reads a 0-100 confidence from a model's reply and returns it
// in [0, 1]. Patterns, in order (case-insensitive): the whole reply is a
// number (an optional % or "percent"); "N/100" or "N out of 100"; "N/10"
// or "N out of 10" (scaled by 10); a number after "confidence", "score",
// "rating" or "certainty"; the first number anywhere. A number with a
// decimal point from 0 to 1 and no % is a fraction ("0.9" is 90 %); any
// other is a percentage, clamped to [0, 100]. ok is false when no number
// is found.
func ParseVerbal(reply string) (v float64, ok bool) {
	s := strings.TrimSpace(reply)
	s = strings.Trim(s, "\"'`*")
	if m := wholeRe.FindStringSubmatch(s); m != nil {
		return scale(m[1], m[2] != "")
	}
	if m := outOf100.FindStringSubmatch(s); m != nil {
		return clampPct(m[1], 1)
	}
	if m := outOf10.FindStringSubmatch(s); m != nil {
		return clampPct(m[1], 10)
	}
	if m := labelled.FindStringSubmatch(s); m != nil {
		return scale(m[1], m[2] != "")
	}
	if loc := firstNum.FindStringSubmatchIndex(s); loc != nil {
		pct := loc[4] >= 0 || percentRe.MatchString(s[loc[1]:])
		return scale(s[loc[2]:loc[3]], pct)
	}
	return 0, false
}

func scale(num string, pct bool) (float64, bool) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	if !pct && strings.Contains(num, ".") && f >= 0 && f <= 1 {
		return f, true
	}
	return clamp(f / 100), true
}

func clampPct(num string, mul float64) (float64, bool) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return clamp(f * mul / 100), true
}

func clamp(f float64) float64 { return min(max(f, 0), 1) }
