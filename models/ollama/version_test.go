package ollama

import (
	"strings"
	"testing"
)

func TestVersionAtLeast(t *testing.T) {
	for _, c := range []struct {
		v, min     string
		has, known bool
	}{
		{"0.24.0", "0.12.11", true, true},
		{"0.6.5", "0.12.11", false, true},
		{"v0.12.11", "0.12.11", true, true},
		{"0.12.10", "0.12.11", false, true},
		{"0.13", "0.12.11", true, true},
		{"0.12.11-rc1", "0.12.11", true, true},
		{"1.0.0", "0.12.11", true, true},
		{"0.0.0", "0.12.11", false, false}, // built from source: unknown, not old
		{"", "0.12.11", false, false},
		{"main", "0.12.11", false, false},
		{"0.1.2.3", "0.12.11", false, false},
	} {
		has, known := VersionAtLeast(c.v, c.min)
		if has != c.has || known != c.known {
			t.Errorf("VersionAtLeast(%q, %q) = %v, %v; want %v, %v", c.v, c.min, has, known, c.has, c.known)
		}
	}
}

func TestStatusWriteRows(t *testing.T) {
	for _, c := range []struct {
		s    Status
		want string
	}{
		{Status{Host: "http://127.0.0.1:9"}, "Ollama\tnot reachable at http://127.0.0.1:9: start it with `ollama serve` or set OLLAMA_HOST\n"},
		{Status{Reachable: true, Host: "http://h:1", Version: "0.6.5"}, "Ollama\t0.6.5 at http://h:1, 0 model(s) loaded\n  features\tno logprobs (they need Ollama " + FeatureLogprobs.Since + " or later)\n"},
		{Status{Reachable: true, Host: "http://h:1", Version: "0.24.0", Running: []RunningModel{{"m", 2 << 20, 0}}},
			"Ollama\t0.24.0 at http://h:1, 1 model(s) loaded\n  features\tlogprobs\n  m\t2.0 MiB (0 B in VRAM)\n"},
		{Status{Reachable: true, Host: "http://h:1", Version: "0.0.0"}, "Ollama\tversion unknown (0.0.0: built from source) at http://h:1, 0 model(s) loaded\n  features\tunknown for this build (logprobs need " + FeatureLogprobs.Since + " or later)\n"},
	} {
		var b strings.Builder
		c.s.WriteRows(&b)
		if b.String() != c.want {
			t.Errorf("%+v:\ngot  %q\nwant %q", c.s, b.String(), c.want)
		}
	}
}
