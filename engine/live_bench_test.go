package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

func TestMain(m *testing.M) { ollamatest.Main(m) }

// BenchmarkEvalOverhead: eval's wall time over the wall time of the same
// requests sent straight through the adapter at the same concurrency.
func BenchmarkEvalOverhead(b *testing.B) {
	d := ollamatest.Shared(b)
	ms := []string{d.TinyModel(b, "ov-a", 1), d.TinyModel(b, "ov-b", 2)}
	bm, items := arithB(b, 10)
	s := engine.Sampling{Samples: 3, Temperature: 0.5, NumPredict: 8, NumThread: 1}
	for _, m := range ms { // load both once
		d.Client.Generate(b.Context(), models.Request{Model: m, Prompt: "x", Options: models.Options{NumPredict: 1, NumThread: 1}})
	}
	var evalT, directT time.Duration
	for b.Loop() {
		w, _ := runstore.OpenWriter(b.TempDir())
		e, _ := engine.New(engine.Config{Generator: d.Client})
		t0 := time.Now()
		if _, err := e.Eval(b.Context(), bm, items, w, engine.EvalConfig{Models: ms, Sampling: s, Waves: [][]string{ms}}); err != nil {
			b.Fatal(err)
		}
		evalT += time.Since(t0)
		w.Close()
		for _, m := range ms { // Eval unloaded them; reload for a fair comparison
			d.Client.Generate(b.Context(), models.Request{Model: m, Prompt: "x", Options: models.Options{NumPredict: 1, NumThread: 1}})
		}
		t1 := time.Now()
		g, ctx := errgroup.WithContext(b.Context())
		for _, m := range ms {
			g.Go(func() error {
				for _, it := range items {
					p := bm.Prompt(it)
					for j := range s.Samples {
						req := models.Request{Model: m, System: p.System, Prompt: p.User, Options: models.Options{
							Temperature: models.Float(s.Temperature), Seed: models.Int(j), NumPredict: s.NumPredict, NumThread: 1}}
						if _, err := d.Client.Generate(ctx, req); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
		directT += time.Since(t1)
	}
	b.ReportMetric(float64(evalT)/float64(directT), "eval/direct")
}

// BenchmarkScheduler runs the same work model-major and question-major on
// one daemon that holds one model at a time, with random models large
// enough that loading costs something, and reports loads and the wall-time
// ratio.
func BenchmarkScheduler(b *testing.B) {
	d := ollamatest.StartT(b, daemon.Options{Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
	size := gguf.SizeForBytes(200 << 20)
	var ms []string
	for i := range 3 {
		ms = append(ms, d.RandomModel(b, fmt.Sprint("sched-", i), int64(40+i), size))
	}
	bm, items := arithB(b, 4)
	s := engine.Sampling{Samples: 2, Temperature: 0.5, NumPredict: 4, NumThread: 1}
	run := func(order engine.Order) (time.Duration, int) {
		w, _ := runstore.OpenWriter(b.TempDir())
		defer w.Close()
		e, _ := engine.New(engine.Config{Generator: d.Client})
		t0 := time.Now()
		st, err := e.Eval(context.Background(), bm, items, w, engine.EvalConfig{Models: ms, Sampling: s, Order: order})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), st.Loads
	}
	var mm, qm time.Duration
	var mmLoads, qmLoads int
	for b.Loop() {
		t, l := run(engine.ModelMajor)
		mm, mmLoads = mm+t, l
		t, l = run(engine.QuestionMajor)
		qm, qmLoads = qm+t, l
	}
	b.ReportMetric(float64(mmLoads), "loads-model-major")
	b.ReportMetric(float64(qmLoads), "loads-question-major")
	b.ReportMetric(float64(qm)/float64(mm), "question/model-wall")
}

// BenchmarkAskLatency: ask with 3 models that fit together, concurrently
// (one wave) versus one after another.
func BenchmarkAskLatency(b *testing.B) {
	d := ollamatest.Shared(b)
	ms := []string{d.TinyModel(b, "lat-a", 1), d.TinyModel(b, "lat-b", 2), d.TinyModel(b, "lat-c", 3)}
	bm, items := arithB(b, 1)
	cfg := engine.AskConfig{Models: ms, Sampling: engine.Sampling{Samples: 3, Temperature: 0.5, NumPredict: 16, NumThread: 1}}
	e, _ := engine.New(engine.Config{Generator: d.Client})
	var conc, seq time.Duration
	for b.Loop() {
		c := cfg
		c.Waves = [][]string{ms}
		t0 := time.Now()
		if _, err := e.Ask(b.Context(), bm, items[0], c); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := e.Ask(b.Context(), bm, items[0], cfg); err != nil {
			b.Fatal(err)
		}
		conc, seq = conc+t1.Sub(t0), seq+time.Since(t1)
	}
	b.ReportMetric(float64(seq)/float64(conc), "sequential/concurrent")
}
