package ollama_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// BenchmarkAdapterOverhead sends the same one-token generation through the
// adapter and as a raw HTTP request to the same warm daemon, alternating,
// and reports adapter time / raw time.
func BenchmarkAdapterOverhead(b *testing.B) {
	d := ollamatest.Shared(b)
	m := d.TinyModel(b, "bench-tiny", 1)
	req := models.Request{Model: m, Prompt: "What is 2+2?", Options: models.Options{
		Temperature: models.Float(0), Seed: models.Int(1), NumPredict: 1}}
	body, _ := json.Marshal(map[string]any{"model": m, "prompt": req.Prompt, "stream": false,
		"options": map[string]any{"temperature": 0, "seed": 1, "num_predict": 1}})
	raw := func() {
		resp, err := http.Post(d.Host+"/api/generate", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var out struct{ Response string }
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
	}
	if _, err := d.Client.Generate(b.Context(), req); err != nil { // warm up: load
		b.Fatal(err)
	}
	raw()
	var adapter, direct time.Duration
	n := 0
	for b.Loop() {
		viaAdapter := func() time.Duration {
			t0 := time.Now()
			if _, err := d.Client.Generate(b.Context(), req); err != nil {
				b.Fatal(err)
			}
			return time.Since(t0)
		}
		viaRaw := func() time.Duration { t0 := time.Now(); raw(); return time.Since(t0) }
		if n%2 == 0 { // alternate which goes first, so neither gains from order
			adapter += viaAdapter()
			direct += viaRaw()
		} else {
			direct += viaRaw()
			adapter += viaAdapter()
		}
		n++
	}
	b.ReportMetric(float64(adapter.Microseconds())/float64(n), "adapter-µs/call")
	b.ReportMetric(float64(direct.Microseconds())/float64(n), "raw-µs/call")
	b.ReportMetric(float64(adapter)/float64(direct), "adapter/raw")
}
