package engine_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// A backend that is unreachable for a while is waited for: no sample
// fails, no model is dropped, and the run completes.
func TestEvalWaitsOutABackendOutage(t *testing.T) {
	b, items := arith(t, 3)
	var calls atomic.Int32
	var mu0 sync.Mutex
	var downAt time.Time
	fake := &enginetest.FakeGenerator{GenerateFn: func(ctx context.Context, req models.Request) (models.Result, error) {
		mu0.Lock()
		defer mu0.Unlock()
		if calls.Add(1) == 3 {
			downAt = time.Now() // down for 1.5 s from the 3rd request
		}
		if !downAt.IsZero() && time.Since(downAt) < 1500*time.Millisecond {
			return models.Result{}, models.ErrUnavailable
		}
		return answerer(ctx, req)
	}}
	e, _ := engine.New(engine.Config{Generator: fake})
	w, err := runstore.OpenWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var mu sync.Mutex
	var events []bool // true: down, false: up again
	stats, err := e.Eval(t.Context(), b, items, w, engine.EvalConfig{
		Models: []string{"good", "bad"}, Sampling: engine.Sampling{Samples: 2}, BackendWait: 20 * time.Second,
		Waiting: func(err error, _ time.Duration) { mu.Lock(); events = append(events, err != nil); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Generated != 12 || stats.Failed != 0 || len(stats.Dropped) != 0 {
		t.Fatalf("stats %+v: want all 12 generated, none failed or dropped", stats)
	}
	if len(events) != 2 || !events[0] || events[1] {
		t.Errorf("waiting events %v, want down then up", events)
	}
}

// A backend that stays down longer than the wait stops the run with an
// error that is ErrUnavailable (exit code 3), keeping what was stored.
func TestEvalStopsWhenTheBackendStaysDown(t *testing.T) {
	b, items := arith(t, 3)
	var calls atomic.Int32
	fake := &enginetest.FakeGenerator{GenerateFn: func(ctx context.Context, req models.Request) (models.Result, error) {
		if calls.Add(1) > 2 {
			return models.Result{}, models.ErrUnavailable
		}
		return answerer(ctx, req)
	}}
	e, _ := engine.New(engine.Config{Generator: fake})
	dir := t.TempDir()
	w, err := runstore.OpenWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stats, err := e.Eval(t.Context(), b, items, w, engine.EvalConfig{
		Models: []string{"good"}, Sampling: engine.Sampling{Samples: 2}, BackendWait: 300 * time.Millisecond})
	w.Close()
	if !errors.Is(err, engine.ErrBackendGone) || !errors.Is(err, models.ErrUnavailable) {
		t.Fatalf("err %v, want ErrBackendGone wrapping ErrUnavailable", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v to give up after a 300 ms wait", time.Since(start))
	}
	if stats.Generated != 2 || len(stats.Dropped) != 0 {
		t.Errorf("stats %+v: want the 2 samples before the outage, no model dropped", stats)
	}
	got, _ := runstore.ReadSamples(dir)
	if len(got) != 2 {
		t.Errorf("%d samples stored, want 2", len(got))
	}
}

// A request that gets no answer within RequestTimeout (a stopped daemon
// keeps its connections open) is an outage too.
func TestEvalRequestTimeoutIsAnOutage(t *testing.T) {
	b, items := arith(t, 1)
	var calls atomic.Int32
	fake := &enginetest.FakeGenerator{GenerateFn: func(ctx context.Context, req models.Request) (models.Result, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done() // hangs until the request's deadline
			return models.Result{}, ctx.Err()
		}
		return answerer(ctx, req)
	}}
	e, _ := engine.New(engine.Config{Generator: fake})
	w, _ := runstore.OpenWriter(t.TempDir())
	defer w.Close()
	stats, err := e.Eval(t.Context(), b, items, w, engine.EvalConfig{
		Models: []string{"good"}, Sampling: engine.Sampling{Samples: 1}, RequestTimeout: 100 * time.Millisecond})
	if err != nil || stats.Generated != 1 || stats.Failed != 0 {
		t.Fatalf("stats %+v, err %v: the hung request should be retried", stats, err)
	}
}
