package engine_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// noisyModels answers "What is a+b?" from the request's seed: each model
// is right with its own probability, else picks one of a few wrong
// answers (so wrong answers agree sometimes), or says nothing.
func noisyModels(skill map[string]float64) *enginetest.FakeGenerator {
	return &enginetest.FakeGenerator{GenerateFn: func(_ context.Context, req models.Request) (models.Result, error) {
		var a, b int
		fmt.Sscanf(req.Prompt[len("What is "):], "%d+%d", &a, &b)
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%s/%d", req.Model, req.Prompt, *req.Options.Seed)
		u := h.Sum64()
		p := float64(u%1000) / 1000
		switch {
		case p < skill[req.Model]:
			return models.Result{Text: fmt.Sprint(a + b)}, nil
		case u>>20%7 == 0:
			return models.Result{Text: "no idea"}, nil
		}
		return models.Result{Text: fmt.Sprint(a + b + 1 + int(u>>30%3))}, nil
	}}
}

// Adaptive ask gives full sampling's answer and winner on every question,
// for random pools and tie-break orders, from fewer generations.
func TestAdaptiveAskEqualsFullSampling(t *testing.T) {
	b, items := arith(t, 40)
	saved, total := 0, 0
	for pool := range 12 {
		ms := []string{"m1", "m2", "m3", "m4"}[:2+pool%3]
		skill := map[string]float64{}
		acc := map[string]float64{}
		for i, m := range ms {
			skill[m] = 0.2 + 0.15*float64((pool+i)%5)
			if pool%2 == 0 {
				acc[m] = float64((pool*7+i*3)%4) / 4 // ties in accuracy too
			}
		}
		k := 3 + pool%4
		for _, it := range items {
			cfg := engine.AskConfig{Models: ms, Sampling: engine.Sampling{Samples: k, Seed: pool}, Profile: mux.Paper, ValAcc: acc}
			full, err := newEngine(t, noisyModels(skill)).Ask(t.Context(), b, it, cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Adaptive = true
			gen := noisyModels(skill)
			ad, err := newEngine(t, gen).Ask(t.Context(), b, it, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if ad.Answer != full.Answer || ad.Model != full.Model {
				t.Fatalf("pool %d %s: adaptive %q from %q, full %q from %q", pool, it.ID, ad.Answer, ad.Model, full.Answer, full.Model)
			}
			calls := 0
			for _, m := range ms {
				calls += gen.Calls(m)
			}
			if calls+ad.NotNeeded != k*len(ms) {
				t.Fatalf("%d calls + %d not needed != %d", calls, ad.NotNeeded, k*len(ms))
			}
			saved += ad.NotNeeded
			total += k * len(ms)
		}
	}
	if saved == 0 {
		t.Fatal("adaptive sampling saved nothing")
	}
	t.Logf("adaptive ask: %d of %d samples not needed (%.1f %%)", saved, total, 100*float64(saved)/float64(total))
}

func newEngine(t *testing.T, g engine.Generator) *engine.Engine {
	t.Helper()
	e, err := engine.New(engine.Config{Generator: g})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// An adaptive eval interrupted and resumed stores what one uninterrupted
// adaptive eval stores, and every question's selection over the stored
// samples (missing ones as no answer, confidence over k) is full
// sampling's.
func TestAdaptiveEvalResumesExactly(t *testing.T) {
	b, items := arith(t, 30)
	ms := []string{"m1", "m2", "m3"}
	skill := map[string]float64{"m1": 0.7, "m2": 0.5, "m3": 0.3}
	s := engine.Sampling{Samples: 5, Seed: 3}
	order := engine.Priority(ms, nil)
	eval := func(dir string, gen engine.Generator, adaptive bool, ctx context.Context) engine.EvalStats {
		w, err := runstore.OpenWriter(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		cfg := engine.EvalConfig{Models: ms, Sampling: s, Waves: [][]string{ms}}
		if adaptive {
			cfg.Adaptive = engine.NewAdaptive(s.Samples, order)
		}
		st, _ := newEngine(t, gen).Eval(ctx, b, items, w, cfg)
		return st
	}
	fullDir, adDir, cutDir := t.TempDir(), t.TempDir(), t.TempDir()
	eval(fullDir, noisyModels(skill), false, t.Context())
	st := eval(adDir, noisyModels(skill), true, t.Context())
	if st.NotNeeded == 0 || st.Generated+st.NotNeeded != len(items)*len(ms)*s.Samples {
		t.Fatalf("stats %+v", st)
	}
	// Interrupted after 40 generations, then resumed.
	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	cut := noisyModels(skill)
	inner := cut.GenerateFn
	cut.GenerateFn = func(c context.Context, req models.Request) (models.Result, error) {
		if n++; n > 40 {
			cancel()
			return models.Result{}, context.Canceled
		}
		return inner(c, req)
	}
	eval(cutDir, cut, true, ctx)
	eval(cutDir, noisyModels(skill), true, t.Context())
	read := func(dir string) map[runstore.Key]string {
		ss, err := runstore.ReadSamples(dir)
		if err != nil {
			t.Fatal(err)
		}
		out := map[runstore.Key]string{}
		for _, x := range ss {
			out[x.Key()] = x.Answer
		}
		return out
	}
	full, ad, resumed := read(fullDir), read(adDir), read(cutDir)
	if fmt.Sprint(ad) != fmt.Sprint(resumed) {
		t.Fatalf("resumed adaptive run stored %d samples, uninterrupted %d", len(resumed), len(ad))
	}
	for _, it := range items {
		sel := func(stored map[runstore.Key]string) mux.Choice {
			var ss []mux.Samples
			for _, m := range ms {
				answers := make([]string, s.Samples)
				for j := range answers {
					answers[j] = stored[runstore.Key{Item: it.ID, Model: m, Sample: j}]
				}
				ss = append(ss, mux.Samples{Model: m, Answers: answers})
			}
			return mux.Select(ss, nil, mux.Paper)
		}
		f, a := sel(full), sel(ad)
		if f.Winner != a.Winner || f.Answer != a.Answer {
			t.Fatalf("%s: adaptive run selects %d %q, full %d %q", it.ID, a.Winner, a.Answer, f.Winner, f.Answer)
		}
	}
	t.Logf("adaptive eval: %d of %d samples stored", len(ad), len(full))
}

// The cases at the edges of the bounds, one at a time.
func TestAdaptiveBounds(t *testing.T) {
	rec := func(a *engine.Adaptive, m string, answers ...string) {
		for j, x := range answers {
			a.Record(runstore.Sample{Item: "q", Model: m, Sample: j, Answer: x})
		}
	}
	// B, A, A of 4: a last B ties A, and B was seen first: keep sampling.
	a := engine.NewAdaptive(4, []string{"m"})
	rec(a, "m", "B", "A", "A")
	if !a.Needed("q", "m") {
		t.Fatal("stopped although a last B would win the tie")
	}
	rec(a, "m", "B", "A", "A", "A")
	if a.Needed("q", "m") {
		t.Fatal("all samples drawn, still needed")
	}
	// m1 (first in tie-break order) has 2 of 3 so far; m2 has 1 with one
	// left: at best 2, which ties m1 and loses the tie.
	a = engine.NewAdaptive(3, []string{"m1", "m2"})
	rec(a, "m1", "x", "x")
	rec(a, "m2", "y", "z")
	if a.Needed("q", "m2") {
		t.Fatal("m2 can at best tie m1, which wins ties, yet it is still sampled")
	}
	// The same counts the other way round: m1 could still tie m2 and win.
	a = engine.NewAdaptive(3, []string{"m1", "m2"})
	rec(a, "m2", "x", "x")
	rec(a, "m1", "y", "z")
	if !a.Needed("q", "m1") {
		t.Fatal("m1 wins a tie with m2, yet it was stopped")
	}
	// A unanimous first model decides the question: nobody else samples.
	a = engine.NewAdaptive(3, []string{"m1", "m2"})
	rec(a, "m1", "x", "x", "x")
	if a.Needed("q", "m2") || a.Needed("q", "m1") {
		t.Fatal("a unanimous leader first in tie-break order did not decide the question")
	}
}
