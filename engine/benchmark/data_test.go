package benchmark

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/enginetest"
)

// rawRecords reads a data file's JSON array as string fields.
func rawRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

func mustLoad(t *testing.T, name, file string) (Benchmark, []Item, []map[string]any) {
	t.Helper()
	b, err := New(name, Config{})
	if err != nil {
		t.Fatal(err)
	}
	path := enginetest.DataFile(t, file)
	items, err := b.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := rawRecords(t, path)
	if len(items) != len(recs) {
		t.Fatalf("%s: loaded %d items from %d records", name, len(items), len(recs))
	}
	return b, items, recs
}

func TestMathData(t *testing.T) {
	b, items, recs := mustLoad(t, "math500", "math_500.json")
	if len(items) != 500 {
		t.Fatalf("got %d items, want 500", len(items))
	}
	subjects := map[string]int{}
	canonical, viaEquiv := 0, 0
	for i, it := range items {
		subjects[it.Subject]++
		answer, solution := recs[i]["answer"].(string), recs[i]["solution"].(string)
		if it.ID != recs[i]["unique_id"] || it.Level < 1 || it.Level > 5 {
			t.Errorf("item %d: id %q level %d", i, it.ID, it.Level)
		}
		if got := canonMath(it.Reference); got != it.Reference {
			t.Errorf("%s: canonical form not idempotent: %q → %q", it.ID, it.Reference, got)
		}
		if !b.Correct(answer, it) || !b.Correct(it.Reference, it) {
			t.Errorf("%s: answer %q (canonical %q) is not Correct against itself", it.ID, answer, it.Reference)
		}
		got := b.Extract(solution, it)
		switch {
		case got == it.Reference:
			canonical++
		case b.Correct(got, it):
			viaEquiv++
			t.Logf("%s: boxed %q correct only by equivalence with %q", it.ID, got, it.Reference)
		default:
			t.Errorf("%s: Extract(solution) = %q, not Correct against %q", it.ID, got, it.Reference)
		}
	}
	t.Logf("MATH-500: Extract(solution) equals the canonical answer for %d/500, correct only via equivalence for %d", canonical, viaEquiv)
	want := map[string]int{"Algebra": 124, "Intermediate Algebra": 97, "Prealgebra": 82, "Number Theory": 62,
		"Precalculus": 56, "Geometry": 41, "Counting & Probability": 38}
	for s, n := range want {
		if subjects[s] != n {
			t.Errorf("subject %q: %d items, want %d", s, subjects[s], n)
		}
	}
}

func TestGSM8KData(t *testing.T) {
	b, items, recs := mustLoad(t, "gsm8k", "gsm8k_500.json")
	commas, negative := 0, 0
	for i, it := range items {
		rationale := recs[i]["answer"].(string)
		_, final, _ := strings.Cut(rationale, "#### ")
		if strings.Contains(final, ",") {
			commas++
			if strings.Contains(it.Reference, ",") || OfficialGSM8K(rationale) == it.Reference {
				t.Errorf("%s: reference %q keeps the official truncation", it.ID, it.Reference)
			}
		}
		if strings.HasPrefix(it.Reference, "-") {
			negative++
		}
		if got := b.Extract(rationale, it); !b.Correct(got, it) {
			t.Errorf("%s: Extract(rationale) = %q, not Correct against %q", it.ID, got, it.Reference)
		}
		if b.Correct(rationale, it) {
			t.Errorf("%s: the whole rationale must not be Correct (spec §11 item 13)", it.ID)
		}
	}
	if len(items) != 500 || commas != 8 || negative != 1 {
		t.Errorf("got %d items, %d with thousands commas, %d negative; want 500, 8, 1", len(items), commas, negative)
	}
}

func TestGPQAData(t *testing.T) {
	b, items, _ := mustLoad(t, "gpqa", "gpqa_shuffled.json")
	letters := map[string]int{}
	for _, it := range items {
		letters[it.Reference]++
		if len(it.Choices) != 4 {
			t.Errorf("%s: %d choices, want 4", it.ID, len(it.Choices))
			continue
		}
		for j, c := range it.Choices {
			if want := string(rune('A'+j)) + " "; !strings.HasPrefix(c, want) {
				t.Errorf("%s: choice %d does not start with %q", it.ID, j, want)
			}
		}
		if got := b.Extract("##Answer: "+it.Reference+"##", it); got != it.Reference || !b.Correct(got, it) {
			t.Errorf("%s: round trip of the reference letter gave %q", it.ID, got)
		}
	}
	if len(items) != 198 || letters["A"] != 45 || letters["B"] != 49 || letters["C"] != 49 || letters["D"] != 55 {
		t.Errorf("got %d items with letters %v; want 198 with A 45, B 49, C 49, D 55", len(items), letters)
	}
}
