// Package ollamatest gives tests a REAL Ollama daemon: the pinned version,
// built once into the cache folder and started once per test binary on a
// private port with a private models folder ([Shared]), stopped by PID when
// the binary ends ([Main]). It also creates tiny generated models in it
// ([Daemon.TinyModel]).
//
// When no daemon can be started, tests skip with the reason, except under
// CI=true, where they fail: CI never passes because a daemon was missing.
package ollamatest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/daemon"
)

// Daemon is a started test daemon with a client for it.
type Daemon struct {
	*daemon.Daemon
	Client *ollama.Client

	mu     sync.Mutex
	models map[string]string // name → digest of models created by TinyModel
}

var (
	sharedOnce sync.Once
	shared     *Daemon
	sharedErr  error
)

// Main runs the package's tests and stops the shared daemon afterwards.
// Use it from TestMain: func TestMain(m *testing.M) { ollamatest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.Stop()
	}
	os.Exit(code)
}

// Shared returns the test binary's daemon, starting it on first use. Use
// Main in TestMain so that it is stopped.
func Shared(tb testing.TB) *Daemon {
	tb.Helper()
	skipShort(tb)
	sharedOnce.Do(func() { shared, sharedErr = Start(context.Background(), daemon.Options{}) })
	if sharedErr != nil {
		Unavailable(tb, sharedErr)
	}
	return shared
}

// Start starts a daemon of its own (for tests that need other server
// settings, such as OLLAMA_MAX_LOADED_MODELS=1). The caller stops it.
func Start(ctx context.Context, opt daemon.Options) (*Daemon, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute) // includes a cold build (v0.24.0: 5-9 min on 2 cores)
	defer cancel()
	if opt.Binary == "" {
		bin, err := daemon.EnsureBinary(ctx, os.Stderr)
		if err != nil {
			return nil, err
		}
		opt.Binary = bin
	}
	d, err := daemon.Start(ctx, opt)
	if err != nil {
		return nil, err
	}
	c, err := ollama.New(ollama.Config{Host: d.Host})
	if err != nil {
		d.Stop()
		return nil, err
	}
	return &Daemon{Daemon: d, Client: c, models: map[string]string{}}, nil
}

// StartT is Start for one test: it stops the daemon in t.Cleanup, and
// skips or fails (under CI=true) when the daemon cannot start.
func StartT(tb testing.TB, opt daemon.Options) *Daemon {
	tb.Helper()
	skipShort(tb)
	d, err := Start(context.Background(), opt)
	if err != nil {
		Unavailable(tb, err)
	}
	tb.Cleanup(func() { _ = d.Stop() })
	return d
}

// skipShort skips a daemon test under -short (make unit: offline, no
// daemon built or started).
func skipShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs the real Ollama daemon: skipped under -short")
	}
}

// Unavailable reports that a test needs a daemon it cannot have: a failure
// under CI=true, a skip otherwise.
func Unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("real Ollama daemon unavailable (CI=true, so this fails): %v", err)
	}
	tb.Skipf("real Ollama daemon unavailable: %v", err)
}
