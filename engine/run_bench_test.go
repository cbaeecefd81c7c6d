package engine

import (
	"testing"

	"github.com/slmmux/slmmux/engine/search"
)

// BenchmarkSearchCommand is what `slmmux search` does over a run of 40
// models x 500 items x 5 samples (100,000 lines): load the run, then
// search K 2..5 with the paper objective and compare it with the other
// objectives' picks, as the command does. Set SLMMUX_BENCH_RUN to such a
// folder; without it a synthetic one is written.
func BenchmarkSearchCommand(b *testing.B) {
	dir := benchRunDir(b)
	for b.Loop() {
		r, err := LoadRun(dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		cfg := search.DefaultConfig(search.Paper)
		cfg.KMax = 5
		if _, err := search.Search(r.Dataset, cfg); err != nil {
			b.Fatal(err)
		}
		if _, err := search.Compare(r.Dataset, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadRun is the load alone.
func BenchmarkLoadRun(b *testing.B) {
	dir := benchRunDir(b)
	for b.Loop() {
		if _, err := LoadRun(dir, nil); err != nil {
			b.Fatal(err)
		}
	}
}
