package sandbox

import (
	"context"
	"runtime"

	"golang.org/x/sync/semaphore"
)

// Pool runs at most a fixed number of sandboxes at once. It is safe for
// concurrent use.
type Pool struct {
	sem *semaphore.Weighted
}

// NewPool returns a Pool of n slots; n <= 0 means runtime.NumCPU().
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return &Pool{sem: semaphore.NewWeighted(int64(n))}
}

// Run waits for a free slot (or ctx's end) and then runs p as [Run] does.
func (p *Pool) Run(ctx context.Context, prog Program, l Limits) (Result, error) {
	if err := p.sem.Acquire(ctx, 1); err != nil {
		return Result{}, err
	}
	defer p.sem.Release(1)
	return Run(ctx, prog, l)
}

// Probe runs an empty program with the default limits: a quick check that
// the sandbox can start (the error is Run's: an [*InterpreterError] when
// python3 is missing), and its Result's Network and Filesystem say how
// isolated runs will be here, for a run's metadata.
func Probe(ctx context.Context) (Result, error) {
	return Run(ctx, Program{Code: "pass"}, Limits{})
}
