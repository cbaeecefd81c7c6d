package ollama

import "testing"

func TestReleaseAtLeast(t *testing.T) {
	for v, want := range map[string]bool{
		"0.24.0": true, "v0.9.3": true, "0.9.3-rc1": true, "0.10.0": true, "1.0.0": true,
		"0.9.2": false, "0.6.5": false, "0.0.0": false, "": false, "abc": false, "0.9": false,
	} {
		if got := releaseAtLeast(v, clampsContextSince); got != want {
			t.Errorf("releaseAtLeast(%q) = %v, want %v", v, got, want)
		}
	}
}
