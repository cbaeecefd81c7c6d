package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
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
	err = engine.CheckComplete(w, dir, items, []string{"a", "b"}, 1, nil) // what collect checks (Hosts.Collect)
	if !errors.Is(err, engine.ErrIncomplete) || !strings.Contains(err.Error(), "3 of 4 samples are missing (a 1, b 2)") {
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

// Two runs with the same settings whose samples arrived in different
// orders give identical mux, search and report output: the model order
// (the tie-break order) is run.json's, never the arrival order.
func TestOfflineOutputIgnoresArrivalOrder(t *testing.T) {
	first := workedRun(t)
	ss, err := runstore.ReadSamples(first)
	if err != nil {
		t.Fatal(err)
	}
	second := t.TempDir()
	slices.Reverse(ss)
	runstore.WriteJSONL(second, runstore.SamplesFile, ss)
	meta := runstore.Meta{Benchmark: "jsonl", Samples: 3, Models: []runstore.ModelMeta{{Name: "C"}, {Name: "A"}, {Name: "B"}}}
	for _, d := range []string{first, second} {
		runstore.WriteJSON(d, runstore.MetaFile, meta)
	}
	for _, args := range [][]string{
		{"mux", "--json", "--samples", "2", "--trials", "5"},
		{"search", "--json"},
		{"report", "--out", "OUT"},
	} {
		var outs []string
		for _, d := range []string{first, second} {
			out := filepath.Join(t.TempDir(), "report")
			a := append([]string(nil), args...)
			for i := range a {
				a[i] = strings.ReplaceAll(a[i], "OUT", out)
			}
			r := run(t.Context(), nil, append(a, "--run", d)...)
			if r.code != 0 {
				t.Fatalf("%v: %+v", args, r)
			}
			text := r.stdout
			if args[0] == "report" {
				b, err := os.ReadFile(filepath.Join(out, "report.md"))
				if err != nil {
					t.Fatal(err)
				}
				text = strings.ReplaceAll(string(b), d, "DIR")
			}
			outs = append(outs, text)
		}
		if outs[0] != outs[1] {
			t.Errorf("%s differs between the two arrival orders:\n%s\n---\n%s", args[0], outs[0], outs[1])
		}
		if args[0] == "mux" && !strings.Contains(outs[0], `"C",`) {
			t.Errorf("mux models not in run.json order: %s", outs[0])
		}
	}
}

// Resuming with a data file whose first line is the same but whose other
// questions or answers changed is refused, naming the items.
func TestResumeWithChangedDataIsRefused(t *testing.T) {
	d := ollamatest.Shared(t)
	a := d.TinyModel(t, "resume-a", 71)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := writeArith(t, 3)
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"eval", "--bench", "jsonl", "--data", data, "--models", a, "--samples", "1", "--num-predict", "2", "--run", dir}
	if r := run(t.Context(), env, args...); r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	b, _ := os.ReadFile(data)
	lines := strings.SplitAfter(string(b), "\n")
	lines[2] = strings.Replace(lines[2], `"answer":"`, `"answer":"9`, 1)
	os.WriteFile(data, []byte(strings.Join(lines, "")), 0o644)
	before := folderDigest(t, dir)
	r := run(t.Context(), env, args...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "items_hash") {
		t.Fatalf("changed data: exit %d, %q", r.code, r.stderr)
	}
	if folderDigest(t, dir) != before {
		t.Fatal("the refused resume changed the folder")
	}
	if r := run(t.Context(), env, append(args[:len(args):len(args)], "--samples", "2")...); r.code != exitUsage || !strings.Contains(r.stderr, "samples 1, not 2") {
		t.Fatalf("more samples: exit %d, %q", r.code, r.stderr)
	}
}

// A run records each sample's answer under both extraction modes, and
// results.json and mux --json show each model's share of samples that
// neither could read.
func TestRunReportsUnreadableSharePerMode(t *testing.T) {
	d := ollamatest.Shared(t)
	a := d.TinyModel(t, "modes-a", 75)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	dir := filepath.Join(t.TempDir(), "run")
	r := run(t.Context(), env, "eval", "--bench", "jsonl", "--extractor", "math", "--data", writeArith(t, 3), "--models", a,
		"--samples", "2", "--num-predict", "6", "--run", dir)
	if r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	var res struct {
		NoAnswer map[string]struct{ Strict, Flexible *float64 } `json:"no_answer"`
	}
	if err := runstore.ReadJSON(dir, runstore.ResultsFile, &res); err != nil {
		t.Fatal(err)
	}
	na, ok := res.NoAnswer[a]
	if !ok || na.Strict == nil || na.Flexible == nil || *na.Flexible > *na.Strict {
		t.Fatalf("no_answer %+v: want both shares, flexible reading at least as much as strict", res.NoAnswer)
	}
	m := run(t.Context(), nil, "mux", "--run", dir, "--json")
	if m.code != 0 || !strings.Contains(m.stdout, `"no_answer"`) || !strings.Contains(m.stdout, `"flexible"`) {
		t.Fatalf("mux --json: %+v", m)
	}
	out := filepath.Join(t.TempDir(), "report")
	if r := run(t.Context(), nil, "report", "--run", dir, "--out", out); r.code != 0 {
		t.Fatalf("report: %+v", r)
	}
	if md, _ := os.ReadFile(filepath.Join(out, "report.md")); !strings.Contains(string(md), "Samples with no extractable answer: "+a) {
		t.Errorf("report.md does not show the unreadable shares:\n%s", md)
	}
	if r := run(t.Context(), env, "eval", "--bench", "jsonl", "--extractor", "math", "--data", writeArith(t, 3), "--models", a,
		"--samples", "2", "--num-predict", "6", "--run", dir, "--extract", "flexible"); r.code != exitUsage || !strings.Contains(r.stderr, "extract strict, not flexible") {
		t.Fatalf("another mode on the same run: exit %d %q", r.code, r.stderr)
	}
}
