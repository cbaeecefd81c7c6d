package ollama

import (
	"context"
	"strconv"
	"strings"

	"github.com/slmmux/slmmux/models"
)

// Feature is a daemon capability that appeared in a known release.
type Feature struct {
	Name  string
	Since string // first release with it, e.g. "0.12.11"
}

// FeatureLogprobs is token log-probabilities in /api/generate and
// /api/chat (logprobs, top_logprobs).
var FeatureLogprobs = Feature{"logprobs", "0.12.11"}

// Supports asks the daemon's version and compares it with f.Since: a
// daemon that reports no version (0.0.0: built from source without a
// stamp) is not Known, which callers treat as "try it and handle its
// absence", not as "too old".
func (c *Client) Supports(ctx context.Context, f Feature) (models.Support, error) {
	v, err := c.Version(ctx)
	if err != nil {
		return models.Support{}, err
	}
	has, known := VersionAtLeast(v, f.Since)
	return models.Support{Version: v, Since: f.Since, Known: known, Has: has}, nil
}

// LogprobSupport says whether the daemon's version gives token
// log-probabilities (FeatureLogprobs).
func (c *Client) LogprobSupport(ctx context.Context) (models.Support, error) {
	return c.Supports(ctx, FeatureLogprobs)
}

// VersionAtLeast compares dotted versions ("0.24.0", "v0.6.5", "0.12.11-rc1"):
// has is v >= min; known is false when v is 0.0.0, empty or unparsable.
func VersionAtLeast(v, min string) (has, known bool) {
	a, ok := parseVersion(v)
	b, okMin := parseVersion(min)
	if !ok || !okMin || a == [3]int{} {
		return false, false
	}
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i], true
		}
	}
	return true, true
}

func parseVersion(s string) ([3]int, bool) {
	var out [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+ "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return out, false
		}
		out[i] = n
	}
	return out, true
}
