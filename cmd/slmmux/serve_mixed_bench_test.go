package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// The mixed load: three ensembles over five demo models that share members,
// plus passthrough requests for a sixth model, from 24 concurrent clients,
// on a daemon that holds two models at a time.
var mixedEnsembles = map[string][]string{
	"a": {"demo-addsub", "demo-mul", "demo-mix"},
	"b": {"demo-mix", "demo-mix-small", "demo-mix-wide"},
	"c": {"demo-addsub", "demo-mix-wide"},
}

const (
	mixedClients     = 24
	mixedPerClient   = 2
	mixedPassthrough = "demo-large"
)

// mixedRequest is client i's n-th request: the ensembles a, b, c and a
// passthrough generate in turn.
func mixedRequest(i, n int) (path, body string) {
	q := fmt.Sprintf("What is %d+%d?", 10+i, 3*n+i%7)
	switch kind := (i + n) % 4; kind {
	case 3:
		return "/api/generate", fmt.Sprintf(`{"model":%q,"prompt":%q,"stream":false,"options":{"num_predict":8,"seed":%d}}`, mixedPassthrough, q, i)
	default:
		e := []string{"a", "b", "c"}[kind]
		return "/api/chat", fmt.Sprintf(`{"model":"mux:%s","stream":false,"options":{"num_predict":8},"messages":[{"role":"user","content":%q}]}`, e, q)
	}
}

// mixedConfig writes the serve config of the three ensembles.
func mixedConfig(tb testing.TB) string {
	tb.Helper()
	var sb strings.Builder
	sb.WriteString("ensembles:\n")
	for _, name := range slices.Sorted(maps.Keys(mixedEnsembles)) {
		fmt.Fprintf(&sb, "  mux:%s:\n    models: [%s]\n    samples: 3\n    num_predict: 8\n", name, strings.Join(mixedEnsembles[name], ", "))
	}
	path := filepath.Join(tb.TempDir(), "mixed.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// mixedLoad runs the load against send and reports runner starts (the
// daemon's log), requests per second and the p50 and p95 latencies.
func mixedLoad(b *testing.B, d *ollamatest.Daemon, send func(path, body string) error) {
	before := runnerStarts(b, d.LogPath)
	start := time.Now()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for i := range mixedClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range mixedPerClient {
				t0 := time.Now()
				if err := send(mixedRequest(i, n)); err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))].Seconds() }
	b.ReportMetric(float64(runnerStarts(b, d.LogPath)-before), "runner-starts")
	b.ReportMetric(float64(len(lat))/wall.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-s")
	b.ReportMetric(pct(0.95), "p95-s")
}

// serveBinary runs `BIN serve` on a free port against d with the mixed
// config and returns its base URL; it stops when the benchmark ends.
func serveBinary(b *testing.B, bin string, d *ollamatest.Daemon, cfg string) string {
	b.Helper()
	addr := closedPort(b)
	cmd := exec.Command(bin, "serve", "--listen", addr, "--config", cfg, "--max-loaded", "2")
	cmd.Env = append(os.Environ(), "OLLAMA_HOST="+d.Host)
	logf, err := os.Create(filepath.Join(b.TempDir(), "serve.log"))
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = logf // not the benchmark's output, which benchstat reads
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	base := "http://" + addr
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code, _ := tryGet(base + "/health"); code == 200 {
			return base
		}
	}
	b.Fatalf("%s serve did not start", bin)
	return ""
}

// httpClient is the benchmark's client: no request may hang forever.
var httpClient = &http.Client{Timeout: 10 * time.Minute}

// postQuiet posts body and returns the status and reply (0 and the error
// when nothing came back); safe in any goroutine.
func postQuiet(url, body string) (int, string) {
	resp, err := httpClient.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func tryGet(url string) (int, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// BenchmarkServeMixedLoad: the mixed load (three ensembles sharing members
// and passthrough requests, 24 clients, a daemon holding two models)
// through "scheduler" (this slmmux serve: one queue per model across every
// request), "per-ensemble" (the serve of $SLMMUX_BASELINE_BIN, built by
// scripts/bench.sh from the last commit before the scheduler: each
// ensemble planned alone, batched in rounds) and "per-request" (each
// ensemble request answered on its own by `slmmux ask`, passthroughs sent
// to the daemon). Each gets a fresh daemon. Reported: runner starts, req/s,
// p50 and p95 latency.
func BenchmarkServeMixedLoad(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "slmmux")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	fresh := func(b *testing.B) *ollamatest.Daemon {
		d := ollamatest.StartT(b, daemon.Options{Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "2"}})
		demoModels(b, d)
		return d
	}
	viaServe := func(base string) func(path, body string) error {
		return func(path, body string) error {
			if code, reply := postQuiet(base+path, body); code != 200 {
				return fmt.Errorf("%s: %d %s", path, code, reply)
			}
			return nil
		}
	}
	b.Run("scheduler", func(b *testing.B) {
		d := fresh(b)
		base := serveBinary(b, bin, d, mixedConfig(b))
		for b.Loop() {
			mixedLoad(b, d, viaServe(base))
		}
	})
	b.Run("per-ensemble", func(b *testing.B) {
		old := os.Getenv("SLMMUX_BASELINE_BIN")
		if old == "" {
			b.Skip("set SLMMUX_BASELINE_BIN to a slmmux built before the scheduler (scripts/bench.sh does)")
		}
		d := fresh(b)
		base := serveBinary(b, old, d, mixedConfig(b))
		for b.Loop() {
			mixedLoad(b, d, viaServe(base))
		}
	})
	b.Run("per-request", func(b *testing.B) {
		d := fresh(b)
		env := map[string]string{"OLLAMA_HOST": d.Host}
		for b.Loop() {
			mixedLoad(b, d, func(path, body string) error {
				if path == "/api/generate" {
					return viaServe(d.Host)(path, body)
				}
				e := body[strings.Index(body, `"mux:`)+5 : strings.Index(body, `"mux:`)+6]
				q := body[strings.Index(body, "What is"):strings.LastIndex(body, `"}]`)]
				r := run(context.Background(), env, "ask", "--max-loaded", "2", "--num-predict", "8", "--samples", "3",
					"--models", strings.Join(mixedEnsembles[e], ","), q)
				if r.code != 0 {
					return fmt.Errorf("ask: %d %s", r.code, r.stderr)
				}
				return nil
			})
		}
	})
}
