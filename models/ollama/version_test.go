package ollama

import "testing"

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
