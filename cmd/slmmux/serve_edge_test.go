package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// loopbackClient reaches every name at addr (a loopback address): what a
// client sees when a name resolves to this machine.
func loopbackClient(addr string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
}

// A client that reaches serve by a name (here myhost.example, resolved to
// loopback, allowed with --allow-host) gets the daemon's answers for a
// plain model through Ollama's own Go client: the daemon, which refuses a
// foreign Host, sees its own. A name not allowed (a page whose name
// rebinds to 127.0.0.1) gets 403 naming --allow-host; localhost is always
// answered.
func TestServeReachedByName(t *testing.T) {
	d := ollamatest.Shared(t)
	plain := d.TinyModel(t, "serve-plain", 81)
	base := startServe(t, d, "--allow-host", "myhost.example")
	addr := strings.TrimPrefix(base, "http://")
	_, port, _ := net.SplitHostPort(addr)
	req := `{"model":"` + plain + `","prompt":"What is 2+3?","stream":false,"options":{"seed":7,"temperature":0.8,"num_predict":8}}`
	direct := genText(t, d.Host, req)
	for _, name := range []string{"myhost.example", "localhost"} {
		u, _ := url.Parse("http://" + net.JoinHostPort(name, port))
		c := api.NewClient(u, loopbackClient(addr))
		stream := false
		var got string
		err := c.Generate(t.Context(), &api.GenerateRequest{Model: plain, Prompt: "What is 2+3?", Stream: &stream,
			Options: map[string]any{"seed": 7, "temperature": 0.8, "num_predict": 8}}, func(r api.GenerateResponse) error {
			got += r.Response
			return nil
		})
		if err != nil || got == "" || got != direct {
			t.Errorf("generate %s by %s: %q, %v; the daemon directly: %q", plain, name, got, err, direct)
		}
		list, err := c.List(t.Context())
		if err != nil || len(list.Models) < 2 || list.Models[0].Name != "mux" {
			t.Errorf("list by %s: %+v, %v", name, list, err)
		}
		if v, err := c.Version(t.Context()); err != nil || v == "" { // a passthrough GET
			t.Errorf("version by %s: %q, %v", name, v, err)
		}
	}
	for _, path := range []string{"/api/tags", "/api/version", "/metrics", "/api/slmmux/probe"} {
		r, _ := http.NewRequest("GET", base+path, nil)
		r.Host = "rebound.example:" + port
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(b), "--allow-host NAME") {
			t.Errorf("GET %s as rebound.example: %d %s; want 403 naming --allow-host", path, resp.StatusCode, b)
		}
	}
}

// Slow bodies (one byte a second) and idle keep-alive connections are
// closed by the server (--body-timeout, --idle-timeout) while another
// client is served. The bound on each wait is generous (a minute); what is
// asserted is that the server closed the connection, not when.
func TestServeReclaimsSlowAndIdleConnections(t *testing.T) {
	d := ollamatest.Shared(t)
	base := startServe(t, d, "--body-timeout", "2s", "--idle-timeout", "1s")
	addr := strings.TrimPrefix(base, "http://")
	const n = 4
	closed := make(chan error, 2*n)
	for i := range 2 * n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetReadDeadline(time.Now().Add(time.Minute))
		br := bufio.NewReader(c)
		if i < n { // a body that never finishes: one byte a second
			fmt.Fprintf(c, "POST /api/chat HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", addr)
			done := make(chan struct{})
			go func() {
				for range 60 {
					select {
					case <-done:
						return
					case <-time.After(time.Second):
					}
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
				}
			}()
			go func() { _, err := io.Copy(io.Discard, br); close(done); closed <- err }()
			continue
		}
		// An idle keep-alive connection after one request.
		fmt.Fprintf(c, "GET /health HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		go func() { _, err := io.Copy(io.Discard, br); closed <- err }()
	}
	if resp, err := http.Get(base + "/health"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("health while the connections are open: %v", err)
	} else {
		resp.Body.Close()
	}
	for range 2 * n {
		err := <-closed
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("a connection still open after a minute: %v", err)
		}
	}
	if code, body := post(t, base+"/api/show", `{"model":"mux"}`); code != 200 {
		t.Errorf("still serving? %d %s", code, body)
	}
}

// With --no-model-admin the ollama CLI cannot delete, copy or pull a model
// through serve (403 saying so), and the model stays on the daemon.
func TestServeNoModelAdminWithOllamaCLI(t *testing.T) {
	d := ollamatest.Shared(t)
	m := d.TinyModel(t, "serve-admin", 82)
	base := startServe(t, d, "--no-model-admin")
	bin, err := daemon.EnsureBinary(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"rm", m}, {"cp", m, "serve-admin-copy"}, {"pull", "registry.invalid/x/y"}} {
		cmd := exec.CommandContext(t.Context(), bin, args...)
		cmd.Env = []string{"OLLAMA_HOST=" + base, "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "refuses model management") {
			t.Errorf("ollama %v: %v\n%s; want the refusal", args, err, out)
		}
	}
	if _, err := d.Client.Show(t.Context(), m); err != nil {
		t.Errorf("%s is gone from the daemon: %v", m, err)
	}
}

// In headless Chromium, a page of the --allow-origin origin reads
// passthrough replies (one Access-Control-Allow-Origin: the daemon's is
// replaced), runs an ensemble with a JSON POST, and its "simple"
// text/plain POST to the ensemble gets 415; a page whose name rebinds to
// 127.0.0.1 reads nothing.
func TestServeBrowserEdgeInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	needChromium(t)
	d := ollamatest.Shared(t)
	plain := d.TinyModel(t, "serve-plain", 81)
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + pl.Addr().String()
	base := startServe(t, d, "--allow-origin", origin)
	page := strings.NewReplacer("SERVE", base, "PLAIN", plain).Replace(edgePage)
	ps := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, page)
	}), ReadHeaderTimeout: 10 * time.Second}
	go ps.Serve(pl)
	t.Cleanup(func() { ps.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	dump := func(url string, extra ...string) string {
		args := chromiumArgs(dir+"/profile", append(extra, "--virtual-time-budget=60000", "--dump-dom", url)...)
		out, err := exec.CommandContext(ctx, chromium, args...).Output()
		if err != nil {
			t.Fatalf("chromium --dump-dom %s: %v", url, err)
		}
		return string(out)
	}
	dom := dump(origin + "/")
	for _, want := range []string{`"version":200`, `"generate":200`, `"mux":"12"`, `"simple":"sent"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %s:\n%s", want, dom)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `slmmux_requests_total{model="mux",route="/api/chat",status="415"} 1`; !strings.Contains(string(b), want) {
		t.Errorf("metrics lack %s: the simple POST was not refused", want)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	dom = dump("http://rebound.test:"+port+"/api/tags", "--host-resolver-rules=MAP rebound.test 127.0.0.1")
	if !strings.Contains(dom, "--allow-host") || strings.Contains(dom, plain) {
		t.Errorf("a rebound name read the model list:\n%s", dom)
	}
}

// edgePage calls serve (SERVE) from another origin and writes what it
// could read into #out.
const edgePage = `<!doctype html><html><body><pre id="out"></pre><script>
const S = "SERVE", out = {};
const json = { "Content-Type": "application/json" };
const chat = JSON.stringify({ model: "mux", stream: false, messages: [{ role: "user", content: "What is 85-73?" }] });
async function step(name, f) { try { out[name] = await f(); } catch (e) { out[name] = "blocked: " + e; } }
(async () => {
  await step("version", async () => (await fetch(S + "/api/version")).status);
  await step("generate", async () => (await fetch(S + "/api/generate", { method: "POST", headers: json,
    body: JSON.stringify({ model: "PLAIN", prompt: "hi", stream: false, options: { num_predict: 4 } }) })).status);
  await step("mux", async () => (await (await fetch(S + "/api/chat", { method: "POST", headers: json, body: chat })).json()).slmmux.answer);
  await step("simple", async () => { await fetch(S + "/api/chat", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: chat }); return "sent"; });
  document.getElementById("out").textContent = JSON.stringify(out);
})();
</script></body></html>`

// The edge flags' bad values are usage errors naming the flag, before any
// daemon is reached.
func TestServeEdgeFlagErrors(t *testing.T) {
	for _, args := range [][]string{{"--allow-host", "myhost.example:80"}, {"--allow-host", "http://x"}, {"--allow-host", ""},
		{"--body-timeout", "-1s"}, {"--idle-timeout", "-1s"}} {
		r := run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, append([]string{"serve", "--listen", closedPort(t)}, args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("serve %v: exit %d, %q; want a usage error naming %s", args, r.code, r.stderr, args[0])
		}
	}
}
