package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// waitLines waits until path holds at least n lines.
func waitLines(t *testing.T, path string, n int) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if lines(path) >= n {
			return
		}
	}
	t.Fatalf("%s never reached %d lines", path, n)
}

// The daemon is killed (-9) mid-wave and restarted: the same eval waits
// for it, completes, and its samples equal an uninterrupted run's. Killed
// for longer than --daemon-wait: exit 3, no results.json, nothing lost,
// and a rerun completes.
func TestEvalSurvivesTheDaemonDying(t *testing.T) {
	models := t.TempDir()
	d1 := ollamatest.StartT(t, daemon.Options{ModelsDir: models})
	a, b := d1.TinyModel(t, "fault-a", 51), d1.TinyModel(t, "fault-b", 52)
	addr := strings.TrimPrefix(d1.Host, "http://")
	env := map[string]string{"OLLAMA_HOST": d1.Host}
	data := writeArith(t, 6)
	args := func(dir string, extra ...string) []string {
		return append([]string{"eval", "--bench", "jsonl", "--data", data, "--models", a + "," + b, "--samples", "2",
			"--seed", "3", "--temperature", "0.7", "--num-predict", "6", "--run", dir}, extra...)
	}
	restarted := filepath.Join(t.TempDir(), "restarted")
	done := make(chan result, 1)
	go func() { done <- run(t.Context(), env, args(restarted)...) }()
	waitLines(t, filepath.Join(restarted, runstore.SamplesFile), 3)
	d1.Kill()
	time.Sleep(1500 * time.Millisecond)
	d2 := ollamatest.StartT(t, daemon.Options{ModelsDir: models, Addr: addr})
	r := <-done
	if r.code != 0 || !strings.Contains(r.stderr, "waiting for the Ollama daemon") {
		t.Fatalf("eval across a daemon restart: exit %d\n%s", r.code, r.stderr)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if r := run(t.Context(), env, args(whole)...); r.code != 0 {
		t.Fatalf("uninterrupted: %+v", r)
	}
	got, want := sampleMap(t, restarted), sampleMap(t, whole)
	if len(got) != 24 || fmt.Sprint(got) != fmt.Sprint(want) || lines(filepath.Join(restarted, runstore.SamplesFile)) != 24 {
		t.Fatalf("samples across the restart differ from an uninterrupted run (%d stored)", len(got))
	}

	// Down for longer than the wait.
	gone := filepath.Join(t.TempDir(), "gone")
	go func() { done <- run(t.Context(), env, args(gone, "--daemon-wait", "2s")...) }()
	waitLines(t, filepath.Join(gone, runstore.SamplesFile), 3)
	d2.Kill()
	r = <-done
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "stayed unreachable") {
		t.Fatalf("daemon gone: exit %d, %q; want %d", r.code, r.stderr, exitUnavailable)
	}
	if _, err := os.Stat(filepath.Join(gone, runstore.ResultsFile)); !os.IsNotExist(err) {
		t.Fatal("results.json written for an incomplete run")
	}
	stored := lines(filepath.Join(gone, runstore.SamplesFile))
	if stored < 3 {
		t.Fatalf("%d samples kept, want the 3+ stored before the daemon died", stored)
	}
	ollamatest.StartT(t, daemon.Options{ModelsDir: models, Addr: addr})
	if r := run(t.Context(), env, args(gone)...); r.code != 0 {
		t.Fatalf("rerun: %+v", r)
	}
	if got := sampleMap(t, gone); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatal("the rerun's samples differ from an uninterrupted run")
	}
}

// An interrupted eval leaves no model loaded: the wave's models are
// unloaded on the way out.
func TestInterruptedEvalUnloadsItsModels(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{})
	a := d.TinyModel(t, "unload-a", 61)
	data := writeArith(t, 20)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan result, 1)
	go func() {
		done <- run(ctx, map[string]string{"OLLAMA_HOST": d.Host}, "eval", "--bench", "jsonl", "--data", data,
			"--models", a, "--samples", "3", "--num-predict", "6", "--run", dir)
	}()
	waitLines(t, filepath.Join(dir, runstore.SamplesFile), 2)
	cancel()
	if r := <-done; r.code != exitInterrupted {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		run, err := d.Client.Running(t.Context())
		if err == nil && len(run) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still loaded after the interrupted eval: %+v (%v)", run, err)
		}
	}
}
