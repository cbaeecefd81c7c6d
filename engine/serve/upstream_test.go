package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/models"
)

// In front of an OpenAI-compatible server (API root /openai/v1), a /v1
// request for another model passes through to the root plus the path
// after /v1, with the upstream's key instead of the client's; Ollama's
// API reaches the ensembles only, and other models there are a 404 saying
// so.
func TestOpenAIUpstreamPassThrough(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		switch r.URL.Path {
		case "/openai/v1/models":
			fmt.Fprint(w, `{"object":"list","data":[{"id":"big","object":"model"}]}`)
		case "/openai/v1/chat/completions":
			io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, `{"choices":[{"message":{"role":"assistant","content":"from upstream"}}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(up.Close)
	fake := &enginetest.FakeGenerator{GenerateFn: func(context.Context, models.Request) (models.Result, error) {
		return models.Result{Text: "The answer is 12."}, nil
	}}
	u, _ := url.Parse(up.URL + "/openai/v1")
	srv, err := serve.New(serve.Config{Upstream: u, UpstreamOpenAI: true, UpstreamAPIKey: "upstream-key", APIKey: "client-key", Scheduler: scheduler(t, fake, []string{"a", "b"}, false),
		Ensembles: []serve.Ensemble{{Name: "mux", Models: []string{"a", "b"}, Sampling: engine.Sampling{Samples: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run(t.Context())
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer client-key")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := do("POST", "/v1/chat/completions?x=1", `{"model":"big","messages":[{"role":"user","content":"hi"}]}`)
	if code != 200 || !strings.Contains(body, "from upstream") {
		t.Fatalf("passthrough: %d %s", code, body)
	}
	code, body = do("POST", "/v1/chat/completions", `{"model":"mux","messages":[{"role":"user","content":"What is 5+7?"}]}`)
	if code != 200 || !strings.Contains(body, "12") {
		t.Fatalf("ensemble: %d %s", code, body)
	}
	code, body = do("GET", "/v1/models", "")
	var list struct{ Data []struct{ ID string } }
	_ = json.Unmarshal([]byte(body), &list)
	if code != 200 || len(list.Data) != 2 || list.Data[0].ID != "mux" || list.Data[1].ID != "big" {
		t.Fatalf("models: %d %s", code, body)
	}
	code, body = do("POST", "/api/chat", `{"model":"big","messages":[{"role":"user","content":"hi"}]}`)
	if code != 404 || !strings.Contains(body, `model \"big\"`) || !strings.Contains(body, "/v1/chat/completions") || !strings.Contains(body, "mux") {
		t.Fatalf("/api/chat for another model: %d %s", code, body)
	}
	code, body = do("GET", "/api/ps", "")
	if code != 404 || !strings.Contains(body, "OpenAI-compatible") {
		t.Fatalf("/api/ps: %d %s", code, body)
	}
	code, body = do("GET", "/api/tags", "")
	if code != 200 || !strings.Contains(body, `"mux"`) || strings.Contains(body, "big") {
		t.Fatalf("/api/tags: %d %s", code, body)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"POST /openai/v1/chat/completions?x=1 auth=Bearer upstream-key", "GET /openai/v1/models auth=Bearer upstream-key"}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("upstream saw:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}
