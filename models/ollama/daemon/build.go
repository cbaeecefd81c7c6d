package daemon

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// CacheDir is where the pinned daemon is built: $SLMMUX_CACHE, else the
// user cache folder (~/.cache/slmmux on Linux).
func CacheDir() string {
	if d := os.Getenv("SLMMUX_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "slmmux")
	}
	return filepath.Join(os.TempDir(), "slmmux-cache")
}

// BinaryPath is where EnsureBinary puts the pinned daemon.
func BinaryPath() string {
	return filepath.Join(CacheDir(), "ollama-"+Version, "bin", "ollama")
}

// EnsureBinary returns the pinned daemon's path, building it first with
// `go install github.com/ollama/ollama@Version` when it is missing (about two
// minutes on two cores from a cold build cache). Concurrent callers, even
// in other processes, wait for one build. Build output goes to log if not
// nil.
func EnsureBinary(ctx context.Context, log io.Writer) (string, error) {
	bin := BinaryPath()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", fmt.Errorf("daemon: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(filepath.Dir(bin), ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("daemon: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("daemon: lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil { // built while we waited
		return bin, nil
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("daemon: %w: install Go 1.26+ or Ollama itself (then set OLLAMA_HOST)", errNoGo)
	}
	cmd := exec.CommandContext(ctx, gobin, "install", "github.com/ollama/ollama@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(bin), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false")
	cmd.Dir = os.TempDir() // outside any module, so go.mod does not interfere
	if log != nil {
		cmd.Stdout, cmd.Stderr = log, log
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("daemon: build ollama %s (needs gcc for cgo): %w", Version, err)
	}
	return bin, nil
}
