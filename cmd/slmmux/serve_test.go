package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// startServe runs `slmmux serve` in-process over the demo models and
// returns its base URL; the server stops (exit 0) when the test ends.
func startServe(t testing.TB, d *ollamatest.Daemon, extra ...string) string {
	t.Helper()
	ms := demoModels(t, d)
	args := append([]string{"--models", strings.Join(ms, ","), "--samples", "3"}, extra...)
	return launchServe(t, map[string]string{"OLLAMA_HOST": d.Host}, args...)
}

// launchServe runs `slmmux serve ARGS` in-process on a free port with env
// and returns its base URL once it answers; it stops (exit 0) when the
// test ends.
func launchServe(t testing.TB, env map[string]string, args ...string) string {
	t.Helper()
	addr := closedPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	args = append([]string{"serve", "--listen", addr}, args...)
	go func() { done <- run(ctx, env, args...) }()
	t.Cleanup(func() {
		cancel()
		if r := <-done; r.code != 0 {
			t.Errorf("serve exited %d: %s", r.code, r.stderr)
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/health"); err == nil {
			resp.Body.Close()
			return base
		}
		select {
		case r := <-done:
			done <- r // for the cleanup, which waits for the exit
			t.Fatalf("serve exited %d: %s", r.code, r.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
	}
}

// Ollama's own Go client, unchanged, against the server: chat and
// generate, streamed and not, on the ensemble "mux".
func TestServeWithOllamaGoClient(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d)
	u, _ := url.Parse(base)
	c := api.NewClient(u, http.DefaultClient)
	ctx := t.Context()
	for _, stream := range []bool{false, true} {
		var chat strings.Builder
		err := c.Chat(ctx, &api.ChatRequest{Model: "mux", Stream: &stream,
			Messages: []api.Message{{Role: "user", Content: "What is 85-73?"}}}, func(r api.ChatResponse) error {
			chat.WriteString(r.Message.Content)
			return nil
		})
		if err != nil || !strings.Contains(chat.String(), "12") {
			t.Errorf("chat (stream %v): %q, %v", stream, chat.String(), err)
		}
		var gen strings.Builder
		err = c.Generate(ctx, &api.GenerateRequest{Model: "mux", Prompt: "What is 85-73?", Stream: &stream}, func(r api.GenerateResponse) error {
			gen.WriteString(r.Response)
			return nil
		})
		if err != nil || !strings.Contains(gen.String(), "12") {
			t.Errorf("generate (stream %v): %q, %v", stream, gen.String(), err)
		}
	}
	list, err := c.List(ctx)
	if err != nil || len(list.Models) == 0 || list.Models[0].Name != "mux" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if _, err := c.Show(ctx, &api.ShowRequest{Model: "mux"}); err != nil {
		t.Errorf("show mux: %v", err)
	}
}

// The ollama CLI itself as a client: `ollama list` shows mux, and
// `ollama run mux "What is 85-73?"` prints 12.
func TestServeWithOllamaCLI(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d)
	bin, err := daemon.EnsureBinary(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) string {
		cmd := exec.CommandContext(t.Context(), bin, args...)
		cmd.Env = []string{"OLLAMA_HOST=" + base, "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ollama %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := cli("list"); !strings.Contains(out, "mux") {
		t.Errorf("ollama list:\n%s", out)
	}
	if out := cli("run", "mux", "What is 85-73?"); !strings.Contains(out, "12") {
		t.Errorf("ollama run mux:\n%s", out)
	}
}

func post(t testing.TB, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// OpenAI's API: chat completions, streamed (SSE ending with [DONE]) and
// not, with the slmmux object; models listed; errors in OpenAI's shape.
func TestServeOpenAIAPI(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d)
	code, body := post(t, base+"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":"What is 85-73?"}]}`)
	var out struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
		Slmmux struct {
			Answer  string `json:"answer"`
			Members []struct {
				Model string `json:"model"`
				K     int    `json:"k"`
			} `json:"members"`
		} `json:"slmmux"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.Choices) != 1 || !strings.Contains(out.Choices[0].Message.Content, "12") ||
		out.Slmmux.Answer != "12" || len(out.Slmmux.Members) != len(demoPool(t)) || out.Slmmux.Members[0].K != 3 || out.Usage.CompletionTokens == 0 {
		t.Fatalf("chat completion: %d %s", code, body)
	}
	code, body = post(t, base+"/v1/chat/completions", `{"model":"mux","stream":true,"messages":[{"role":"user","content":"What is 85-73?"}]}`)
	if code != 200 || !strings.Contains(body, `"content":"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") || !strings.Contains(body, `"slmmux"`) {
		t.Fatalf("stream: %d %s", code, body)
	}
	resp, err := http.Get(base + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"id":"mux"`) || !strings.Contains(string(b), "demo-") {
		t.Errorf("models: %s", b)
	}
	if code, body := post(t, base+"/v1/chat/completions", `{"model":"mux","messages":`); code != 400 || !strings.Contains(body, `"type":"invalid_request_error"`) {
		t.Errorf("malformed: %d %s", code, body)
	}
}

// Bad requests get a 4xx naming the problem, and the server keeps serving;
// a plain model passes through with the daemon's own answer.
func TestServeBadRequestsAndPassthrough(t *testing.T) {
	d := ollamatest.Shared(t)
	plain := d.TinyModel(t, "serve-plain", 81)
	base := startServe(t, d)
	for _, tc := range []struct {
		path, body string
		code       int
		want       string
	}{
		{"/api/chat", `{"model":"mux","messages":[`, 400, "malformed JSON"},
		{"/api/chat", `{"model":"mux","messages":"hi"}`, 400, `field \"messages\"`},
		{"/api/chat", `{"model":"mux","messages":[]}`, 400, "messages: empty"},
		{"/api/chat", `{"model":"mux","messages":[{"role":"user","content":"1+1?"}],"options":{"temperature":-1}}`, 400, "temperature"},
		{"/api/chat", `{"model":"mux","messages":[{"role":"wizard","content":"1+1?"}]}`, 400, "unknown role"},
		{"/api/generate", `{"model":"no-such-model","prompt":"hi"}`, 404, "not found"},
		{"/api/chat", `{"model":"mux","messages":[{"role":"user","content":"` + strings.Repeat("x", 2<<20) + `"}]}`, 413, "request body over"},
	} {
		if code, body := post(t, base+tc.path, tc.body); code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s %.60s: %d %s; want %d with %q", tc.path, tc.body, code, body, tc.code, tc.want)
		}
	}
	req := `{"model":"` + plain + `","prompt":"What is 2+3?","stream":false,"options":{"seed":7,"temperature":0.8,"num_predict":8}}`
	via, direct := genText(t, base, req), genText(t, d.Host, req)
	if via == "" || via != direct {
		t.Errorf("passthrough %q, daemon directly %q: want the same text", via, direct)
	}
	if code, _ := post(t, base+"/api/show", `{"model":"mux"}`); code != 200 {
		t.Errorf("still serving? show mux: %d", code)
	}
}

func genText(t testing.TB, base, body string) string {
	t.Helper()
	resp, err := http.Post(strings.TrimSuffix(base, "/")+"/api/generate", "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Response string }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Response
}

// With a daemon that holds one model at a time, concurrent requests share
// each load (the scheduler runs a loaded model's samples of every waiting
// request): a few loads per model, not one per request, and every request
// gets its answer.
func TestServeBatchesRequestsUnderMemoryPressure(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
	base := startServe(t, d, "--max-loaded", "1")
	before := runnerStarts(t, d.LogPath)
	const requests = 8
	errs := make(chan error, requests)
	for range requests {
		go func() {
			code, body := post(t, base+"/api/chat", `{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 85-73?"}]}`)
			if code != 200 || !strings.Contains(body, `"answer":"12"`) {
				errs <- fmt.Errorf("%d %s", code, body)
				return
			}
			errs <- nil
		}()
	}
	for range requests {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	loads := runnerStarts(t, d.LogPath) - before
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := len(cat.Pool())
	t.Logf("%d requests, %d models: %d loads", requests, n, loads)
	if loads > n*3 {
		t.Errorf("%d loads for %d requests: want at most %d models x 3 loads (one per request would be %d)", loads, requests, n, n*requests)
	}
}

// A config file names the ensembles; each is a model of its own. A bad
// file is refused at start, naming the key and its line.
func TestServeConfigFile(t *testing.T) {
	d := ollamatest.Shared(t)
	cfg := filepath.Join(t.TempDir(), "serve.yaml")
	os.WriteFile(cfg, []byte("ensembles:\n  mux:\n    samples: 2\n  arith:\n    models: [demo-addsub, demo-mix]\n    samples: 3\n    temperature: 0.2\n"), 0o644)
	base := startServe(t, d, "--config", cfg)
	resp, err := http.Get(base + "/api/tags")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"name":"mux"`) || !strings.Contains(string(b), `"name":"mux:arith"`) {
		t.Fatalf("tags: %s", b)
	}
	code, body := post(t, base+"/api/chat", `{"model":"mux:arith","stream":false,"messages":[{"role":"user","content":"What is 85-73?"}]}`)
	if code != 200 || !strings.Contains(body, `"answer":"12"`) || strings.Count(body, `"k":3`) != 2 {
		t.Fatalf("mux:arith: %d %s", code, body)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("ensembles:\n  mux:\n    sampels: 2\n"), 0o644)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "serve", "--listen", closedPort(t), "--config", bad)
	if r.code != exitUsage || !strings.Contains(r.stderr, "line 3: field sampels not found") {
		t.Fatalf("bad config: exit %d, %q", r.code, r.stderr)
	}
}

// /metrics speaks Prometheus' text format with the requests, samples and
// queue depth of what the server did.
func TestServeMetrics(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d)
	if code, _ := post(t, base+"/api/chat", `{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 85-73?"}]}`); code != 200 {
		t.Fatal(code)
	}
	post(t, base+"/api/chat", `{"model":"mux","messages":[`)
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(b)
	for _, want := range []string{
		`slmmux_requests_total{model="mux",route="/api/chat",status="200"} 1`,
		`slmmux_requests_total{model="",route="/api/chat",status="400"} 1`,
		`slmmux_samples_generated_total{model="demo-mul"} 3`,
		`slmmux_queue_depth 0`,
		`slmmux_request_duration_seconds_bucket{route="/api/chat"`,
		`slmmux_model_loads_total`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
