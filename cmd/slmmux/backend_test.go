package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
)

const testKey = "sk-cli-test-secret-42"

// Bad backend combinations are usage errors naming the flag and the fix,
// before anything is reached or written, and never echo a key.
func TestBackendFlagCombinations(t *testing.T) {
	data := writeArith(t, 2)
	host := closedPort(t)
	oa := []string{"--backend", "openai", "--base-url", "http://" + host + "/v1"}
	with := func(cmd string, extra ...string) []string {
		args := []string{cmd}
		if cmd == "eval" {
			args = append(args, "--bench", "jsonl", "--data", data, "--run", "RUN")
		}
		return append(args, extra...)
	}
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"base url with ollama", with("ask", "--base-url", "http://h/v1", "q?"), "--base-url applies to --backend openai only"},
		{"api key env with ollama", with("eval", "--api-key-env", "MY_KEY"), "--api-key-env applies to --backend openai only"},
		{"concurrency with ollama", with("ask", "--max-concurrency", "2", "q?"), "--max-concurrency applies"},
		{"unknown backend", with("ask", "--backend", "vllm", "q?"), `--backend "vllm": use ollama or openai`},
		{"openai without url", with("eval", "--backend", "openai"), "--backend openai needs --base-url"},
		{"malformed url", with("ask", "--backend", "openai", "--base-url", "127.0.0.1:8000", "q?"), "--base-url"},
		{"ftp url", with("ask", "--backend", "openai", "--base-url", "ftp://h/v1", "q?"), "http:// or https://"},
		{"credentials in url", with("ask", "--backend", "openai", "--base-url", "http://u:"+testKey+"@h/v1", "q?"), "environment variable"},
		{"zero concurrency", cat(with("ask"), oa, []string{"--max-concurrency", "0", "q?"}), "--max-concurrency 0"},
		{"key as env name", cat(with("ask"), oa, []string{"--api-key-env", testKey, "q?"}), "--api-key-env: not a variable name"},
		{"footprint", cat(with("ask"), oa, []string{"--footprint", "a=1GiB", "q?"}), "--footprint: memory planning does not apply"},
		{"budget", cat(with("eval"), oa, []string{"--budget", "8GiB"}), "--budget: memory planning does not apply"},
		{"slots", cat(with("eval"), oa, []string{"--slots", "2"}), "--slots"},
		{"num ctx", cat(with("eval"), oa, []string{"--num-ctx", "4096"}), "--num-ctx: the OpenAI API cannot carry"},
		{"threads", cat(with("ask"), oa, []string{"--threads", "1", "q?"}), "--threads"},
		{"repeat penalty", cat(with("ask"), oa, []string{"--repeat-penalty", "1", "q?"}), "--repeat-penalty"},
		{"plan footprint", cat([]string{"plan"}, oa, []string{"--footprint", "a=1GiB"}), "--footprint: memory planning does not apply"},
		{"plan num ctx", cat([]string{"plan"}, oa, []string{"--num-ctx", "4096"}), "--num-ctx"},
		{"serve start daemon", cat([]string{"serve"}, oa, []string{"--start-daemon"}), "--start-daemon"},
		{"serve budget", cat([]string{"serve"}, oa, []string{"--budget", "1GiB"}), "--budget"},
		{"top p above 1", with("ask", "--top-p", "1.5", "q?"), "--top-p 1.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "RUN", dir)
			}
			r := run(t.Context(), map[string]string{"OLLAMA_HOST": host, "OPENAI_API_KEY": testKey}, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", r.code, r.stderr, exitUsage, tc.want)
			}
			if strings.Contains(r.stderr+r.stdout, testKey) {
				t.Fatalf("the key is in the output: %q", r.stderr)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Fatal("the run folder was created")
			}
		})
	}
}

// fakeOpenAI is an OpenAI-compatible server with models a and b that
// answer "The answer is N." with N the sum in "What is X+Y?"; it records
// every chat request.
type fakeOpenAI struct {
	mu       sync.Mutex
	requests []map[string]any
	auth     []string
	status   int // when set, every request gets it
}

func newFakeOpenAI(t *testing.T) (*fakeOpenAI, string) {
	t.Helper()
	f := &fakeOpenAI{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		status := f.status
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s"}}`, testKey)
			return
		}
		switch r.URL.Path {
		case "/v1/models":
			fmt.Fprint(w, `{"object":"list","data":[{"id":"b"},{"id":"a"}]}`)
		case "/v1/chat/completions":
			var req map[string]any
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &req)
			f.mu.Lock()
			f.requests = append(f.requests, req)
			f.mu.Unlock()
			var x, y int
			msgs, _ := req["messages"].([]any)
			last, _ := msgs[len(msgs)-1].(map[string]any)
			content, _ := last["content"].(string)
			if i := strings.Index(content, "What is "); i >= 0 {
				fmt.Sscanf(content[i:], "What is %d+%d?", &x, &y)
			}
			fmt.Fprintf(w, `{"choices":[{"message":{"role":"assistant","content":"The answer is %d."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":4}}`, x+y)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL + "/v1"
}

// ask, eval and plan through --backend openai, offline: every installed
// model comes from /v1/models, no memory plan (one line says so), the key
// from the named variable in the header and nowhere in the output, and
// the sampling options sent explicitly.
func TestOpenAIBackendOffline(t *testing.T) {
	f, base := newFakeOpenAI(t)
	env := map[string]string{"OLLAMA_HOST": closedPort(t), "MY_KEY": testKey}
	oa := []string{"--backend", "openai", "--base-url", base, "--api-key-env", "MY_KEY"}
	r := run(t.Context(), env, slices.Concat([]string{"ask"}, oa, []string{"--samples", "2", "--seed", "3", "What is 5+7?"})...)
	if r.code != 0 || !strings.Contains(r.stdout, "answer: 12\n") || !strings.Contains(r.stderr, "memory planning does not apply") {
		t.Fatalf("ask: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, testKey) {
		t.Fatal("the key is in the output")
	}
	f.mu.Lock()
	if len(f.requests) != 4 {
		t.Fatalf("%d chat requests, want 2 models x 2 samples", len(f.requests))
	}
	var seeds []string
	for _, q := range f.requests {
		if q["temperature"] != 0.3 || q["top_p"] != 1.0 || q["n"] != 1.0 {
			t.Errorf("request %v", q)
		}
		seeds = append(seeds, fmt.Sprintf("%v %v", q["model"], q["seed"]))
	}
	slices.Sort(seeds)
	s3 := engine.Sampling{Seed: 3}
	want := []string{}
	for _, m := range []string{"a", "b"} {
		for j := range 2 {
			want = append(want, fmt.Sprintf("%s %v", m, float64(s3.SampleSeed(engine.AskItemID, j))))
		}
	}
	slices.Sort(want)
	if strings.Join(seeds, ",") != strings.Join(want, ",") {
		t.Errorf("models and seeds %v", seeds)
	}
	for _, a := range f.auth {
		if a != "Bearer "+testKey {
			t.Errorf("Authorization %q", a)
		}
	}
	f.mu.Unlock()

	dir := filepath.Join(t.TempDir(), "run")
	data := writeArith(t, 3)
	r = run(t.Context(), env, slices.Concat([]string{"eval", "--bench", "jsonl", "--data", data, "--run", dir, "--models", "a,b", "--samples", "2", "--top-p", "0.9"}, oa)...)
	if r.code != 0 {
		t.Fatalf("eval: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var meta runstore.Meta
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &meta); err != nil || meta.TopP == nil || *meta.TopP != 0.9 {
		t.Fatalf("run.json top_p %v, %v", meta.TopP, err)
	}
	// Without --top-p, the API's default 1 is sent and recorded: another run.
	r = run(t.Context(), env, slices.Concat([]string{"eval", "--bench", "jsonl", "--data", data, "--run", dir, "--models", "a,b", "--samples", "2"}, oa)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "top_p 0.9, not 1") {
		t.Fatalf("resume without --top-p: exit %d %s", r.code, r.stderr)
	}

	r = run(t.Context(), env, slices.Concat([]string{"plan", "--json"}, oa)...)
	var p report.PlanView
	if err := json.Unmarshal([]byte(r.stdout), &p); r.code != 0 || err != nil || p.Backend != "openai" || len(p.Waves) != 1 ||
		strings.Join(p.Waves[0].Models, ",") != "a,b" || p.Settings.Slots != 4 || !strings.Contains(p.Note, "memory planning does not apply") {
		t.Fatalf("plan: exit %d %s %s (%v)", r.code, r.stdout, r.stderr, err)
	}
	r = run(t.Context(), env, slices.Concat([]string{"ask", "--models", "c"}, oa, []string{"q?"})...)
	if r.code != exitNotFound || !strings.Contains(r.stderr, `"c" is not served`) || !strings.Contains(r.stderr, "/v1/models") {
		t.Fatalf("unknown model: exit %d %s", r.code, r.stderr)
	}

	r = run(t.Context(), env, "ask", "--backend", "openai", "--base-url", "http://"+closedPort(t)+"/v1", "q?")
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "cannot reach the OpenAI-compatible server") || strings.Contains(r.stderr, "slmmux demo") {
		t.Fatalf("unreachable: exit %d %s", r.code, r.stderr)
	}

	f.mu.Lock()
	f.status = http.StatusUnauthorized
	f.mu.Unlock()
	r = run(t.Context(), env, slices.Concat([]string{"ask"}, oa, []string{"q?"})...)
	if r.code != exitError || !strings.Contains(r.stderr, "$MY_KEY") || strings.Contains(r.stderr, testKey) {
		t.Fatalf("refused key: exit %d %s", r.code, r.stderr)
	}
}
