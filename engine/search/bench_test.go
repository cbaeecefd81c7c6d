package search

import "testing"

// benchPool is the target: 40 models × 500 items (5 samples each),
// every subset of 2..5 models (760,058 subsets).
func benchSearch(b *testing.B, o Objective) {
	ds := randomDataset(500, 40, 5, 1)
	cfg := DefaultConfig(o)
	b.ResetTimer()
	for b.Loop() {
		r, err := Search(ds, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if r.Evaluated != 760058 {
			b.Fatalf("evaluated %d", r.Evaluated)
		}
	}
}

func BenchmarkSearchPaper(b *testing.B)    { benchSearch(b, Paper) }
func BenchmarkSearchOfficial(b *testing.B) { benchSearch(b, Official) }
func BenchmarkSearchMux(b *testing.B)      { benchSearch(b, Mux) }
