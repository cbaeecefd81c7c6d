package ollama

import (
	"strconv"
	"strings"
)

// clampsContextSince is the first release that caps num_ctx at a model's
// trained context (ollama/ollama#11175, merged 2025-06-23; v0.24.0 does,
// v0.6.5 does not).
var clampsContextSince = [3]int{0, 9, 3}

// releaseAtLeast reports whether version v ("0.24.0", "v0.9.3-rc1") is at
// least min. An unparsable version, and 0.0.0 (a build without a stamped
// version), are unknown: false.
func releaseAtLeast(v string, min [3]int) bool {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+ "); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	var got [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return false
		}
		got[i] = n
	}
	if got == [3]int{} {
		return false
	}
	for i := range got {
		if got[i] != min[i] {
			return got[i] > min[i]
		}
	}
	return true
}
