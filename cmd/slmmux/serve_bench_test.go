package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// BenchmarkServeBatching: 16 concurrent clients ask a 3-model ensemble on
// a daemon that holds one model at a time. "batched" is `slmmux serve`
// (its scheduler: model-major across requests); "per-request" answers each
// request on its own, as `slmmux ask` does. Both cap replies at 8 tokens,
// as the demo does, so that loading, not rambling, is what is measured.
// Reported: model loads (from the daemon's log) and requests per second.
func BenchmarkServeBatching(b *testing.B) {
	const clients = 16
	question := `{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 85-73?"}]}`
	d := ollamatest.StartT(b, daemon.Options{Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
	ms := demoModels(b, d)[:3]
	b.Run("batched", func(b *testing.B) {
		base := startServe(b, d, "--max-loaded", "1", "--num-predict", "8", "--models", strings.Join(ms, ","))
		for b.Loop() {
			before := runnerStarts(b, d.LogPath)
			start := time.Now()
			var wg sync.WaitGroup
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if code, body := post(b, base+"/api/chat", question); code != 200 || !strings.Contains(body, `"answer":"12"`) {
						b.Errorf("%d %s", code, body)
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(runnerStarts(b, d.LogPath)-before), "loads")
			b.ReportMetric(clients/time.Since(start).Seconds(), "req/s")
		}
	})
	b.Run("per-request", func(b *testing.B) {
		env := map[string]string{"OLLAMA_HOST": d.Host}
		for b.Loop() {
			before := runnerStarts(b, d.LogPath)
			start := time.Now()
			for range clients {
				r := run(context.Background(), env, "ask", "--max-loaded", "1", "--num-predict", "8", "--models", strings.Join(ms, ","), "What is 85-73?")
				if r.code != 0 || !strings.Contains(r.stdout, "answer: 12") {
					b.Fatalf("ask: %+v", r)
				}
			}
			b.ReportMetric(float64(runnerStarts(b, d.LogPath)-before), "loads")
			b.ReportMetric(clients/time.Since(start).Seconds(), "req/s")
		}
	})
}

// BenchmarkServePassthrough: a plain model's generate through the server
// and straight to the daemon, side by side; the ratio of their ns/op is
// the server's overhead.
func BenchmarkServePassthrough(b *testing.B) {
	d := ollamatest.Shared(b)
	plain := d.TinyModel(b, "bench-plain", 91)
	base := startServe(b, d)
	req := fmt.Sprintf(`{"model":%q,"prompt":"hi","stream":false,"options":{"num_predict":1,"seed":1}}`, plain)
	post(b, d.Host+"/api/generate", req) // load it
	for _, tc := range []struct{ name, url string }{{"daemon", d.Host}, {"via-serve", base}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if code, body := post(b, tc.url+"/api/generate", req); code != 200 {
					b.Fatalf("%d %s", code, body)
				}
			}
		})
	}
}
