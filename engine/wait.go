package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slmmux/slmmux/models"
)

// DefaultBackendWait is how long a run waits for an unreachable backend
// (daemon down, restarting, or not answering) before it stops.
const DefaultBackendWait = 3 * time.Minute

// ErrBackendGone reports a backend that stayed unreachable for longer than
// the run waits. Everything generated before is stored; the same command
// resumes once the backend is back.
var ErrBackendGone = errors.New("the backend stayed unreachable")

// BackendGoneError says how long the run waited; it wraps ErrBackendGone,
// models.ErrUnavailable and the last request's error.
type BackendGoneError struct {
	Waited time.Duration
	Err    error
}

func (e *BackendGoneError) Error() string {
	return fmt.Sprintf("%v for %v: %v", ErrBackendGone, e.Waited.Round(time.Second), e.Err)
}

func (e *BackendGoneError) Unwrap() []error {
	return []error{ErrBackendGone, models.ErrUnavailable, e.Err}
}

// outage tracks one unreachable spell of the backend, shared by every
// request of a run: an unreachable backend is not a failing model, so its
// requests wait and retry, with backoff, instead of counting as failures.
type outage struct {
	max    time.Duration
	notify func(err error, waited time.Duration) // nil err: reachable again
	sleep  func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	since time.Time // zero while the backend answers
}

func newOutage(max time.Duration, notify func(error, time.Duration)) *outage {
	if max == 0 {
		max = DefaultBackendWait
	}
	return &outage{max: max, notify: notify, sleep: sleepCtx}
}

// wait is called after a request found the backend unreachable: it
// returns nil after a backoff (retry the request), a *BackendGoneError
// once the spell has lasted longer than max, or ctx's error.
func (o *outage) wait(ctx context.Context, err error, attempt int) error {
	o.mu.Lock()
	now := time.Now()
	if o.since.IsZero() {
		o.since = now
		if o.notify != nil {
			o.notify(err, 0)
		}
	}
	waited := now.Sub(o.since)
	o.mu.Unlock()
	if waited >= o.max {
		return &BackendGoneError{Waited: waited, Err: err}
	}
	backoff := min(time.Second<<min(attempt, 4), 10*time.Second, o.max-waited)
	return o.sleep(ctx, backoff)
}

// up records that the backend answered.
func (o *outage) up() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		return
	}
	waited := time.Since(o.since)
	o.since = time.Time{}
	if o.notify != nil {
		o.notify(nil, waited)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// generate sends one request, waiting out backend outages, and bounding
// each request by cfg.RequestTimeout: a backend that accepts connections
// but never answers (a stopped process) is unreachable too.
func (r *evalRun) generate(ctx context.Context, req models.Request) (models.Result, error) {
	for attempt := 0; ; attempt++ {
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if r.cfg.RequestTimeout > 0 {
			rctx, cancel = context.WithTimeout(ctx, r.cfg.RequestTimeout)
		}
		res, err := r.e.gen.Generate(rctx, req)
		if err != nil && ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w: no answer within %v", models.ErrUnavailable, r.cfg.RequestTimeout)
		}
		cancel()
		if err == nil || !errors.Is(err, models.ErrUnavailable) || ctx.Err() != nil {
			if err == nil {
				r.out.up()
			}
			return res, err
		}
		if werr := r.out.wait(ctx, err, attempt); werr != nil {
			return res, werr
		}
	}
}
