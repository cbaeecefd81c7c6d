package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

func TestMain(m *testing.M) { ollamatest.Main(m) }

type result struct {
	code           int
	stdout, stderr string
}

// run drives the program as a user would, with env as its environment.
func run(ctx context.Context, env map[string]string, args ...string) result {
	var out, errb bytes.Buffer
	app := &App{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code := app.Run(ctx, args)
	return result{code, out.String(), errb.String()}
}

func closedPort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestProbeJSONMatchesProc(t *testing.T) {
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, "probe", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var p struct {
		CPU struct {
			LogicalCores int `json:"logical_cores"`
		} `json:"cpu"`
		Memory struct {
			TotalBytes uint64 `json:"total_bytes"`
		} `json:"memory"`
		GPUs   []any `json:"gpus"`
		Daemon struct {
			Reachable bool   `json:"reachable"`
			Error     string `json:"error"`
		} `json:"daemon"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if p.CPU.LogicalCores != runtime.NumCPU() || p.GPUs == nil {
		t.Fatalf("probe %+v", p)
	}
	if total := memTotal(t); total > 0 && (p.Memory.TotalBytes > total || p.Memory.TotalBytes < total/2) {
		t.Fatalf("memory %d vs /proc/meminfo %d", p.Memory.TotalBytes, total)
	}
	if p.Daemon.Reachable || !strings.Contains(p.Daemon.Error, "OLLAMA_HOST") {
		t.Fatalf("daemon %+v", p.Daemon)
	}
	human := run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, "probe")
	if human.code != 0 || !strings.Contains(human.stdout, "not reachable") {
		t.Fatalf("plain probe: %+v", human)
	}
}

func memTotal(t *testing.T) uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		var kb uint64
		if _, err := fmt.Sscanf(s.Text(), "MemTotal: %d kB", &kb); err == nil {
			return kb * 1024
		}
	}
	return 0
}

func TestModelsImportThroughDaemon(t *testing.T) {
	d := ollamatest.Shared(t)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	dir := t.TempDir()
	path := ollamatest.WriteRandomModel(t, dir, 5, ggufTiny())
	r := run(t.Context(), env, "models", "import", path, "--name", "cli-imported", "--template", ollamatest.RawTemplate)
	if r.code != 0 || !strings.Contains(r.stdout, "uploaded") {
		t.Fatalf("import: %+v", r)
	}
	r = run(t.Context(), env, "models", "import", path, "--name", "cli-imported")
	if r.code != 0 || !strings.Contains(r.stdout, "not uploaded again") {
		t.Fatalf("second import: %+v", r)
	}
	r = run(t.Context(), env, "models")
	if r.code != 0 || !strings.Contains(r.stdout, "cli-imported") || !strings.Contains(r.stdout, "llama") {
		t.Fatalf("list: %+v", r)
	}
	notGGUF := filepath.Join(dir, "notes.txt")
	os.WriteFile(notGGUF, []byte("hello, not a model"), 0o644)
	whole, _ := os.ReadFile(path)
	cut := filepath.Join(dir, "cut.gguf")
	os.WriteFile(cut, whole[:len(whole)/2], 0o644)
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.gguf"), "no such file"},
		{notGGUF, "not a GGUF file"},
		{cut, "truncated"},
	} {
		r := run(t.Context(), env, "models", "import", tc.file, "--name", "x")
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("import %s: exit %d, %q", tc.file, r.code, r.stderr)
		}
	}
}

func TestUnknownModelAndDaemonDown(t *testing.T) {
	d := ollamatest.Shared(t)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "ask", "--models", "nope", "What is 1+1?")
	if r.code != exitNotFound || !strings.Contains(r.stderr, "slmmux models import") {
		t.Fatalf("unknown model: %+v", r)
	}
	r = run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, "models")
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "ollama serve") {
		t.Fatalf("daemon down: %+v", r)
	}
}

func TestAskLive(t *testing.T) {
	d := ollamatest.Shared(t)
	a, b := d.TinyModel(t, "ask-a", 11), d.TinyModel(t, "ask-b", 12)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	r := run(t.Context(), env, "ask", "--models", a+","+b, "--samples", "3", "--num-predict", "6", "--bench", "jsonl", "--json", "What is 2+3?")
	if r.code != 0 {
		t.Fatalf("ask: %+v", r)
	}
	var out engine.AnswerView
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Models) != 2 || len(out.Models[0].Answers) != 3 || out.Models[1].Tokens == 0 {
		t.Fatalf("ask json: %+v", out)
	}
	plain := run(t.Context(), env, "ask", "--models", a, "--samples", "2", "--num-predict", "6", "What is 2+3?")
	if plain.code != 0 || !strings.Contains(plain.stdout, "MODEL") {
		t.Fatalf("ask table: %+v", plain)
	}
}

func writeArith(t testing.TB, n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `{"id":"a%d","question":"What is %d+%d?","answer":"%d"}`+"\n", i, i, i+1, 2*i+1)
	}
	path := filepath.Join(t.TempDir(), "arith.jsonl")
	os.WriteFile(path, []byte(sb.String()), 0o644)
	return path
}

// An eval killed midway resumes to exactly what an uninterrupted run
// stores, with each (item, model, sample) once.
func TestEvalInterruptedResumes(t *testing.T) {
	d := ollamatest.Shared(t)
	a, b := d.TinyModel(t, "eval-a", 21), d.TinyModel(t, "eval-b", 22)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := writeArith(t, 4)
	args := func(dir string) []string {
		return []string{"eval", "--bench", "jsonl", "--data", data, "--models", a + "," + b, "--samples", "3",
			"--seed", "5", "--temperature", "0.7", "--num-predict", "6", "--run", dir}
	}
	cut := filepath.Join(t.TempDir(), "cut")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan result, 1)
	go func() { done <- run(ctx, env, args(cut)...) }()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if lines(filepath.Join(cut, runstore.SamplesFile)) >= 7 {
			break
		}
	}
	cancel()
	r := <-done
	if r.code != exitInterrupted || !strings.Contains(r.stderr, "resume") {
		t.Fatalf("interrupted eval: %+v", r)
	}
	n := lines(filepath.Join(cut, runstore.SamplesFile))
	if n == 0 || n >= 24 {
		t.Fatalf("%d samples stored when interrupted", n)
	}
	if r := run(t.Context(), env, args(cut)...); r.code != 0 {
		t.Fatalf("resume: %+v", r)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if r := run(t.Context(), env, args(whole)...); r.code != 0 || !strings.Contains(r.stdout, "SLM-MUX") {
		t.Fatalf("uninterrupted: %+v", r)
	}
	got, want := sampleMap(t, cut), sampleMap(t, whole)
	if len(got) != 24 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("resumed samples differ from an uninterrupted run:\n%v\n%v", got, want)
	}
	if lines(filepath.Join(cut, runstore.SamplesFile)) != 24 {
		t.Fatal("a sample was stored twice")
	}
	var rc, rw map[string]any
	runstore.ReadJSON(cut, runstore.ResultsFile, &rc)
	runstore.ReadJSON(whole, runstore.ResultsFile, &rw)
	for _, k := range []string{"accuracy", "baselines", "items"} {
		if fmt.Sprint(rc[k]) != fmt.Sprint(rw[k]) {
			t.Fatalf("results.json %s differ: %v vs %v", k, rc[k], rw[k])
		}
	}
	// Offline mux over the same run needs no daemon.
	m := run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, "mux", "--run", cut, "--samples", "2", "--trials", "5", "--json")
	if m.code != 0 || !strings.Contains(m.stdout, `"agent_forest"`) {
		t.Fatalf("mux: %+v", m)
	}
}

func lines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}

func sampleMap(t *testing.T, dir string) map[runstore.Key]string {
	ss, err := runstore.ReadSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[runstore.Key]string{}
	for _, s := range ss {
		m[s.Key()] = s.Response
	}
	return m
}

// Bad input fails fast, says what to fix, and writes nothing.
func TestEvalBadInput(t *testing.T) {
	d := ollamatest.Shared(t)
	a := d.TinyModel(t, "eval-a", 21)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := writeArith(t, 2)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing data", []string{"--bench", "jsonl", "--data", "/nonexistent/x.jsonl", "--models", a}, exitUsage, "/nonexistent/x.jsonl"},
		{"unknown benchmark", []string{"--bench", "mmlu", "--data", data, "--models", a}, exitUsage, "mmlu"},
		{"unknown model", []string{"--bench", "jsonl", "--data", data, "--models", "ghost"}, exitNotFound, "ghost"},
		{"zero samples", []string{"--bench", "jsonl", "--data", data, "--models", a, "--samples", "0"}, exitUsage, "--samples 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			r := run(t.Context(), env, append([]string{"eval", "--run", dir}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Fatal("the run folder was created")
			}
		})
	}
	bad := t.TempDir()
	// A malformed line above the last (the last may be a crash's artefact,
	// which resume cuts off) is an error naming its line.
	good := `{"item":"a","model":"m","sample":0,"answer":"1","correct":true}`
	os.WriteFile(filepath.Join(bad, runstore.SamplesFile), []byte(good+"\n{oops\n"+strings.Replace(good, `"sample":0`, `"sample":1`, 1)+"\n"), 0o644)
	r := run(t.Context(), env, "mux", "--run", bad)
	if r.code != exitError || !strings.Contains(r.stderr, "samples.jsonl:2") {
		t.Fatalf("malformed line: %+v", r)
	}
}
