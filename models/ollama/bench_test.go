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
// adapter and as a raw HTTP request to the same warm daemon, alternating
// which goes first. It reports the wall-time ratio and, because the
// daemon's own time dominates and varies from call to call, each path's
// client-side time: wall time minus the server-reported total_duration.
func BenchmarkAdapterOverhead(b *testing.B) {
	d := ollamatest.Shared(b)
	m := d.TinyModel(b, "bench-tiny", 1)
	req := models.Request{Model: m, Prompt: "What is 2+2?", Options: models.Options{
		Temperature: models.Float(0), Seed: models.Int(1), NumPredict: 1}}
	body, _ := json.Marshal(map[string]any{"model": m, "prompt": req.Prompt, "stream": false,
		"options": map[string]any{"temperature": 0, "seed": 1, "num_predict": 1}})
	viaRaw := func() (wall, server time.Duration) {
		t0 := time.Now()
		resp, err := http.Post(d.Host+"/api/generate", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			TotalDuration time.Duration `json:"total_duration"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		return time.Since(t0), out.TotalDuration
	}
	viaAdapter := func() (wall, server time.Duration) {
		t0 := time.Now()
		res, err := d.Client.Generate(b.Context(), req)
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), res.Total
	}
	viaAdapter() // load the model
	var aw, as, rw, rs time.Duration
	n := 0
	for b.Loop() {
		var w1, s1, w2, s2 time.Duration
		if n%2 == 0 {
			w1, s1 = viaAdapter()
			w2, s2 = viaRaw()
		} else {
			w2, s2 = viaRaw()
			w1, s1 = viaAdapter()
		}
		aw, as, rw, rs = aw+w1, as+s1, rw+w2, rs+s2
		n++
	}
	b.ReportMetric(float64(aw)/float64(rw), "adapter/raw")
	b.ReportMetric(float64((aw-as).Microseconds())/float64(n), "adapter-client-µs/call")
	b.ReportMetric(float64((rw-rs).Microseconds())/float64(n), "raw-client-µs/call")
}
