package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/runstore"
)

func benchRunDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("SLMMUX_BENCH_RUN"); d != "" {
		return d
	}
	dir := tb.TempDir()
	writeRun(tb, dir, 40, 500, 5, false)
	return dir
}

// writeRun writes models x items x k samples; reversed writes them in the
// opposite arrival order.
func writeRun(tb testing.TB, dir string, models, items, k int, reversed bool) {
	tb.Helper()
	var lines [][]byte
	for m := range models {
		for i := range items {
			for j := range k {
				a := fmt.Sprint((m*7 + i*3 + j*j) % 4)
				b, _ := json.Marshal(runstore.Sample{Item: fmt.Sprintf("q%d", i), Model: fmt.Sprintf("m%02d", m), Sample: j,
					Response: "Let me think step by step. The answer is \\boxed{" + a + "} because of reasons that go on for a while.",
					Answer:   a, Correct: a == "0", OutputTokens: 40 + j, DurationMS: 100.5})
				lines = append(lines, append(b, '\n'))
			}
		}
	}
	if reversed {
		slices.Reverse(lines)
	}
	if err := os.WriteFile(filepath.Join(dir, runstore.SamplesFile), slices.Concat(lines...), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestLoadRunOrderIsTheRunsNotArrivals(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeRun(t, a, 3, 4, 2, false)
	writeRun(t, b, 3, 4, 2, true)
	ra, err := LoadRun(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := LoadRun(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"m00", "m01", "m02"}; !slices.Equal(ra.Dataset.Models, want) || !slices.Equal(rb.Dataset.Models, want) {
		t.Errorf("without run.json: %v and %v, want sorted %v", ra.Dataset.Models, rb.Dataset.Models, want)
	}
	meta := runstore.Meta{Models: []runstore.ModelMeta{{Name: "m02"}, {Name: "m00"}}}
	if err := runstore.WriteJSON(b, runstore.MetaFile, meta); err != nil {
		t.Fatal(err)
	}
	rb, err = LoadRun(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"m02", "m00", "m01"}; !slices.Equal(rb.Dataset.Models, want) {
		t.Errorf("with run.json: %v, want %v (run.json's order, then the rest sorted)", rb.Dataset.Models, want)
	}
	if rb.Costs.Tokens["m00"] != 40.5 {
		t.Errorf("costs %v", rb.Costs.Tokens)
	}
}

func TestLoadRunErrors(t *testing.T) {
	if _, err := LoadRun(t.TempDir(), nil); !errors.Is(err, runstore.ErrNoSamples) {
		t.Errorf("empty folder: %v, want ErrNoSamples", err)
	}
	dir := t.TempDir()
	writeRun(t, dir, 2, 2, 1, false)
	if _, err := LoadRun(dir, []string{"m00", "nope"}); !errors.Is(err, ErrNotInRun) {
		t.Errorf("unknown model: %v, want ErrNotInRun", err)
	}
}

func TestLoadRunIgnoresSamplesOutsideTheRun(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, 2, 3, 2, false) // m00, m01 x q0..q2 x samples 0, 1
	extra := `{"item":"q99","model":"m00","sample":0,"answer":"1","correct":true}
{"item":"q0","model":"m00","sample":-5,"answer":"1","correct":true}
{"item":"q0","model":"m00","sample":7,"answer":"1","correct":true}
{"item":"q0","model":"ghost","sample":0,"answer":"1","correct":true}
`
	f, _ := os.OpenFile(filepath.Join(dir, runstore.SamplesFile), os.O_APPEND|os.O_WRONLY, 0o644)
	f.WriteString(extra)
	f.Close()
	meta := runstore.Meta{Samples: 2, Models: []runstore.ModelMeta{{Name: "m00"}, {Name: "m01"}}}
	runstore.WriteJSON(dir, runstore.MetaFile, meta)
	runstore.WriteJSONL(dir, runstore.ItemsFile, []runstore.Item{{ID: "q0"}, {ID: "q1"}, {ID: "q2"}})
	r, err := LoadRun(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Dataset.Items) != 3 || r.Dataset.MaxSamples() != 2 || len(r.Dataset.Models) != 2 {
		t.Fatalf("items %d, k %d, models %v: the stray lines counted", len(r.Dataset.Items), r.Dataset.MaxSamples(), r.Dataset.Models)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "4 sample line(s) outside the run") {
		t.Errorf("notes %q", r.Notes)
	}
}
