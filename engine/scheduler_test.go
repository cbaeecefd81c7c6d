package engine_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/sched"
)

// newScheduler runs a scheduler over one fake host with models a, b, c
// (100, 200 and 300 MiB of weights) and budget; it stops with the test.
func newScheduler(t *testing.T, gen *enginetest.FakeGenerator, budget uint64, maxLoaded int) *engine.Scheduler {
	t.Helper()
	h := engine.Host{Name: "h", Generator: gen, Inventory: inventory(), Installed: infos("a", "b", "c"),
		Plan: engine.PlanConfig{BudgetBytes: budget, MaxLoaded: maxLoaded}}
	hosts, err := engine.NewHosts([]engine.Host{h}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := hosts.Plan(t.Context(), []string{"a", "b", "c"}, sched.Work{Items: 1, Samples: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := hosts.NewScheduler(plan)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func schedAsk(t *testing.T, s *engine.Scheduler, ctx context.Context, q string, adaptive bool) (engine.Answer, error) {
	t.Helper()
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: "number"})
	if err != nil {
		t.Fatal(err)
	}
	it := benchmark.Item{ID: engine.ItemID("", q), Question: q}
	ans, err := s.Ask(ctx, b, it, engine.AskConfig{Models: []string{"a", "b", "c"},
		Sampling: engine.Sampling{Samples: 5, Temperature: 1, Seed: 5}, Adaptive: adaptive})
	ans.Wall = 0
	return ans, err
}

// A question's answer, every sample included, is the same asked alone
// and among concurrent questions, with or without memory pressure, and
// under adaptive sampling.
func TestSchedulerAnswersDependOnlyOnTheQuestion(t *testing.T) {
	for _, tc := range []struct {
		name      string
		budget    uint64
		maxLoaded int
		adaptive  bool
	}{
		{"all fit", 2 << 30, 3, false},
		{"one at a time", 2 << 30, 1, false},
		{"adaptive, one at a time", 2 << 30, 1, true},
		{"adaptive, all fit", 2 << 30, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gen := noisyModels(map[string]float64{"a": 0.5, "b": 0.4, "c": 0.3})
			gen.Delay = time.Millisecond
			s := newScheduler(t, gen, tc.budget, tc.maxLoaded)
			alone, err := schedAsk(t, s, t.Context(), "What is 47+8?", tc.adaptive)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			got := make([]engine.Answer, 8)
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					q := fmt.Sprintf("What is %d+%d?", i, i*3)
					if i == 3 || i == 7 {
						q = "What is 47+8?"
					}
					got[i], _ = schedAsk(t, s, t.Context(), q, tc.adaptive)
				}()
			}
			wg.Wait()
			for _, i := range []int{3, 7} {
				if !reflect.DeepEqual(got[i], alone) {
					t.Errorf("question at position %d of 8:\n%+v\nalone:\n%+v", i, got[i], alone)
				}
			}
		})
	}
}

// When the members fit together, they load once and stay loaded across
// questions: ten questions one after another load each model once.
func TestSchedulerKeepsFittingModelsLoaded(t *testing.T) {
	gen := &enginetest.FakeGenerator{GenerateFn: answerer}
	s := newScheduler(t, gen, 2<<30, 3)
	for i := range 10 {
		if _, err := schedAsk(t, s, t.Context(), fmt.Sprintf("What is %d+1?", i), false); err != nil {
			t.Fatal(err)
		}
	}
	if s.Loads() != 3 || len(gen.Unloads()) != 0 {
		t.Errorf("%d loads, unloads %v: want 3 loads and none", s.Loads(), gen.Unloads())
	}
}

// Under memory pressure (one model at a time), concurrent questions share
// each load: far fewer loads than questions x models, and every question
// is answered.
func TestSchedulerSharesLoadsUnderPressure(t *testing.T) {
	gen := &enginetest.FakeGenerator{GenerateFn: answerer, Delay: 2 * time.Millisecond}
	s := newScheduler(t, gen, 2<<30, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := schedAsk(t, s, t.Context(), fmt.Sprintf("What is %d+1?", i), false); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := s.Loads(); n > 3*2 {
		t.Errorf("%d loads for 16 questions over 3 models: want the loads shared (at most 3 models x 2 waves)", n)
	}
	if gen.MaxInFlight("a")+gen.MaxInFlight("b") > 2 {
		t.Errorf("in flight a %d, b %d: one slot per model", gen.MaxInFlight("a"), gen.MaxInFlight("b"))
	}
}

// A question whose context ends leaves: its waiting samples are dropped,
// and the scheduler goes on answering others.
func TestSchedulerCancelsALeavingQuestion(t *testing.T) {
	gen := &enginetest.FakeGenerator{GenerateFn: answerer, Delay: 20 * time.Millisecond}
	s := newScheduler(t, gen, 2<<30, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	if _, err := schedAsk(t, s, ctx, "What is 1+1?", false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled question: %v", err)
	}
	calls := gen.Calls("a") + gen.Calls("b") + gen.Calls("c")
	if calls > 3 {
		t.Errorf("%d samples generated for a question that left after about one", calls)
	}
	if ans, err := schedAsk(t, s, t.Context(), "What is 2+2?", false); err != nil || ans.Answer != "7" {
		t.Fatalf("after a cancelled question: %+v %v", ans, err)
	}
}

// A passthrough request holds its model loaded: with room for one model,
// a question's models wait until the passthrough releases it.
func TestSchedulerPinsPassthroughModels(t *testing.T) {
	gen := &enginetest.FakeGenerator{GenerateFn: answerer}
	s := newScheduler(t, gen, 2<<30, 1)
	release, err := s.Pin(t.Context(), "c:latest")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := schedAsk(t, s, t.Context(), "What is 2+2?", false); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("answered while the passthrough held the only slot: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
