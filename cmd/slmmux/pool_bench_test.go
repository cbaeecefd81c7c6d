package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkPoolTwoHostsVsOne: one eval of the four demo models (24 items,
// k = 2, 8 tokens per reply, one model loaded at a time) on a pool of two
// private daemons, each holding all four (the pool places two on each),
// against one daemon running all four. Both run side by side in the same
// process on the same machine, so on a small CPU the two hosts share its
// cores: the figure says what the parallel hosts gain here, not on two
// machines. Reported: the eval's wall seconds (from results.json) and
// samples per second.
func BenchmarkPoolTwoHostsVsOne(b *testing.B) {
	da, db, done := oneAtATime(b, b.TempDir(), ""), oneAtATime(b, b.TempDir(), ""), oneAtATime(b, b.TempDir(), "")
	ms := demoModels(b, da)
	demoModels(b, db)
	demoModels(b, done)
	cfg := writeConfig(b, [2]string{"alpha", da.Host}, [2]string{"beta", db.Host})
	data := writeArith(b, 24)
	const samples = 2
	args := func(dir string) []string {
		return []string{"eval", "--bench", "jsonl", "--data", data, "--models", strings.Join(ms, ","), "--samples", fmt.Sprint(samples),
			"--num-predict", "8", "--max-loaded", "1", "--run", dir}
	}
	for _, c := range []struct {
		name  string
		env   map[string]string
		extra []string
	}{
		{"hosts=2", nil, []string{"--config", cfg}},
		{"hosts=1", map[string]string{"OLLAMA_HOST": done.Host}, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				dir := filepath.Join(b.TempDir(), "run")
				if r := run(b.Context(), c.env, append(args(dir), c.extra...)...); r.code != 0 {
					b.Fatalf("eval: %+v", r)
				}
				res := readResults(b, dir)
				b.ReportMetric(res.WallS, "wall-s")
				b.ReportMetric(float64(24*len(ms)*samples)/res.WallS, "samples/s")
			}
		})
	}
}
