package serve_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/models"
)

// inputServer serves ensemble "mux" over fake models a and b (each
// answering 12, recording what it was asked) in front of upstream, with
// cfg's API key; it returns the server's URL.
func inputServer(t *testing.T, upstream http.HandlerFunc, apiKey string) (string, *serve.Server, func() []models.Request) {
	t.Helper()
	up := httptest.NewServer(upstream)
	t.Cleanup(up.Close)
	var mu sync.Mutex
	var asked []models.Request
	fake := &enginetest.FakeGenerator{GenerateFn: func(_ context.Context, r models.Request) (models.Result, error) {
		mu.Lock()
		asked = append(asked, r)
		mu.Unlock()
		return models.Result{Text: "The answer is 12.", OutputTokens: 5}, nil
	}}
	u, _ := url.Parse(up.URL)
	srv, err := serve.New(serve.Config{Upstream: u, Scheduler: scheduler(t, fake, []string{"a", "b"}, false), APIKey: apiKey,
		Ensembles: []serve.Ensemble{{Name: "mux", Models: []string{"a", "b"}, Sampling: engine.Sampling{Samples: 2, Temperature: 0.3}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); cancel() })
	return hs.URL, srv, func() []models.Request { mu.Lock(); defer mu.Unlock(); return append([]models.Request(nil), asked...) }
}

func postJSON(t *testing.T, url, body string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// An ensemble's request is checked before anything is generated: options
// of a wrong type, fractions and values past int64 where an integer is
// needed, blank questions, and non-text content get 400 naming them.
func TestEnsembleInputRules(t *testing.T) {
	base, _, asked := inputServer(t, func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, "")
	chat := func(opts string) string {
		return `{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 85-73?"}],"options":` + opts + `}`
	}
	for _, tc := range []struct{ path, body, want string }{
		{"/api/chat", chat(`{"temperature":"hot"}`), `option temperature: want a number, got \"hot\"`},
		{"/api/chat", chat(`{"num_predict":[1]}`), "option num_predict: want an integer (int64), got [1]"},
		{"/api/chat", chat(`{"seed":1.5}`), "option seed: want an integer (int64), got 1.5"},
		{"/api/chat", chat(`{"seed":9223372036854775808}`), "option seed: want an integer (int64), got 9223372036854775808"},
		{"/api/generate", `{"model":"mux","prompt":"hi","options":{"num_predict":1e30}}`, "option num_predict"},
		{"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":"hi"}],"seed":1.5}`, "option seed: want an integer"},
		{"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}`, "option temperature: want a number"},
		{"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":"hi"}],"max_tokens":18446744073709551616}`, "option max_tokens"},
		{"/api/chat", `{"model":"mux","messages":[{"role":"user","content":null}]}`, "the user's question is blank"},
		{"/api/chat", `{"model":"mux","messages":[{"role":"user","content":" \n\t"}]}`, "the user's question is blank"},
		{"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":[]}]}`, "the user's question is blank"},
		{"/api/generate", `{"model":"mux","prompt":"   "}`, "prompt: blank"},
		{"/v1/completions", `{"model":"mux","prompt":"  "}`, "prompt: empty or blank"},
		{"/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:,"}}]}]}`,
			`messages[0].content: part 1 is of type \"image_url\": an ensemble answers text only: send text parts only`},
		{"/api/chat", `{"model":"mux","messages":[{"role":"user","content":"hi","images":["aGk="]}]}`, "messages[0].images: an ensemble answers text only"},
		{"/api/generate", `{"model":"mux","prompt":"hi","images":["aGk="]}`, "images: ensemble mux answers text only"},
		{"/api/chat", `{"model":"mux","messages":[{"role":"user","content":7}]}`, "messages[0].content: want a string or a list of parts"},
	} {
		if code, body := postJSON(t, base+tc.path, tc.body); code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s: %d %s; want 400 with %q", tc.path, tc.body, code, body, tc.want)
		}
	}
	if n := len(asked()); n != 0 {
		t.Errorf("%d generations for refused requests", n)
	}
}

// OpenAI's content parts are accepted for an ensemble (their text joined),
// its developer role is a system message, and integer options apply as
// given.
func TestEnsembleContentPartsAndDeveloper(t *testing.T) {
	base, _, asked := inputServer(t, func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, "")
	code, body := postJSON(t, base+"/v1/chat/completions", `{"model":"mux","seed":123,"max_tokens":64,"messages":[
		{"role":"developer","content":[{"type":"text","text":"Be brief."}]},
		{"role":"user","content":[{"type":"text","text":"What is"},{"type":"text","text":"85-73?"}]}]}`)
	if code != 200 || !strings.Contains(body, `"answer":"12"`) {
		t.Fatalf("%d %s", code, body)
	}
	rs := asked()
	if len(rs) != 4 {
		t.Fatalf("%d generations, want 2 models x 2 samples", len(rs))
	}
	for _, r := range rs {
		if r.System != "Be brief." || r.Prompt != "What is\n85-73?" || r.Options.NumPredict != 64 || r.Options.Seed == nil {
			t.Errorf("asked %+v", r)
		}
	}
}

// The API key may be sent with the scheme in any case (RFC 7235), never
// without one.
func TestAPIKeySchemes(t *testing.T) {
	base, _, _ := inputServer(t, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"models":[]}`) }, "k3y")
	for auth, want := range map[string]int{"Bearer k3y": 200, "bearer k3y": 200, "BEARER  k3y": 200, "k3y": 401, "Basic k3y": 401, "Bearer k3": 401, "": 401} {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/tags", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Authorization %q: %d, want %d", auth, resp.StatusCode, want)
		}
	}
}

// A request for another model reaches the upstream byte for byte, however
// large, wherever its model key is and whatever its fields hold; nothing
// is decoded or limited on the way.
func TestPassthroughBodyUnchanged(t *testing.T) {
	base, _, _ := inputServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		h := sha256.Sum256(b)
		fmt.Fprintf(w, `{"path":%q,"len":%d,"sha":%q,"err":%q}`, r.URL.Path, len(b), hex.EncodeToString(h[:]), fmt.Sprint(err))
	}, "")
	image := strings.Repeat("QUJD", 400_000) // 1.6 MB of base64
	for _, tc := range []struct{ path, body string }{
		{"/api/generate", `{"model":"plain","prompt":"what is this?","images":["` + image + `"]}`},
		{"/api/generate", `{"images":["` + image + `"],"model":"plain","prompt":"model key after the image"}`},
		{"/api/chat", `{"model":"plain","messages":[{"role":"user","content":"look","images":["` + image + `"]}],"options":{"temperature":"hot"}}`},
		{"/v1/chat/completions", `{"model":"plain","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,` + image + `"}}]}]}`},
		{"/api/show", `{"name":"plain","verbose":"not a bool"}`},
		{"/api/blobs/sha256:00", strings.Repeat("\x00", 2<<20)},
		{"/api/chat", `{"model":"plain","messages":[`},
	} {
		code, body := postJSON(t, base+tc.path, tc.body)
		h := sha256.Sum256([]byte(tc.body))
		want := fmt.Sprintf(`{"path":%q,"len":%d,"sha":%q,"err":"<nil>"}`, tc.path, len(tc.body), hex.EncodeToString(h[:]))
		if code != 200 || body != want {
			t.Errorf("%s %.60s: %d %s; want %s", tc.path, tc.body, code, body, want)
		}
	}
	// An ensemble's request stays bounded.
	if code, body := postJSON(t, base+"/api/chat", `{"model":"mux","messages":[{"role":"user","content":"`+image+`"}]}`); code != 413 {
		t.Errorf("ensemble over 1 MiB: %d %.200s", code, body)
	}
}

// A passthrough request whose client leaves is counted as 499, not as the
// upstream's failure (502).
func TestPassthroughClientLeftMetrics(t *testing.T) {
	arrived := make(chan struct{}, 1)
	base, _, _ := inputServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server notices the connection closing
		arrived <- struct{}{}
		<-r.Context().Done() // answer nothing until serve gives up
	}, "")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/generate", strings.NewReader(`{"model":"plain","prompt":"hi"}`))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-arrived
	cancel()
	<-done
	want := `slmmux_requests_total{model="plain",route="/api/generate",status="499"} 1`
	var text string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if text = metricsText(t, base); strings.Contains(text, want) {
			break
		}
	}
	if !strings.Contains(text, want) || strings.Contains(text, `status="502"`) {
		t.Errorf("metrics lack %q (or count a 502):\n%s", want, grep(text, "slmmux_requests_total"))
	}
}

// An embedding request, which no handler of serve's reads, is passed
// through unchanged with its model recorded (metrics; the scheduler pins
// it as it does a generate's).
func TestPassthroughEmbedKnowsItsModel(t *testing.T) {
	base, _, _ := inputServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s", b)
	}, "")
	const body = `{"model":"plain","input":"hi"}`
	if code, got := postJSON(t, base+"/api/embed", body); code != 200 || got != body {
		t.Fatalf("embed: %d %s", code, got)
	}
	if want := `slmmux_requests_total{model="plain",route="passthrough",status="200"} 1`; !strings.Contains(metricsText(t, base), want) {
		t.Errorf("metrics lack %q:\n%s", want, grep(metricsText(t, base), "slmmux_requests_total"))
	}
}

// Abort answers the requests still waiting 503 with Retry-After and counts
// them.
func TestAbortAnswers503(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(up.Close)
	fake := &enginetest.FakeGenerator{GenerateFn: func(ctx context.Context, _ models.Request) (models.Result, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return models.Result{}, ctx.Err()
		}
		return models.Result{Text: "12"}, nil
	}}
	t.Cleanup(func() { close(release) })
	u, _ := url.Parse(up.URL)
	srv, err := serve.New(serve.Config{Upstream: u, Scheduler: scheduler(t, fake, []string{"a"}, false),
		Ensembles: []serve.Ensemble{{Name: "mux", Models: []string{"a"}, Sampling: engine.Sampling{Samples: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); cancel() })
	type answer struct {
		code  int
		retry string
		body  string
	}
	answers := make(chan answer, 2)
	for i, path := range []string{"/api/chat", "/v1/chat/completions"} {
		go func() {
			resp, err := http.Post(hs.URL+path, "application/json", strings.NewReader(fmt.Sprintf(`{"model":"mux","stream":false,"messages":[{"role":"user","content":"question %d"}]}`, i)))
			if err != nil {
				answers <- answer{body: err.Error()}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers <- answer{resp.StatusCode, resp.Header.Get("Retry-After"), string(b)}
		}()
	}
	for deadline := time.Now().Add(time.Minute); !strings.Contains(metricsText(t, hs.URL), "slmmux_queue_depth 2") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	srv.Abort()
	for range 2 {
		a := <-answers
		if a.code != 503 || a.retry == "" || !strings.Contains(a.body, "shutting down") {
			t.Errorf("aborted request: %+v", a)
		}
	}
	if n := srv.Aborted(); n != 2 {
		t.Errorf("Aborted() = %d, want 2", n)
	}
}

func metricsText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grep(text, s string) string {
	var out bytes.Buffer
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out.WriteString(l + "\n")
		}
	}
	return out.String()
}
