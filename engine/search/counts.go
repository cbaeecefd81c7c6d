package search

import (
	"errors"
	"strconv"
	"strings"
)

// errCounts is ParseSampleCounts' refusal.
var errCounts = errors.New("want a range like 1..9, a list like 1,3,5 or one count")

// ParseSampleCounts parses the samples curve's x values: "" (nil: every
// count stored), a range "A..B", a comma list "1,3,5", or one count; each
// from 1 to max, and at most max of them.
func ParseSampleCounts(s string, max int) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || a < 1 || b < a || b > max {
			return nil, errCounts
		}
		out := make([]int, 0, b-a+1)
		for k := a; k <= b; k++ {
			out = append(out, k)
		}
		return out, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || k < 1 || k > max || len(out) >= max {
			return nil, errCounts
		}
		out = append(out, k)
	}
	return out, nil
}
