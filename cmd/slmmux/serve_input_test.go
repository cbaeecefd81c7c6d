package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// exchange sends one request and returns its status and body.
func exchange(t testing.TB, method, url string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Requests for a plain model pass through as the daemon takes them: a
// 1.6 MB base64 image (generate and chat), OpenAI content parts, and a
// 2 MiB blob upload get what the daemon directly gives.
func TestServePassthroughTransparent(t *testing.T) {
	d := ollamatest.Shared(t)
	plain := d.TinyModel(t, "serve-plain", 81)
	base := startServe(t, d)
	image := strings.Repeat("iVBO", 400_000) // 1.6 MB of base64
	opts := `"stream":false,"options":{"seed":7,"temperature":0,"num_predict":8}`
	for _, tc := range []struct{ path, body string }{
		{"/api/generate", `{"model":"` + plain + `","prompt":"What is 2+3?",` + opts + `,"images":["` + image + `"]}`},
		{"/api/chat", `{"model":"` + plain + `",` + opts + `,"messages":[{"role":"user","content":"What is 2+3?","images":["` + image + `"]}]}`},
		{"/v1/chat/completions", `{"model":"` + plain + `","seed":7,"temperature":0,"max_tokens":8,"messages":[{"role":"user","content":[{"type":"text","text":"What is 2+3?"}]}]}`},
	} {
		vc, vb := exchange(t, http.MethodPost, base+tc.path, []byte(tc.body))
		dc, db := exchange(t, http.MethodPost, d.Host+tc.path, []byte(tc.body))
		if vc != dc || vc == http.StatusRequestEntityTooLarge || answerOf(vb) != answerOf(db) {
			t.Errorf("%s: through serve %d %.300s; daemon directly %d %.300s", tc.path, vc, vb, dc, db)
		}
	}
	for _, via := range []string{base, d.Host} {
		blob := make([]byte, 2<<20)
		rand.Read(blob)
		path := fmt.Sprintf("/api/blobs/sha256:%x", sha256.Sum256(blob))
		code, body := exchange(t, http.MethodPost, via+path, blob)
		hc, _ := exchange(t, http.MethodHead, via+path, nil)
		if code != http.StatusCreated || hc != http.StatusOK {
			t.Errorf("blob of 2 MiB via %s: POST %d %q, HEAD %d; want 201 and 200 (as the daemon directly)", via, code, body, hc)
		}
	}
}

// answerOf is a response without its timings: the generated text, or the
// body of an error.
func answerOf(body string) string {
	for _, key := range []string{`"response":"`, `"content":"`} {
		if _, rest, ok := strings.Cut(body, key); ok {
			text, _, _ := strings.Cut(rest, `"`)
			return text
		}
	}
	return body
}

// `ollama create` through serve (blob upload, then create) makes the model,
// as it does against the daemon directly.
func TestServeOllamaCreate(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d)
	bin, err := daemon.EnsureBinary(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Weights of about 2.6 MB: over the 1 MiB an ensemble's request may be.
	weights := ollamatest.WriteRandomModel(t, dir, 25, gguf.Size{EmbeddingLength: 128, FeedForwardLength: 256, BlockCount: 4})
	if st, err := os.Stat(weights); err != nil || st.Size() < 2<<20 {
		t.Fatalf("weights: %v, %v; want over 2 MiB", st, err)
	}
	modelfile := filepath.Join(dir, "Modelfile")
	if err := os.WriteFile(modelfile, []byte("FROM "+weights+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, host := range map[string]string{"serve-created-via": base, "serve-created-direct": d.Host} {
		cmd := exec.CommandContext(t.Context(), bin, "create", name, "-f", modelfile)
		cmd.Env = []string{"OLLAMA_HOST=" + host, "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ollama create %s via %s: %v\n%s", name, host, err, out)
		}
		if code, body := exchange(t, http.MethodPost, d.Host+"/api/show", []byte(`{"model":"`+name+`"}`)); code != 200 {
			t.Errorf("%s: the daemon shows %d %.200s", name, code, body)
		}
	}
}

// A drain that reaches its bound answers the requests still waiting 503
// with Retry-After, and says how many, instead of cutting them off.
func TestServeDrainBoundAnswers503(t *testing.T) {
	d := ollamatest.Shared(t)
	ms := demoModels(t, d)
	saved := drainTimeout
	drainTimeout = time.Second
	t.Cleanup(func() { drainTimeout = saved })
	addr := closedPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		done <- run(ctx, map[string]string{"OLLAMA_HOST": d.Host}, "serve", "--listen", addr, "--models", strings.Join(ms[:1], ","), "--samples", "1")
	}()
	base := "http://" + addr
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/health"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
	}
	// The daemon stops answering, so the request waits past the drain.
	if err := syscall.Kill(d.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	cont := func() { _ = syscall.Kill(d.PID(), syscall.SIGCONT) }
	t.Cleanup(cont)
	type answer struct {
		code  int
		retry string
		err   error
	}
	answers := make(chan answer, 1)
	go func() {
		resp, err := http.Post(base+"/api/chat", "application/json", strings.NewReader(`{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 85-73? (drain)"}]}`))
		if err != nil {
			answers <- answer{err: err}
			return
		}
		resp.Body.Close()
		answers <- answer{code: resp.StatusCode, retry: resp.Header.Get("Retry-After")}
	}()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		_, m := exchange(t, http.MethodGet, base+"/metrics", nil)
		if strings.Contains(m, "slmmux_queue_depth 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never waited")
		}
	}
	cancel()
	a := <-answers
	r := <-done
	cont()
	if a.code != http.StatusServiceUnavailable || a.retry == "" {
		t.Errorf("waiting request at the drain's bound: %+v; want 503 with Retry-After", a)
	}
	if r.code != 0 || !strings.Contains(r.stderr, "1 waiting requests answered 503 with Retry-After") {
		t.Errorf("serve exited %d: %s", r.code, r.stderr)
	}
}
