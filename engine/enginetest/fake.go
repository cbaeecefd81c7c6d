// Package enginetest provides FakeGenerator, a scripted engine.Generator
// and Unloader for tests of code that drives models: it answers from a
// function, can fail or block on demand, and counts requests in flight per
// model so tests can assert batching and concurrency limits.
package enginetest

import (
	"context"
	"sync"
	"time"

	"github.com/slmmux/slmmux/models"
)

// FakeGenerator answers requests with GenerateFn. The zero value answers
// every request with an empty text. It is safe for concurrent use.
type FakeGenerator struct {
	// GenerateFn produces the result for a request; nil answers "".
	GenerateFn func(ctx context.Context, req models.Request) (models.Result, error)
	// Delay, when set, is how long each request takes (ctx-aware).
	Delay time.Duration

	mu          sync.Mutex
	calls       map[string]int
	inFlight    map[string]int
	maxInFlight map[string]int
	unloads     []string
	order       []string // model of each call, in call order
}

// Generate implements engine.Generator.
func (f *FakeGenerator) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	f.mu.Lock()
	f.init()
	f.calls[req.Model]++
	f.order = append(f.order, req.Model)
	f.inFlight[req.Model]++
	f.maxInFlight[req.Model] = max(f.maxInFlight[req.Model], f.inFlight[req.Model])
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight[req.Model]--
		f.mu.Unlock()
	}()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return models.Result{}, ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return models.Result{}, err
	}
	if f.GenerateFn == nil {
		return models.Result{Model: req.Model}, nil
	}
	return f.GenerateFn(ctx, req)
}

// Unload implements engine.Unloader by recording the call.
func (f *FakeGenerator) Unload(_ context.Context, model string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unloads = append(f.unloads, model)
	return nil
}

func (f *FakeGenerator) init() {
	if f.calls == nil {
		f.calls, f.inFlight, f.maxInFlight = map[string]int{}, map[string]int{}, map[string]int{}
	}
}

// Calls returns how many requests model received.
func (f *FakeGenerator) Calls(model string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[model]
}

// MaxInFlight returns the most concurrent requests model ever had.
func (f *FakeGenerator) MaxInFlight(model string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInFlight[model]
}

// Unloads returns the models unloaded, in order.
func (f *FakeGenerator) Unloads() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.unloads...)
}

// Switches counts how often consecutive calls went to different models: a
// proxy for model loads when only one model fits.
func (f *FakeGenerator) Switches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i := 1; i < len(f.order); i++ {
		if f.order[i] != f.order[i-1] {
			n++
		}
	}
	return n
}
