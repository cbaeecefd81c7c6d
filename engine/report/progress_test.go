package report

import (
	"regexp"
	"strings"
	"testing"
)

func TestProgressLines(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b, false, 4, 3) // 4 items x 3 samples
	p.Update(12, 12, 1, "m")          // the last sample is always shown
	if !regexp.MustCompile(`^progress: 4/4 items, 12/12 samples, [0-9.]+ samples/s, ETA 0s, failed 1, model m\n$`).MatchString(b.String()) {
		t.Fatalf("complete: %q", b.String())
	}
	b.Reset()
	p = NewProgress(&b, false, 4, 3)
	p.Update(9, 9, 0, "m") // adaptive sampling needed 9 of the 12
	if !strings.HasPrefix(b.String(), "progress: 9/9 samples (3 not needed so far), ") {
		t.Fatalf("adaptive: %q", b.String())
	}
	b.Reset()
	p = NewProgress(&b, true, 4, 3)
	p.Update(6, 12, 0, "m")
	p.Finish()
	if b.Len() == 0 || strings.Contains(b.String(), "progress:") {
		t.Fatalf("terminal: a bar, not lines: %q", b.String())
	}
}
