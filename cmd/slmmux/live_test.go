package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// Flag validation runs before anything touches a daemon or a folder: the
// daemon address is a closed port, and every case must still be a usage
// error naming the flag, with nothing written.
func TestFlagValidationNeedsNoDaemon(t *testing.T) {
	data := writeArith(t, 2)
	host := closedPort(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ask zero samples", []string{"ask", "--samples", "0", "q?"}, "--samples 0"},
		{"ask huge samples", []string{"ask", "--samples", "9223372036854775807", "q?"}, "--samples"},
		{"ask NaN temperature", []string{"ask", "--temperature", "NaN", "q?"}, "--temperature"},
		{"ask Inf temperature", []string{"ask", "--temperature", "+Inf", "q?"}, "--temperature"},
		{"ask negative seed", []string{"ask", "--seed", "-1", "q?"}, "--seed -1"},
		{"ask NaN repeat penalty", []string{"ask", "--repeat-penalty", "NaN", "q?"}, "--repeat-penalty"},
		{"ask negative repeat penalty", []string{"ask", "--repeat-penalty", "-1", "q?"}, "--repeat-penalty"},
		{"ask threads", []string{"ask", "--threads", "100000", "q?"}, "--threads"},
		{"ask slots", []string{"ask", "--slots", "0", "q?"}, "--slots 0"},
		{"ask max loaded", []string{"ask", "--max-loaded", "-1", "q?"}, "--max-loaded -1"},
		{"ask margin", []string{"ask", "--margin", "NaN", "q?"}, "--margin"},
		{"ask budget", []string{"ask", "--budget", "lots", "q?"}, "--budget"},
		{"ask empty question", []string{"ask", "  "}, "question is empty"},
		{"ask extractor without bench", []string{"ask", "--extractor", "number", "q?"}, "--extractor"},
		{"ask unknown profile", []string{"ask", "--profile", "x", "q?"}, "--profile"},
		{"ask two questions", []string{"ask", "a", "b"}, "accepts at most 1 arg"},
		{"unknown flag", []string{"ask", "--nope", "q?"}, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"eval without bench", []string{"eval", "--data", data, "--run", "RUN"}, "--bench"},
		{"eval zero samples", []string{"eval", "--bench", "jsonl", "--data", data, "--run", "RUN", "--samples", "0"}, "--samples 0"},
		{"eval bad order", []string{"eval", "--bench", "jsonl", "--data", data, "--run", "RUN", "--order", "x"}, "--order"},
		{"eval negative limit", []string{"eval", "--bench", "jsonl", "--data", data, "--run", "RUN", "--limit", "-1"}, "--limit -1"},
		{"eval num-ctx", []string{"eval", "--bench", "jsonl", "--data", data, "--run", "RUN", "--num-ctx", "-5"}, "--num-ctx -5"},
		{"plan duplicate footprint", []string{"plan", "--footprint", "a=1GiB,a=2GiB", "--budget", "8GiB"}, "given twice"},
		{"plan huge footprint", []string{"plan", "--footprint", "a=1e30", "--budget", "8GiB"}, "--footprint"},
		{"plan zero samples", []string{"plan", "--footprint", "a=1GiB", "--samples", "0"}, "--samples 0"},
		{"demo zero samples", []string{"demo", "--samples", "0", "--run", "RUN"}, "--samples 0"},
		{"demo NaN temperature", []string{"demo", "--temperature", "NaN", "--run", "RUN"}, "--temperature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "RUN", dir)
			}
			r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", r.code, r.stderr, exitUsage, tc.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Fatal("the run folder was created")
			}
		})
	}
}

// folderDigest hashes every file's name and content under dir.
func folderDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDemoRunRefusesOtherSettings(t *testing.T) {
	d := ollamatest.Shared(t)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	dir := filepath.Join(t.TempDir(), "demo")
	if r := run(t.Context(), env, "demo", "--limit", "3", "--samples", "1", "--run", dir, "--json"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	before := folderDigest(t, dir)
	r := run(t.Context(), env, "demo", "--limit", "3", "--samples", "2", "--temperature", "0.9", "--run", dir)
	if r.code != exitUsage || !strings.Contains(r.stderr, "samples 1, not 2") || !strings.Contains(r.stderr, "temperature") {
		t.Fatalf("changed settings: exit %d, %q; want exit 2 naming samples and temperature", r.code, r.stderr)
	}
	if folderDigest(t, dir) != before {
		t.Fatal("the refused run changed the folder")
	}
	r = run(t.Context(), env, "demo", "--limit", "4", "--samples", "1", "--run", dir)
	if r.code != exitUsage || !strings.Contains(r.stderr, "limit 3, not 4") {
		t.Fatalf("changed limit: exit %d, %q", r.code, r.stderr)
	}
	// The same settings resume: nothing is generated again.
	r = run(t.Context(), env, "demo", "--limit", "3", "--samples", "1", "--run", dir, "--json")
	if r.code != 0 {
		t.Fatalf("resume: %+v", r)
	}
}

// demoModels imports the embedded demo models and returns the names of the
// pool (all but the large generalist).
func demoModels(t testing.TB, d *ollamatest.Daemon) []string {
	t.Helper()
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Import(t.Context(), d.Client, cat, io.Discard); err != nil {
		t.Fatal(err)
	}
	return cat.Pool()
}

// demoPool returns the embedded catalog's pool (every model but the large
// one), without importing anything.
func demoPool(t testing.TB) []string {
	t.Helper()
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Pool()
}

func TestAskPlainQuestionOnDemoModels(t *testing.T) {
	d := ollamatest.Shared(t)
	ms := demoModels(t, d)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "ask", "--models", strings.Join(ms, ","), "What is 85-73?")
	if r.code != 0 || !strings.Contains(r.stdout, "answer: 12\n") {
		t.Fatalf("ask: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// recordingProxy forwards to the daemon and keeps the options of every
// /api/generate request.
func recordingProxy(t *testing.T, host string) (string, func() []map[string]any) {
	t.Helper()
	target, err := url.Parse("http://" + strings.TrimPrefix(host, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var opts []map[string]any
	rp := freshProxy(t, target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/generate" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				Prompt  string         `json:"prompt"`
				Options map[string]any `json:"options"`
			}
			if json.Unmarshal(body, &req) == nil && req.Prompt != "" {
				mu.Lock()
				opts = append(opts, req.Options)
				mu.Unlock()
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]any(nil), opts...)
	}
}

// What the plan assumed is what a live run sends: the default context
// window (the planner's 2048, not the daemon's own default) and the
// thread count.
func TestLiveRequestsCarryThePlannedSettings(t *testing.T) {
	d := ollamatest.Shared(t)
	a := d.TinyModel(t, "plan-ctx", 31)
	proxy, sent := recordingProxy(t, d.Host)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": proxy}, "ask", "--models", a, "--samples", "2", "--num-predict", "3", "--threads", "1", "What is 1+1?")
	if r.code != 0 {
		t.Fatalf("ask: %+v", r)
	}
	got := sent()
	if len(got) != 2 {
		t.Fatalf("%d generate requests recorded, want 2", len(got))
	}
	for _, o := range got {
		if o["num_ctx"] != float64(2048) || o["num_thread"] != float64(1) {
			t.Errorf("options sent %v: want num_ctx 2048 (the plan's) and num_thread 1", o)
		}
	}
}

// Absurd numbers and hostile files: a usage error naming the flag or the
// file, no panic, no out-of-memory, nothing written.
func TestHostileInputIsRefused(t *testing.T) {
	host := closedPort(t)
	worked := workedRun(t)
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.jsonl")
	os.WriteFile(huge, []byte(`{"question":"`+strings.Repeat("7+", 1<<20)+`1","answer":"1"}`+"\n"), 0o644)
	tiny := filepath.Join(dir, "empty.gguf")
	os.WriteFile(tiny, []byte("GGUF\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"models only commas", []string{"ask", "--models", ",,,", "q?"}, "names no model"},
		{"threads 1000", []string{"ask", "--threads", "1000", "q?"}, "--threads 1000"},
		{"no question", []string{"ask"}, "no question"},
		{"question file missing", []string{"ask", "--file", filepath.Join(dir, "nope.txt")}, "--file"},
		{"question and file", []string{"ask", "--file", huge, "q?"}, "not both"},
		{"question file too long", []string{"ask", "--file", huge}, "limit"},
		{"data is a device", []string{"eval", "--bench", "jsonl", "--data", "/dev/zero", "--run", "RUN"}, "/dev/zero"},
		{"json data is a device", []string{"eval", "--bench", "gsm8k", "--data", "/dev/zero", "--run", "RUN"}, "/dev/zero"},
		{"10 MB question", []string{"eval", "--bench", "jsonl", "--data", huge, "--run", "RUN"}, "limit"},
		{"mux huge trials", []string{"mux", "--run", worked, "--trials", "9223372036854775807"}, "--trials"},
		{"mux huge samples", []string{"mux", "--run", worked, "--samples", "9223372036854775807"}, "--samples"},
		{"scale huge range", []string{"scale", "--run", worked, "--samples", "1..1000000000", "--out", "RUN"}, "--samples"},
		{"search NaN lambda", []string{"search", "--run", worked, "--lambda", "NaN"}, "lambda"},
		{"search Inf holdout", []string{"search", "--run", worked, "--holdout", "+Inf"}, "--holdout"},
		{"plan max loaded", []string{"plan", "--footprint", "a=1GiB", "--budget", "1GiB", "--max-loaded", "-1"}, "--max-loaded -1"},
		{"plan NaN budget", []string{"plan", "--footprint", "a=1GiB", "--budget", "NaN"}, "--budget"},
		{"import header-only GGUF", []string{"models", "import", tiny, "--name", "x"}, "lacks what a runner needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "RUN", out)
			}
			r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", r.code, r.stderr, exitUsage, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("something was written")
			}
		})
	}
}
