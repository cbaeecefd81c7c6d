package ollama_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

var (
	_ engine.Generator = (*ollama.Client)(nil)
	_ engine.Unloader  = (*ollama.Client)(nil)
	_ engine.Preloader = (*ollama.Client)(nil)
)

func TestMain(m *testing.M) { ollamatest.Main(m) }

func greedy(model, prompt string, seed int) models.Request {
	return models.Request{Model: model, Prompt: prompt, Options: models.Options{
		Temperature: models.Float(0.8), Seed: models.Int(seed), NumPredict: 12, NumThread: 1,
	}}
}

// The real daemon: create tiny models, generate with a fixed seed (same
// seed, same text), list them, see them in /api/ps, unload them.
func TestDaemonLifecycle(t *testing.T) {
	d := ollamatest.Shared(t)
	ctx := t.Context()
	a := d.TinyModel(t, "tiny-a", 1)
	b := d.TinyModel(t, "tiny-b", 2)

	r1, err := d.Client.Generate(ctx, greedy(a, "What is 2+2?", 7))
	if err != nil {
		t.Fatalf("generate: %v\n%s", err, d.Log())
	}
	r2, err := d.Client.Generate(ctx, greedy(a, "What is 2+2?", 7))
	if err != nil {
		t.Fatal(err)
	}
	if r1.Text == "" || r1.Text != r2.Text {
		t.Fatalf("same seed gave %q then %q", r1.Text, r2.Text)
	}
	if r1.OutputTokens == 0 || r1.PromptTokens == 0 || r1.Total == 0 {
		t.Fatalf("missing counts or durations: %+v", r1)
	}
	other, _ := d.Client.Generate(ctx, greedy(b, "What is 2+2?", 7))
	if other.Text == r1.Text {
		t.Logf("note: two random models gave the same text %q", other.Text)
	}

	list, err := d.Client.Installed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]models.Info{}
	for _, m := range list {
		names[strings.TrimSuffix(m.Name, ":latest")] = m
	}
	if _, ok := names[a]; !ok || names[a].Family != "llama" || names[a].Digest == "" {
		t.Fatalf("installed list lacks %s: %+v", a, list)
	}
	info, err := d.Client.Show(ctx, a)
	if err != nil || info.Arch.Layers != 2 || info.Arch.Embedding == 0 || info.Quantization == "" {
		t.Fatalf("show: %+v %v", info, err)
	}

	running := runningNames(t, d.Client)
	if !running[a] || !running[b] {
		t.Fatalf("/api/ps should list both models, got %v", running)
	}
	for _, m := range []string{a, b} {
		if err := d.Client.Unload(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(runningNames(t, d.Client)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if r := runningNames(t, d.Client); len(r) > 0 {
		t.Fatalf("still loaded after unload: %v", r)
	}
}

func runningNames(t *testing.T, c *ollama.Client) map[string]bool {
	t.Helper()
	run, err := c.Running(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range run {
		out[strings.TrimSuffix(r.Name, ":latest")] = true
	}
	return out
}

func TestUnknownModelOnRealDaemon(t *testing.T) {
	d := ollamatest.Shared(t)
	_, err := d.Client.Generate(t.Context(), greedy("no-such-model", "hi", 1))
	if !errors.Is(err, models.ErrModelNotInstalled) {
		t.Fatalf("got %v, want ErrModelNotInstalled", err)
	}
	if !strings.Contains(err.Error(), "ollama pull no-such-model") || !strings.Contains(err.Error(), "local GGUF") {
		t.Fatalf("message does not say what to do: %v", err)
	}
	if _, err := d.Client.Show(t.Context(), "no-such-model"); !errors.Is(err, models.ErrModelNotInstalled) {
		t.Fatalf("show: %v", err)
	}
}

func TestImportIsIdempotent(t *testing.T) {
	d := ollamatest.Shared(t)
	path := ollamatest.WriteRandomModel(t, t.TempDir(), 99, ollamatestSize())
	r1, err := d.Client.Import(t.Context(), "imported", path, ollamatest.RawTemplate)
	if err != nil || !r1.Uploaded {
		t.Fatalf("first import: %+v %v", r1, err)
	}
	r2, err := d.Client.Import(t.Context(), "imported-again", path, ollamatest.RawTemplate)
	if err != nil || r2.Uploaded || r2.Digest != r1.Digest {
		t.Fatalf("second import of the same file uploaded again: %+v %v", r2, err)
	}
	if _, err := d.Client.Generate(t.Context(), greedy("imported-again", "x", 1)); err != nil {
		t.Fatal(err)
	}
}

// A real stopped port: the daemon is down.
func TestDaemonDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, _ := ollama.New(ollama.Config{Host: addr})
	_, err = c.Generate(t.Context(), greedy("x", "hi", 1))
	if !errors.Is(err, models.ErrUnavailable) || !strings.Contains(err.Error(), "OLLAMA_HOST") {
		t.Fatalf("got %v", err)
	}
	if _, err := c.Installed(t.Context()); !errors.Is(err, models.ErrUnavailable) {
		t.Fatalf("installed: %v", err)
	}
}

// Error paths the real daemon cannot be made to produce on demand.
func TestBusyIsRetriedThenReported(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"server busy, please try again.  maximum pending requests exceeded"}`))
			return
		}
		w.Write([]byte(`{"model":"m","response":"4","done":true,"eval_count":1}` + "\n"))
	}))
	defer srv.Close()
	c, _ := ollama.New(ollama.Config{Host: srv.URL, Backoff: time.Millisecond, BusyRetries: 5})
	res, err := c.Generate(t.Context(), greedy("m", "2+2", 1))
	if err != nil || res.Text != "4" || calls.Load() != 3 {
		t.Fatalf("got %+v %v after %d calls", res, err, calls.Load())
	}
	calls.Store(-100)
	c2, _ := ollama.New(ollama.Config{Host: srv.URL, Backoff: time.Millisecond, BusyRetries: 2})
	if _, err := c2.Generate(t.Context(), greedy("m", "2+2", 1)); !errors.Is(err, models.ErrBusy) {
		t.Fatalf("got %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c2.Generate(ctx, greedy("m", "2+2", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestMidStreamErrorAndBadBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "generate") {
			w.Write([]byte(`{"error":"model runner has unexpectedly stopped"}` + "\n"))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<html>oops</html>"))
	}))
	defer srv.Close()
	c, _ := ollama.New(ollama.Config{Host: srv.URL})
	if _, err := c.Generate(t.Context(), greedy("m", "x", 1)); err == nil || !strings.Contains(err.Error(), "unexpectedly stopped") {
		t.Fatalf("mid-stream error: %v", err)
	}
	if _, err := c.Installed(t.Context()); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("html error page: %v", err)
	}
}

func TestParseHost(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "http://127.0.0.1:11434",
		"0.0.0.0":            "http://127.0.0.1:11434",
		":9999":              "http://127.0.0.1:9999",
		"example.com:1":      "http://example.com:1",
		"https://x.org":      "https://x.org:443",
		"http://[::1]:11434": "http://[::1]:11434",
	} {
		u, err := ollama.ParseHost(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseHost(%q) = %v %v, want %s", in, u, err, want)
		}
	}
	if _, err := ollama.ParseHost("ftp://x"); err == nil {
		t.Error("ftp accepted")
	}
}

func TestMain_noStrayFiles(t *testing.T) {
	if home, _ := os.UserHomeDir(); home != "" {
		if _, err := os.Stat(filepath.Join(home, ".ollama", "models", "manifests", "registry.ollama.ai", "library", "tiny-a")); err == nil {
			t.Fatal("test models leaked into ~/.ollama")
		}
	}
}

func ollamatestSize() gguf.Size { return gguf.Size{} }

// A server that is not Ollama answers 404 on /api/tags: that is not a
// missing model (it used to read `model "" is not installed`).
func TestNotAnOllamaServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c, err := ollama.New(ollama.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Installed(t.Context())
	if err == nil || errors.Is(err, models.ErrModelNotInstalled) || !strings.Contains(err.Error(), "does not speak Ollama's API") {
		t.Fatalf("err %v", err)
	}
}

// The test daemon reports the version it was built as (stamped, so not the
// unknown 0.0.0), and the feature checks follow it: logprobs on v0.24.0,
// not on the compatibility job's v0.6.5.
func TestDaemonReportsItsVersion(t *testing.T) {
	d := ollamatest.Shared(t)
	want, err := daemon.Selected()
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.Client.Supports(t.Context(), ollama.FeatureLogprobs)
	if err != nil {
		t.Fatal(err)
	}
	if "v"+s.Version != want || !s.Known {
		t.Fatalf("daemon reports %q (known %v), built as %s", s.Version, s.Known, want)
	}
	if has, _ := ollama.VersionAtLeast(want, "0.12.11"); s.Has != has {
		t.Fatalf("logprobs support %v on %s", s.Has, want)
	}
}

// A daemon that accepts connections but never answers (stopped, hung) is
// unreachable after CallTimeout for every metadata call, not a hang.
func TestMetadataCallsAreBounded(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := ollama.New(ollama.Config{Host: srv.URL, CallTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"version":   func() error { _, err := c.Version(t.Context()); return err },
		"installed": func() error { _, err := c.Installed(t.Context()); return err },
		"running":   func() error { _, err := c.Running(t.Context()); return err },
		"show":      func() error { _, err := c.Show(t.Context(), "m"); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, models.ErrUnavailable) || !strings.Contains(err.Error(), "no answer within 50ms") {
			t.Errorf("%s: %v, want unreachable after the call timeout", name, err)
		}
	}
	// The caller's own cancellation stays a cancellation.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Installed(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// A metadata call whose connection breaks mid-answer once is sent again.
func TestMetadataCallRetriesABrokenConnection(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(`{"models":[`)) // then the connection ends: unexpected EOF
			return
		}
		w.Write([]byte(`{"models":[{"name":"a:latest","model":"a:latest","size":1}]}`))
	}))
	defer srv.Close()
	c, err := ollama.New(ollama.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Installed(t.Context())
	if err != nil || len(got) != 1 || n.Load() != 2 {
		t.Fatalf("installed %v, %v after %d requests; want the second answer", got, err, n.Load())
	}
}
