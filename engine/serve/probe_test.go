package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/serve"
)

func TestProbeEndpoint(t *testing.T) {
	eng := scheduler(t, &enginetest.FakeGenerator{}, []string{"a"}, false)
	u, _ := url.Parse("http://127.0.0.1:1")
	for _, tc := range []struct {
		name  string
		probe serve.ProbeFunc
		key   string
		code  int
	}{
		{"budget", func(context.Context) (serve.Probe, error) { return serve.Probe{BudgetBytes: 8 << 30, GPUs: 1}, nil }, "", 200},
		{"no probe", nil, "", 404},
		{"needs the key", func(context.Context) (serve.Probe, error) { return serve.Probe{}, nil }, "k", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := serve.New(serve.Config{Upstream: u, Scheduler: eng, APIKey: tc.key, Version: "v1", Probe: tc.probe,
				Ensembles: []serve.Ensemble{{Name: "mux", Models: []string{"a"}, Sampling: engine.Sampling{Samples: 1}}}})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			resp, err := http.Get(hs.URL + serve.ProbePath)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if tc.code == 200 {
				var p serve.Probe
				if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.BudgetBytes != 8<<30 || p.GPUs != 1 || p.Version != "v1" {
					t.Fatalf("probe %+v %v", p, err)
				}
			}
		})
	}
}

// RemoteProbe reads a budget from a probe route, and reports a server
// without one as a *ProbeStatusError or a missing budget.
func TestRemoteProbe(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       int
		status     bool // a *ProbeStatusError
		budget     uint64
	}{
		{"budget", `{"budget_bytes": 1024, "gpus": 1}`, 200, false, 1024},
		{"not found", "", 404, true, 0},
		{"no budget", `{}`, 200, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != serve.ProbePath {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.code)
				w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			p, err := serve.RemoteProbe(t.Context(), ts.Client(), ts.URL+"/")
			var se *serve.ProbeStatusError
			if errors.As(err, &se) != tc.status || (tc.budget == 0) != (err != nil) || p.BudgetBytes != tc.budget {
				t.Fatalf("probe %+v, err %v", p, err)
			}
		})
	}
}
