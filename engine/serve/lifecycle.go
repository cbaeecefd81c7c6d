package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// HTTPConfig says how Serve runs the HTTP server and drains it.
type HTTPConfig struct {
	// IdleTimeout closes a keep-alive connection idle this long (0: never).
	IdleTimeout time.Duration
	// DrainTimeout bounds the drain at shutdown.
	DrainTimeout time.Duration
	// Draining, when set, is called as the drain starts; Cut, when the
	// drain reached DrainTimeout, with the number of waiting requests
	// answered 503.
	Draining func()
	Cut      func(aborted int)
}

// Serve serves the Handler on l and runs the scheduler (Run) until ctx
// ends, then drains: in-flight requests finish while the scheduler still
// runs, for cfg.DrainTimeout at most; past it those still waiting are
// answered 503 with Retry-After (Abort) and given 5 s more, after which
// the server is closed. It returns the error that stopped serving, if
// serving stopped before ctx ended.
func (s *Server) Serve(ctx context.Context, l net.Listener, cfg HTTPConfig) error {
	// The body's deadline is the handler's (BodyTimeout), which answers
	// 408 where ReadTimeout would leave a bare read error.
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: cfg.IdleTimeout}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(l) }()
	rctx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	defer stopScheduler()
	go func() { _ = s.Run(rctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if cfg.Draining != nil {
		cfg.Draining()
	}
	err := drain(ctx, hs, cfg.DrainTimeout) // in-flight requests finish: the scheduler still runs
	if errors.Is(err, context.DeadlineExceeded) {
		// Those still waiting are answered 503 with Retry-After, not cut off.
		s.Abort()
		if err = drain(ctx, hs, 5*time.Second); err != nil {
			hs.Close()
		}
		if cfg.Cut != nil {
			cfg.Cut(s.Aborted())
		}
	}
	stopScheduler()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// drain shuts hs down, waiting up to d for its in-flight requests.
func drain(ctx context.Context, hs *http.Server, d time.Duration) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	defer cancel()
	return hs.Shutdown(sctx)
}
