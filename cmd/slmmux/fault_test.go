package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// A daemon that accepts connections but never answers (SIGSTOP) fails
// every command at start-up with exit 3 naming the daemon, within the
// configured bound (--daemon-wait for ask and eval, $SLMMUX_CALL_TIMEOUT
// for the others), instead of hanging.
func TestStoppedDaemonAtStartUp(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{})
	model := d.TinyModel(t, "stopped-tiny", 97)
	data := writeArith(t, 2)
	if err := syscall.Kill(d.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(d.PID(), syscall.SIGCONT) })
	env := map[string]string{"OLLAMA_HOST": d.Host, "SLMMUX_CALL_TIMEOUT": "1s"}
	for name, args := range map[string][]string{
		"ask":    {"ask", "--daemon-wait", "1s", "--models", model, "What is 1+1?"},
		"eval":   {"eval", "--daemon-wait", "1s", "--bench", "jsonl", "--data", data, "--models", model, "--run", filepath.Join(t.TempDir(), "run")},
		"plan":   {"plan", "--models", model, "--budget", "1GiB"},
		"models": {"models"},
		"serve":  {"serve", "--daemon-wait", "1s", "--listen", closedPort(t), "--models", model},
		"demo":   {"demo", "--limit", "2"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // far past the bounds: a hang fails here
			defer cancel()
			r := run(ctx, env, args...)
			if ctx.Err() != nil || r.code != exitUnavailable || !strings.Contains(r.stderr, strings.TrimPrefix(d.Host, "http://")) {
				t.Errorf("exit %d (ctx %v): %s", r.code, ctx.Err(), r.stderr)
			}
		})
	}
}

// serve bounds an ensemble request against a daemon that stops answering
// mid-run: each generation waits at most --request-timeout, the daemon is
// waited for up to --daemon-wait, then the request gets 502 (not a hang).
func TestServeBoundsRequestsAgainstAStoppedDaemon(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{})
	model := d.TinyModel(t, "serve-stopped", 96)
	base := launchServe(t, map[string]string{"OLLAMA_HOST": d.Host}, "--models", model, "--samples", "1",
		"--request-timeout", "1s", "--daemon-wait", "1s")
	body := `{"model":"mux","stream":false,"options":{"num_predict":2},"messages":[{"role":"user","content":"hi"}]}`
	if code, reply := post(t, base+"/api/chat", body); code != 200 {
		t.Fatalf("before: %d %s", code, reply)
	}
	if err := syscall.Kill(d.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(d.PID(), syscall.SIGCONT)
	client := &http.Client{Timeout: time.Minute} // far past the bounds: a hang fails here
	resp, err := client.Post(base+"/api/chat", "application/json", strings.NewReader(strings.Replace(body, "hi", "hello", 1)))
	if err != nil {
		t.Fatalf("stopped daemon: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("stopped daemon: %d, want 502", resp.StatusCode)
	}
}
