package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/daemon"
)

// Import creates cat's models in the daemon c (quantized as cat says); a
// blob the daemon already has (same digest) is not uploaded again. Each
// model uploaded is noted on log.
func Import(ctx context.Context, c *ollama.Client, cat Catalog, log io.Writer) error {
	for _, m := range cat.Models {
		o := ollama.ImportOptions{Template: Template}
		if m.Quantize != "F16" {
			o.Quantize = m.Quantize
		}
		res, err := c.ImportBlobWith(ctx, m.Name, m.File, m.Digest, m.Open, o)
		if err != nil {
			return fmt.Errorf("demo: import %s: %w", m.Name, err)
		}
		if res.Uploaded {
			fmt.Fprintf(log, "demo: imported %s (%s)\n", m.Name, m.Strength)
		}
	}
	return nil
}

// HostError is a daemon the caller named that cannot be reached: the demo
// starts one of its own only when none is named.
type HostError struct {
	Host string
	Err  error
}

func (e *HostError) Error() string { return e.Err.Error() }
func (e *HostError) Unwrap() error { return e.Err }

// EnsureDaemon returns a client for a reachable daemon: the one at host
// (OLLAMA_HOST, as given; it fails as it is), else one on the default
// port, else a private daemon it starts (the ollama on PATH, or the
// pinned build, with the demo's models folder in the daemon cache) and
// that stop ends. What it starts is noted on log.
func EnsureDaemon(ctx context.Context, host string, log io.Writer) (c *ollama.Client, stop func(), err error) {
	noop := func() {}
	// A quick look (2 s) for a daemon that answers; a stopped one is
	// unreachable, not a hang.
	probe, err := ollama.New(ollama.Config{Host: host, CallTimeout: 2 * time.Second})
	if err != nil {
		return nil, noop, err
	}
	_, verr := probe.Version(ctx)
	if verr == nil {
		c, err = ollama.New(ollama.Config{Host: host})
		return c, noop, err
	}
	if host != "" && errors.Is(verr, models.ErrUnavailable) {
		return nil, noop, &HostError{Host: host, Err: verr}
	}
	if host != "" || !errors.Is(verr, models.ErrUnavailable) {
		return nil, noop, verr
	}
	bin, err := exec.LookPath("ollama")
	if err != nil {
		fmt.Fprintf(log, "demo: no Ollama daemon is running and none is on PATH: using the pinned one (%s)\n", daemon.BinaryPath())
		if bin, err = daemon.EnsureBinary(ctx, log); err != nil {
			return nil, noop, err
		}
	}
	d, err := daemon.Start(ctx, daemon.Options{Binary: bin, ModelsDir: filepath.Join(daemon.CacheDir(), "demo-models")})
	if err != nil {
		return nil, noop, err
	}
	fmt.Fprintf(log, "demo: started %s privately at %s (stopped at the end)\n", bin, d.Host)
	c, err = ollama.New(ollama.Config{Host: d.Host})
	if err != nil {
		d.Stop()
		return nil, noop, err
	}
	return c, func() { _ = d.Stop() }, nil
}
