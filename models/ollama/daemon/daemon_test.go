package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

func TestScriptPinsTheSameVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "scripts", "ollama.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VERSION=(\S+)$`).FindSubmatch(b)
	if m == nil || string(m[1]) != Version {
		t.Fatalf("scripts/ollama.sh pins %q, the Go code %q", m, Version)
	}
}

func TestStartStop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the real daemon: skipped under -short")
	}
	bin, err := EnsureBinary(t.Context(), os.Stderr)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	d, err := Start(t.Context(), Options{Binary: bin, Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	pid, models := d.PID(), d.ModelsDir
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("daemon %d still running after Stop (%v)", pid, err)
	}
	if _, err := os.Stat(models); !os.IsNotExist(err) {
		t.Fatal("private models folder left behind")
	}
}

func TestStartFailsClearly(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := Start(ctx, Options{Binary: "/bin/false"})
	if err == nil {
		t.Fatal("a binary that exits at once was accepted")
	}
}
