package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

func TestSignalsExitCodes(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		want int
	}{{os.Interrupt, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(signalError{tc.sig})
		a := &App{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
		if got := a.report(ctx, context.Canceled); got != tc.want {
			t.Errorf("%v: exit %d, want %d", tc.sig, got, tc.want)
		}
	}
}

// An incomplete run gets no results.json (a stale one is removed) and an
// error naming what is missing.
func TestIncompleteRunWritesNoResults(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, runstore.ResultsFile), []byte("{}"), 0o644)
	w, err := runstore.OpenWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Append(runstore.Sample{Item: "q1", Model: "a", Sample: 0, Answer: "1"})
	items := []benchmark.Item{{ID: "q1"}, {ID: "q2"}}
	err = complete(w, liveRun{items: items, models: []string{"a", "b"}, s: engine.Sampling{Samples: 1}, dir: dir})
	if !errors.Is(err, errIncomplete) || !strings.Contains(err.Error(), "3 of 4 samples are missing (a 1, b 2)") {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, runstore.ResultsFile)); !os.IsNotExist(err) {
		t.Fatal("a stale results.json was left beside an incomplete run")
	}
	if code, _ := hint(err); code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
}

// Two evals on one folder: the second is refused at once, naming the
// process that holds it, and writes nothing.
func TestSecondEvalOnOneFolderIsRefused(t *testing.T) {
	d := ollamatest.Shared(t)
	a := d.TinyModel(t, "lock-a", 41)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := writeArith(t, 2)
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"eval", "--bench", "jsonl", "--data", data, "--models", a, "--samples", "1", "--num-predict", "2", "--run", dir}
	if r := run(t.Context(), env, args...); r.code != 0 {
		t.Fatalf("first eval: %+v", r)
	}
	m := runstore.Meta{}
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &m); err != nil {
		t.Fatal(err)
	}
	items, err := runstore.ReadItems(dir)
	if err != nil {
		t.Fatal(err)
	}
	held, err := runstore.Create(dir, m, items) // another writer, same settings
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	before := folderDigest(t, dir)
	r := run(t.Context(), env, args...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "being written by another process") || !strings.Contains(r.stderr, "process ") {
		t.Fatalf("second writer: exit %d, %q", r.code, r.stderr)
	}
	if folderDigest(t, dir) != before {
		t.Fatal("the refused writer changed the folder")
	}
}
