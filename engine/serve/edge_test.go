package serve_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/models"
)

// edgeServer serves ensemble "mux" with cfg's edge settings in front of a
// stub daemon that, like Ollama on loopback, answers 403 to a Host not its
// own and adds its own CORS header for any Origin.
func edgeServer(t *testing.T, cfg serve.Config, delay time.Duration) string {
	t.Helper()
	var up *httptest.Server
	up = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != strings.TrimPrefix(up.URL, "http://") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
		}
		fmt.Fprint(w, `{"models":[]}`)
	}))
	t.Cleanup(up.Close)
	fake := &enginetest.FakeGenerator{Delay: delay, GenerateFn: func(context.Context, models.Request) (models.Result, error) {
		return models.Result{Text: "The answer is 12."}, nil
	}}
	cfg.Upstream, _ = url.Parse(up.URL)
	cfg.Scheduler = scheduler(t, fake, []string{"a", "b"}, false)
	cfg.Ensembles = []serve.Ensemble{{Name: "mux", Models: []string{"a", "b"}, Sampling: engine.Sampling{Samples: 1}}}
	srv, err := serve.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run(t.Context())
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

func send(t *testing.T, method, url, host, ctype, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if host != "" {
		req.Host = host
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

const muxChat = `{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 5+7?"}]}`

// The edge rules: Host names on a loopback listener, JSON for the
// server's own answers, one CORS header on passthrough replies, model
// management refused; passthrough carries the upstream's Host.
func TestEdgeRules(t *testing.T) {
	base := edgeServer(t, serve.Config{CheckHost: true, AllowHosts: []string{"myhost.example"}, HostHint: "HINT",
		AllowOrigin: "http://app.example", NoModelAdmin: true}, 0)
	port := base[strings.LastIndex(base, ":"):]
	for _, tc := range []struct {
		name, method, path, host, ctype, body string
		code                                  int
		want                                  string
	}{
		{"IP literal", "GET", "/api/version", "", "", "", 200, "models"},
		{"localhost", "GET", "/api/version", "localhost" + port, "", "", 200, "models"},
		{"allowed name, passthrough with the upstream's Host", "GET", "/api/version", "MyHost.example." + port, "", "", 200, "models"},
		{"IPv6 literal", "GET", "/health", "[::1]" + port, "", "", 200, "ok"},
		{"rebinding name", "GET", "/api/tags", "evil.example" + port, "", "", 403, "HINT"},
		{"rebinding name, ensemble", "POST", "/api/chat", "evil.example", "application/json", muxChat, 403, "not served"},
		{"ensemble, JSON", "POST", "/api/chat", "", "application/json; charset=utf-8", muxChat, 200, "12"},
		{"ensemble, text/plain", "POST", "/api/chat", "", "text/plain", muxChat, 415, "application/json"},
		{"ensemble, form", "POST", "/v1/chat/completions", "", "application/x-www-form-urlencoded", muxChat, 415, "application/json"},
		{"show ensemble, no type", "POST", "/api/show", "", "", `{"model":"mux"}`, 415, "application/json"},
		{"passthrough, text/plain: the daemon judges", "POST", "/api/generate", "", "text/plain", `{"model":"plain","prompt":"hi"}`, 200, "models"},
		{"pull", "POST", "/api/pull", "", "application/json", `{"model":"x"}`, 403, "model management"},
		{"delete", "DELETE", "/api/delete", "", "application/json", `{"model":"x"}`, 403, "model management"},
		{"blob", "HEAD", "/api/blobs/sha256:00", "", "", "", 403, ""},
		{"blob, unclean path", "POST", "/API/blobs/sha256:00", "", "", "", 403, "model management"},
	} {
		code, _, body := send(t, tc.method, base+tc.path, tc.host, tc.ctype, tc.body)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, code, body, tc.code, tc.want)
		}
	}
	_, h, _ := send(t, "GET", base+"/api/version", "", "", "", "Origin", "http://app.example")
	if got := h.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != "http://app.example" {
		t.Errorf("passthrough Access-Control-Allow-Origin %q, want the one of --allow-origin", got)
	}
}

// Without CheckHost (a listener beyond loopback, behind a key) any Host
// is answered, and passthrough still carries the upstream's.
func TestEdgeAnyHostOffLoopback(t *testing.T) {
	base := edgeServer(t, serve.Config{}, 0)
	if code, _, body := send(t, "GET", base+"/api/version", "gpu2.example:11435", "", ""); code != 200 {
		t.Errorf("passthrough by name: %d %s", code, body)
	}
}

// A body sent one byte at a time past BodyTimeout gets 408 and its
// connection closed; the deadline does not outlive a body that arrived.
func TestBodyTimeout(t *testing.T) {
	base := edgeServer(t, serve.Config{BodyTimeout: 300 * time.Millisecond}, time.Second)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	c.SetReadDeadline(time.Now().Add(time.Minute))
	b, err := io.ReadAll(c)
	if !strings.Contains(string(b), "408") {
		t.Errorf("slow body: %q, %v; want 408 and the connection closed", b, err)
	}
	// An ensemble that takes longer than the body's deadline, answered after
	// its body: not cut by it.
	if code, _, body := send(t, "POST", base+"/api/chat", "", "application/json", muxChat); code != 200 {
		t.Errorf("ensemble after the body: %d %s", code, body)
	}
}
