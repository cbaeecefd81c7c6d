package serve_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/models"
)

// scheduler is a scheduler over one host that serves ms from gen; with
// oneAtATime the host holds one model at a time (else it manages its own
// memory).
func scheduler(t testing.TB, gen engine.Generator, ms []string, oneAtATime bool) *engine.Scheduler {
	t.Helper()
	var installed []models.Info
	for _, m := range ms {
		installed = append(installed, models.Info{Name: m, SizeBytes: 1 << 20})
	}
	h := engine.Host{Name: "h", Generator: gen, Installed: installed}
	if oneAtATime {
		h.Inventory = fixedInventory(installed)
		h.Plan = engine.PlanConfig{BudgetBytes: 8 << 30, MaxLoaded: 1}
	}
	hosts, err := engine.NewHosts([]engine.Host{h}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := hosts.Plan(context.Background(), ms, sched.Work{Items: 1, Samples: 2})
	if err != nil {
		t.Fatal(err)
	}
	return hosts.NewScheduler(plan)
}

// fixedInventory shows the given models; nothing is running.
type fixedInventory []models.Info

func (f fixedInventory) Show(_ context.Context, m string) (models.Info, error) {
	for _, i := range f {
		if i.Name == m {
			return i, nil
		}
	}
	return models.Info{}, models.ErrModelNotInstalled
}

func (fixedInventory) Running(context.Context) ([]models.Running, error) { return nil, nil }

// fakeServer serves ensemble "mux" over two fake models that answer 12,
// with upstream a stub daemon; oneAtATime holds one model at a time.
func fakeServer(t testing.TB, delay time.Duration, maxQueue int, oneAtATime bool) (*httptest.Server, *serve.Server) {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/tags":
			fmt.Fprint(w, `{"models":[]}`)
		case "/v1/models":
			fmt.Fprint(w, `{"object":"list","data":[]}`)
		default:
			http.Error(w, `{"error":"model not found"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(up.Close)
	fake := &enginetest.FakeGenerator{Delay: delay, GenerateFn: func(context.Context, models.Request) (models.Result, error) {
		return models.Result{Text: "The answer is 12.", OutputTokens: 5}, nil
	}}
	u, _ := url.Parse(up.URL)
	srv, err := serve.New(serve.Config{Upstream: u, Scheduler: scheduler(t, fake, []string{"a", "b"}, oneAtATime), MaxQueue: maxQueue,
		Ensembles: []serve.Ensemble{{Name: "mux", Models: []string{"a", "b"}, Sampling: engine.Sampling{Samples: 2, Temperature: 0.3}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); cancel() })
	return hs, srv
}

// 1,000 requests at a server whose queue holds 64: each is answered, 200
// or 503 with Retry-After, none lost or hung; memory stays bounded and the
// server still serves afterwards.
func TestQueueUnderLoad(t *testing.T) {
	hs, _ := fakeServer(t, 2*time.Millisecond, 64, false)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const n = 1000
	var ok, busy, other atomic.Int32
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 60 * time.Second}
	sem := make(chan struct{}, 200) // at most 200 connections at once from this test
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			resp, err := client.Post(hs.URL+"/api/chat", "application/json",
				strings.NewReader(`{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 85-73?"}]}`))
			if err != nil {
				other.Add(1)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == 200:
				ok.Add(1)
			case resp.StatusCode == 503 && resp.Header.Get("Retry-After") != "":
				busy.Add(1)
			default:
				other.Add(1)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d answered 200, %d got 503, %d other", ok.Load(), busy.Load(), other.Load())
	if ok.Load()+busy.Load() != n || other.Load() != 0 || ok.Load() == 0 {
		t.Fatalf("%d ok + %d busy + %d other != %d", ok.Load(), busy.Load(), other.Load(), n)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 64<<20 {
		t.Errorf("heap grew by %d MiB over the load", grown>>20)
	}
	resp, err := http.Post(hs.URL+"/api/chat", "application/json", strings.NewReader(`{"model":"mux","stream":false,"messages":[{"role":"user","content":"again?"}]}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the load: %v %v", resp, err)
	}
	resp.Body.Close()
}

// With one model loaded at a time, concurrent requests share each load.
func TestConcurrentRequestsShareLoads(t *testing.T) {
	hs, srv := fakeServer(t, 5*time.Millisecond, 64, true)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(hs.URL+"/v1/chat/completions", "application/json",
				strings.NewReader(`{"model":"mux","messages":[{"role":"user","content":"What is 85-73?"}]}`))
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"answer":"12"`)) {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	if n := srv.Scheduler().Loads(); n < 2 || n > 2*2 {
		t.Errorf("%d loads for 10 concurrent requests over 2 models: want them shared (2 to 4)", n)
	}
}

// No request body may panic the server or get a 5xx from the decoders.
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`{"model":"mux","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"mux","prompt":"hi","stream":false}`,
		`{"model":"mux","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"x"}],"options":{"temperature":"hot"}}`,
		`{"model":"mux","messages":null}`, `[]`, `{"model":7}`, `{"model":"mux","messages":[{}]}`, "\x00",
	} {
		f.Add(s)
	}
	hs, _ := fakeServer(f, 0, 64, false)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/chat", "/api/generate", "/v1/chat/completions", "/v1/completions", "/api/show"} {
			resp, err := http.Post(hs.URL+path, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %q: %d", path, body, resp.StatusCode)
			}
		}
	})
}
