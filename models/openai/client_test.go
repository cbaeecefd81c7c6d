package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/openai"
)

var _ engine.Generator = (*openai.Client)(nil)

const secret = "sk-test-0123456789abcdef"

// fake is an OpenAI-compatible server that records each request and
// answers with handle.
type fake struct {
	mu     sync.Mutex
	bodies []map[string]any
	paths  []string
	auth   []string
}

func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body map[string]any)) (*fake, string) {
	t.Helper()
	f := &fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.paths = append(f.paths, r.URL.Path)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		handle(w, r, body)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL + "/v1"
}

func chatOK(w http.ResponseWriter, _ *http.Request, _ map[string]any) {
	io.WriteString(w, `{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2}}`)
}

func mustNew(t *testing.T, cfg openai.Config) *openai.Client {
	t.Helper()
	c, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// Every sampling option goes out explicitly, zeros included, with the key
// from the named variable; the answer maps to a models.Result.
func TestChatRequestSendsEveryOption(t *testing.T) {
	f, base := newFake(t, chatOK)
	c := mustNew(t, openai.Config{BaseURL: base, APIKeyEnv: "MY_KEY", Getenv: env("MY_KEY", secret)})
	res, err := c.Generate(t.Context(), models.Request{Model: "m", System: "be brief", Prompt: "6*7?",
		Options: models.Options{Temperature: models.Float(0), TopP: models.Float(0.9), Seed: models.Int(0), NumPredict: 12, Stop: []string{"\n"},
			TopK: 40, RepeatPenalty: models.Float(1.1), NumCtx: 2048, NumThread: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "42" || res.DoneReason != "stop" || res.PromptTokens != 7 || res.OutputTokens != 2 || res.Model != "m" || res.Logprobs != nil {
		t.Fatalf("result %+v", res)
	}
	if f.paths[0] != "/v1/chat/completions" || f.auth[0] != "Bearer "+secret {
		t.Fatalf("path %s, auth %q", f.paths[0], f.auth[0])
	}
	want := map[string]any{"model": "m", "stream": false, "temperature": 0.0, "top_p": 0.9, "frequency_penalty": 0.0,
		"presence_penalty": 0.0, "n": 1.0, "seed": 0.0, "max_tokens": 12.0}
	body := f.bodies[0]
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %v (%T), want %v", k, body[k], body[k], v)
		}
	}
	if s, _ := json.Marshal(body["stop"]); string(s) != `["\n"]` {
		t.Errorf("stop %s", s)
	}
	if s, _ := json.Marshal(body["messages"]); string(s) != `[{"content":"be brief","role":"system"},{"content":"6*7?","role":"user"}]` {
		t.Errorf("messages %s", s)
	}
	for _, k := range []string{"top_k", "repeat_penalty", "num_ctx", "num_thread", "logprobs", "options"} {
		if _, ok := body[k]; ok {
			t.Errorf("%s was sent: the OpenAI API has no such field", k)
		}
	}
}

// Unset options get the API's defaults, sent explicitly; no key sends no
// Authorization header.
func TestUnsetOptionsAreSentAsTheAPIDefaults(t *testing.T) {
	f, base := newFake(t, chatOK)
	c := mustNew(t, openai.Config{BaseURL: base, APIKeyEnv: "UNSET_KEY", Getenv: env()})
	if _, err := c.Generate(t.Context(), models.Request{Model: "m", Prompt: "q"}); err != nil {
		t.Fatal(err)
	}
	body := f.bodies[0]
	if body["temperature"] != 1.0 || body["top_p"] != openai.DefaultTopP || body["n"] != 1.0 {
		t.Errorf("defaults sent: %v", body)
	}
	for _, k := range []string{"seed", "max_tokens", "stop"} {
		if _, ok := body[k]; ok {
			t.Errorf("%s sent though unset", k)
		}
	}
	if f.auth[0] != "" {
		t.Errorf("Authorization %q without a key", f.auth[0])
	}
}

func TestCompletionsEndpoint(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ map[string]any) {
		io.WriteString(w, `{"choices":[{"text":" 42","finish_reason":"length","logprobs":{"tokens":[" 4","2"],"token_logprobs":[-0.5,-0.25]}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}`)
	})
	c := mustNew(t, openai.Config{BaseURL: base, Endpoint: openai.Completions})
	res, err := c.Generate(t.Context(), models.Request{Model: "m", System: "S", Prompt: "P", Logprobs: true,
		Options: models.Options{Temperature: models.Float(0.3), Seed: models.Int(5)}})
	if err != nil {
		t.Fatal(err)
	}
	if f.paths[0] != "/v1/completions" || f.bodies[0]["prompt"] != "S\n\nP" || f.bodies[0]["logprobs"] != 1.0 || f.bodies[0]["messages"] != nil {
		t.Fatalf("request %s %v", f.paths[0], f.bodies[0])
	}
	if res.Text != " 42" || res.DoneReason != "length" || len(res.Logprobs) != 2 || res.Logprobs[1] != (models.TokenLogprob{Token: "2", Logprob: -0.25}) {
		t.Fatalf("result %+v", res)
	}
}

func TestChatLogprobs(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ map[string]any) {
		io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":"12"},"finish_reason":"stop","logprobs":{"content":[{"token":"1","logprob":-0.1,"top_logprobs":[]},{"token":"2","logprob":-0.2}]}}]}`)
	})
	c := mustNew(t, openai.Config{BaseURL: base})
	res, err := c.Generate(t.Context(), models.Request{Model: "m", Prompt: "q", Logprobs: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.bodies[0]["logprobs"] != true || f.bodies[0]["top_logprobs"] != 0.0 {
		t.Errorf("request %v", f.bodies[0])
	}
	want := []models.TokenLogprob{{Token: "1", Logprob: -0.1}, {Token: "2", Logprob: -0.2}}
	if len(res.Logprobs) != 2 || res.Logprobs[0] != want[0] || res.Logprobs[1] != want[1] {
		t.Fatalf("logprobs %+v", res.Logprobs)
	}
	// Not asked for: none, even when the server sends them.
	res, _ = c.Generate(t.Context(), models.Request{Model: "m", Prompt: "q"})
	if res.Logprobs != nil {
		t.Fatalf("logprobs %+v not asked for", res.Logprobs)
	}
}

func TestErrorsMapToSentinels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		code   int
		body   string
		is     error
		isNot  error
		inMsg  []string
		config func(*openai.Config)
	}{
		{"unknown model (ollama)", 404, `{"error":{"message":"model \"nope\" not found, try pulling it first","type":"not_found_error"}}`,
			models.ErrModelNotInstalled, nil, []string{`"nope"`, "/v1/models"}, nil},
		{"unknown model (vllm)", 404, `{"object":"error","message":"The model ` + "`nope`" + ` does not exist.","type":"NotFoundError","code":404}`,
			models.ErrModelNotInstalled, nil, []string{"/v1/models"}, nil},
		{"unknown model 400", 400, `{"error":{"message":"model 'nope' not found"}}`, models.ErrModelNotInstalled, nil, nil, nil},
		{"missing route", 404, `404 page not found`, nil, models.ErrModelNotInstalled, []string{"/chat/completions", "/v1"}, nil},
		{"rate limited", 429, `{"error":{"message":"slow down"}}`, models.ErrBusy, models.ErrUnavailable, []string{"rate-limiting", "fewer requests"}, nil},
		{"gateway", 502, `bad gateway`, models.ErrUnavailable, nil, nil, nil},
		{"ollama queue full", 503, `{"error":{"message":"server busy, please try again.  maximum pending requests exceeded"}}`, models.ErrUnavailable, nil, nil, nil},
		{"out of memory", 500, `{"error":{"message":"model requires more system memory (8 GiB) than is available"}}`, models.ErrOutOfMemory, nil, nil, nil},
		{"other 500", 500, `{"error":"boom"}`, nil, models.ErrUnavailable, []string{"HTTP 500", "boom"}, nil},
		{"bad key", 401, `{"error":{"message":"Incorrect API key provided: ` + secret + `"}}`, nil, nil, []string{"$MY_KEY", "HTTP 401", "[redacted]"}, nil},
		{"forbidden", 403, `{"error":{"message":"forbidden"}}`, nil, nil, []string{"$MY_KEY"}, nil},
		{"no key", 401, `{"error":{"message":"missing key"}}`, nil, nil, []string{"$MY_KEY is unset"}, func(c *openai.Config) { c.Getenv = env() }},
		{"malformed", 200, `{"choices": [`, nil, models.ErrUnavailable, []string{"malformed"}, nil},
		{"no choices", 200, `{"choices": []}`, nil, nil, []string{"no choices"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			_, base := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ map[string]any) {
				calls.Add(1)
				w.WriteHeader(tc.code)
				io.WriteString(w, tc.body)
			})
			cfg := openai.Config{BaseURL: base, APIKeyEnv: "MY_KEY", Getenv: env("MY_KEY", secret), BusyRetries: 2, Backoff: time.Millisecond}
			if tc.config != nil {
				tc.config(&cfg)
			}
			_, err := mustNew(t, cfg).Generate(t.Context(), models.Request{Model: "nope", Prompt: "q"})
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v: not %v", err, tc.is)
			}
			if tc.isNot != nil && errors.Is(err, tc.isNot) {
				t.Errorf("%v: is %v", err, tc.isNot)
			}
			for _, s := range tc.inMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not name %q", err, s)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the key is in the error: %q", err)
			}
			wantCalls := int32(1)
			if tc.code == 429 || tc.code == 503 {
				wantCalls = 3 // retried BusyRetries times
			}
			if calls.Load() != wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), wantCalls)
			}
		})
	}
}

// A 429 with Retry-After is retried and then succeeds.
func TestRateLimitIsRetried(t *testing.T) {
	var calls atomic.Int32
	_, base := newFake(t, func(w http.ResponseWriter, r *http.Request, b map[string]any) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		chatOK(w, r, b)
	})
	res, err := mustNew(t, openai.Config{BaseURL: base, Backoff: time.Millisecond}).Generate(t.Context(), models.Request{Model: "m", Prompt: "q"})
	if err != nil || res.Text != "42" || calls.Load() != 2 {
		t.Fatalf("%+v, %v after %d calls", res, err, calls.Load())
	}
}

func TestUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := mustNew(t, openai.Config{BaseURL: "http://" + addr + "/v1", APIKey: secret})
	_, err = c.Generate(t.Context(), models.Request{Model: "m", Prompt: "q"})
	if !errors.Is(err, models.ErrUnavailable) || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), secret) {
		t.Fatalf("%v: want ErrUnavailable naming %s, without the key", err, addr)
	}
	if _, err := c.Models(t.Context()); !errors.Is(err, models.ErrUnavailable) {
		t.Fatalf("models: %v", err)
	}
}

// At most MaxConcurrency requests are in flight across all models; a
// request waiting for a slot ends with its context.
func TestConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	_, base := newFake(t, func(w http.ResponseWriter, r *http.Request, b map[string]any) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
		chatOK(w, r, b)
	})
	c := mustNew(t, openai.Config{BaseURL: base, MaxConcurrency: 2})
	if c.MaxConcurrency() != 2 {
		t.Fatalf("MaxConcurrency %d", c.MaxConcurrency())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			_, err := c.Generate(t.Context(), models.Request{Model: []string{"a", "b", "c"}[i%3], Prompt: "q"})
			errs <- err
		})
	}
	for inFlight.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Generate(ctx, models.Request{Model: "d", Prompt: "q"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a request past the limit: %v, want its deadline", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if peak.Load() != 2 {
		t.Fatalf("peak %d requests in flight, want 2", peak.Load())
	}
}

func TestModels(t *testing.T) {
	f, base := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ map[string]any) {
		io.WriteString(w, `{"object":"list","data":[{"id":"b","object":"model"},{"id":"a","object":"model"},{"id":"b"}]}`)
	})
	c := mustNew(t, openai.Config{BaseURL: base, APIKey: secret})
	ms, err := c.Models(t.Context())
	if err != nil || strings.Join(ms, ",") != "a,b" {
		t.Fatalf("%v, %v", ms, err)
	}
	if f.paths[0] != "/v1/models" || f.auth[0] != "Bearer "+secret {
		t.Fatalf("%s %q", f.paths[0], f.auth[0])
	}
	info, err := c.Installed(t.Context())
	if err != nil || len(info) != 2 || info[0].Name != "a" {
		t.Fatalf("%+v, %v", info, err)
	}
}

func TestParseBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8000/v1":  "http://127.0.0.1:8000/v1",
		"http://127.0.0.1:8000/v1/": "http://127.0.0.1:8000/v1",
		"http://127.0.0.1:8000":     "http://127.0.0.1:8000/v1",
		"https://api.example.com/":  "https://api.example.com/v1",
		" http://h/openai/v1 ":      "http://h/openai/v1",
	} {
		u, err := openai.ParseBaseURL(in)
		if err != nil || u.String() != want {
			t.Errorf("%q: %v, %v; want %s", in, u, err, want)
		}
	}
	for _, in := range []string{"", "127.0.0.1:8000", "ftp://h/v1", "http:///v1", "http://user:" + secret + "@h/v1", "http://h/v1?x=1", "http://h/v1#f", "http://%zz"} {
		_, err := openai.ParseBaseURL(in)
		if err == nil {
			t.Errorf("%q accepted", in)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("%q: the key is in %q", in, err)
		}
	}
	if _, err := openai.New(openai.Config{BaseURL: "http://h/v1", MaxConcurrency: -1}); err == nil {
		t.Error("negative concurrency accepted")
	}
	if _, err := openai.New(openai.Config{BaseURL: "http://h/v1", Endpoint: "embeddings"}); err == nil {
		t.Error("unknown endpoint accepted")
	}
}
