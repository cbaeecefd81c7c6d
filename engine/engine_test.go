package engine_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// arith is a JSONL benchmark of "What is a+b?" items.
func arith(t *testing.T, n int) (benchmark.Benchmark, []benchmark.Item) { return arithB(t, n) }

func arithB(t testing.TB, n int) (benchmark.Benchmark, []benchmark.Item) {
	t.Helper()
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `{"id":"q%d","question":"What is %d+%d?","answer":"%d"}`+"\n", i, i, i, 2*i)
	}
	path := filepath.Join(t.TempDir(), "arith.jsonl")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := benchmark.New("jsonl", benchmark.Config{})
	if err != nil {
		t.Fatal(err)
	}
	items, err := b.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, items
}

// answerer: model "good" is right, "noisy" answers by seed, "bad" is wrong.
func answerer(_ context.Context, req models.Request) (models.Result, error) {
	var a, b int
	fmt.Sscanf(req.Prompt, "What is %d+%d?", &a, &b)
	switch req.Model {
	case "good":
		return models.Result{Text: fmt.Sprint(a + b), OutputTokens: 2}, nil
	case "noisy":
		return models.Result{Text: fmt.Sprint(a + b + *req.Options.Seed%2), OutputTokens: 2}, nil
	}
	return models.Result{Text: "7", OutputTokens: 1}, nil
}

func TestAsk(t *testing.T) {
	b, items := arith(t, 4)
	fake := &enginetest.FakeGenerator{GenerateFn: answerer}
	e, _ := engine.New(engine.Config{Generator: fake})
	ans, err := e.Ask(t.Context(), b, items[3], engine.AskConfig{
		Models: []string{"noisy", "good", "bad"}, Sampling: engine.Sampling{Samples: 3, Temperature: 0.3},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Answer != "6" || ans.Model != "good" || ans.Confidence != 1 {
		t.Fatalf("got %+v", ans)
	}
	if ans.Models[0].Votes != 2 || ans.Models[2].Answer != "7" {
		t.Fatalf("per-model %+v", ans.Models)
	}
	if got := fake.Unloads(); len(got) != 3 {
		t.Fatalf("unloads %v", got)
	}
	if _, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{Models: []string{"good"}}); err == nil {
		t.Fatal("samples 0 accepted")
	}
}

func TestAskConcurrentWave(t *testing.T) {
	b, items := arith(t, 1)
	fake := &enginetest.FakeGenerator{GenerateFn: answerer}
	e, _ := engine.New(engine.Config{Generator: fake, Slots: 2})
	_, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{
		Models: []string{"good", "bad"}, Sampling: engine.Sampling{Samples: 4}, Waves: [][]string{{"good", "bad"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fake.Calls("good") != 4 || fake.Calls("bad") != 4 {
		t.Fatal("wrong number of calls")
	}
}

func TestAskModelFailureIsReported(t *testing.T) {
	b, items := arith(t, 1)
	fake := &enginetest.FakeGenerator{GenerateFn: func(ctx context.Context, req models.Request) (models.Result, error) {
		if req.Model == "broken" {
			return models.Result{}, errors.New("runner crashed")
		}
		return answerer(ctx, req)
	}}
	e, _ := engine.New(engine.Config{Generator: fake})
	ans, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{Models: []string{"broken", "good"}, Sampling: engine.Sampling{Samples: 2}})
	if err != nil || ans.Model != "good" || ans.Models[0].Error == "" {
		t.Fatalf("got %+v %v", ans, err)
	}
}

func evalOnce(t *testing.T, ctx context.Context, dir string, fake *enginetest.FakeGenerator, order engine.Order) (engine.EvalStats, error) {
	t.Helper()
	b, items := arith(t, 5)
	w, err := runstore.OpenWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e, _ := engine.New(engine.Config{Generator: fake})
	return e.Eval(ctx, b, items, w, engine.EvalConfig{
		Models: []string{"good", "noisy", "bad"}, Sampling: engine.Sampling{Samples: 3, Seed: 10}, Order: order,
	})
}

func TestEvalResumesAfterCancel(t *testing.T) {
	dir := t.TempDir()
	var n atomic.Int32
	ctx, cancel := context.WithCancel(t.Context())
	fake := &enginetest.FakeGenerator{GenerateFn: func(c context.Context, req models.Request) (models.Result, error) {
		if n.Add(1) == 20 {
			cancel()
			return models.Result{}, context.Canceled
		}
		return answerer(c, req)
	}}
	if _, err := evalOnce(t, ctx, dir, fake, engine.ModelMajor); !errors.Is(err, context.Canceled) {
		t.Fatalf("want cancellation, got %v", err)
	}
	first, _ := runstore.ReadSamples(dir)
	if len(first) == 0 || len(first) >= 45 {
		t.Fatalf("%d samples after the cut", len(first))
	}
	fake2 := &enginetest.FakeGenerator{GenerateFn: answerer}
	stats, err := evalOnce(t, t.Context(), dir, fake2, engine.ModelMajor)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := runstore.ReadSamples(dir)
	if len(all) != 45 || stats.Generated != 45-len(first) || stats.Skipped != len(first) {
		t.Fatalf("resume: %d samples, stats %+v (first run stored %d)", len(all), stats, len(first))
	}
	// Same contents as an uninterrupted run.
	ref := t.TempDir()
	if _, err := evalOnce(t, t.Context(), ref, &enginetest.FakeGenerator{GenerateFn: answerer}, engine.ModelMajor); err != nil {
		t.Fatal(err)
	}
	want, _ := runstore.ReadSamples(ref)
	if key(all) != key(want) {
		t.Fatal("resumed run differs from an uninterrupted one")
	}
}

func key(ss []runstore.Sample) string {
	m := map[runstore.Key]string{}
	for _, s := range ss {
		m[s.Key()] = s.Answer + fmt.Sprint(s.Correct, *s.Seed)
	}
	return fmt.Sprint(m)
}

func TestEvalOrderAndDrops(t *testing.T) {
	fake := &enginetest.FakeGenerator{GenerateFn: answerer}
	if _, err := evalOnce(t, t.Context(), t.TempDir(), fake, engine.ModelMajor); err != nil {
		t.Fatal(err)
	}
	qm := &enginetest.FakeGenerator{GenerateFn: answerer}
	if _, err := evalOnce(t, t.Context(), t.TempDir(), qm, engine.QuestionMajor); err != nil {
		t.Fatal(err)
	}
	if fake.Switches() != 2 || qm.Switches() != 14 {
		t.Fatalf("model switches: model-major %d (want 2), question-major %d (want 14)", fake.Switches(), qm.Switches())
	}
	missing := &enginetest.FakeGenerator{GenerateFn: func(c context.Context, req models.Request) (models.Result, error) {
		if req.Model == "bad" {
			return models.Result{}, fmt.Errorf("generate: %w", models.ErrModelNotInstalled)
		}
		return answerer(c, req)
	}}
	stats, err := evalOnce(t, t.Context(), t.TempDir(), missing, engine.ModelMajor)
	if err != nil || stats.Dropped["bad"] == "" || stats.Generated != 30 {
		t.Fatalf("stats %+v err %v", stats, err)
	}
}

// A prompt longer than the context (Ollama v0.30.9+ answers 400) drops the
// model at its first failure: retrying cannot help, unlike a transient
// error, which drops it after a streak of three.
func TestEvalContextExceededFailsOnlyThatQuestion(t *testing.T) {
	long := &enginetest.FakeGenerator{GenerateFn: func(c context.Context, req models.Request) (models.Result, error) {
		if req.Model == "bad" && strings.Contains(req.Prompt, "What is 2+2?") { // the one question too long for it
			return models.Result{}, &models.ContextError{Model: "bad", PromptChars: len(req.Prompt), NumCtx: 8, Err: errors.New("HTTP 400")}
		}
		return answerer(c, req)
	}}
	stats, err := evalOnce(t, t.Context(), t.TempDir(), long, engine.ModelMajor)
	if err != nil || len(stats.Dropped) != 0 || stats.Generated != 42 || stats.Failed != 3 ||
		!errors.Is(stats.Errs["bad"], models.ErrContextExceeded) {
		t.Fatalf("stats %+v err %v", stats, err)
	}
	// Each of the question's samples is tried once (never retried); the
	// model's other questions all ran.
	if n := long.Calls("bad"); n != 15 {
		t.Errorf("%d requests of the model; want its 15 (5 questions x 3), each once", n)
	}
}

func TestEvalRespectsSlots(t *testing.T) {
	b, items := arith(t, 6)
	fake := &enginetest.FakeGenerator{GenerateFn: answerer, Delay: 2e6}
	w, _ := runstore.OpenWriter(t.TempDir())
	defer w.Close()
	e, _ := engine.New(engine.Config{Generator: fake, Slots: 2})
	if _, err := e.Eval(t.Context(), b, items, w, engine.EvalConfig{Models: []string{"good"}, Sampling: engine.Sampling{Samples: 2}}); err != nil {
		t.Fatal(err)
	}
	if got := fake.MaxInFlight("good"); got != 2 {
		t.Fatalf("max in flight %d, want 2", got)
	}
}

func TestEvalRetriesOutOfMemoryWithOneSlot(t *testing.T) {
	b, items := arith(t, 4)
	var inFlight atomic.Int32
	fake := &enginetest.FakeGenerator{Delay: 1e6, GenerateFn: func(c context.Context, req models.Request) (models.Result, error) {
		return answerer(c, req)
	}}
	oomFake := &oomGen{FakeGenerator: fake, inFlight: &inFlight}
	w, _ := runstore.OpenWriter(t.TempDir())
	defer w.Close()
	e, _ := engine.New(engine.Config{Generator: oomFake, Slots: 3})
	stats, err := e.Eval(t.Context(), b, items, w, engine.EvalConfig{Models: []string{"good"}, Sampling: engine.Sampling{Samples: 3}})
	if err != nil || len(stats.Dropped) != 0 || w.Count() != 12 {
		t.Fatalf("stats %+v, stored %d, err %v", stats, w.Count(), err)
	}
}

// oomGen fails with out-of-memory whenever two requests are in flight.
type oomGen struct {
	*enginetest.FakeGenerator
	inFlight *atomic.Int32
}

func (g *oomGen) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	if n > 1 {
		return models.Result{}, fmt.Errorf("load: %w", models.ErrOutOfMemory)
	}
	return g.FakeGenerator.Generate(ctx, req)
}

func TestSampleSeed(t *testing.T) {
	legacy := engine.Sampling{Seed: 7, SeedMode: engine.SeedLegacy}
	if got := legacy.SampleSeed("q1", 3); got != 10 {
		t.Fatalf("legacy seed %d, want 7+3", got)
	}
	s := engine.Sampling{Seed: 7}
	if s.Mode() != engine.SeedPerItem {
		t.Fatalf("default mode %q", s.Mode())
	}
	seen := map[int]string{}
	for _, item := range []string{"q1", "q2", "q10", "1", ""} {
		for j := range 50 {
			v := s.SampleSeed(item, j)
			if v < 0 || v >= 1<<31-1 {
				t.Fatalf("seed %d out of range", v)
			}
			if v != s.SampleSeed(item, j) {
				t.Fatal("not deterministic")
			}
			key := fmt.Sprintf("%s/%d", item, j)
			if prev, ok := seen[v]; ok {
				t.Fatalf("%s and %s share seed %d", prev, key, v)
			}
			seen[v] = key
		}
	}
	// The documented hash: FNV-1a 64 of "S\x00ITEM\x00j" mod 2^31-1.
	h := fnv.New64a()
	h.Write([]byte("7\x00q2\x004"))
	if want := int(h.Sum64() % (1<<31 - 1)); s.SampleSeed("q2", 4) != want {
		t.Fatalf("seed %d, want %d", s.SampleSeed("q2", 4), want)
	}
	if (engine.Sampling{Seed: 8}).SampleSeed("q1", 0) == s.SampleSeed("q1", 0) {
		t.Fatal("the base seed does not change the seeds")
	}
	if err := (engine.Sampling{Samples: 1, SeedMode: "random"}).Validate(); err == nil {
		t.Fatal("unknown seed mode accepted")
	}
}
