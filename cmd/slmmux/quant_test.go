package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// Bad --quantize values and sources that cannot be quantized are usage
// errors naming the fix, before any daemon is asked (the host is closed).
func TestModelsImportQuantizeRefusals(t *testing.T) {
	env := map[string]string{"OLLAMA_HOST": closedPort(t)}
	dir := t.TempDir()
	path := ollamatest.WriteRandomModel(t, dir, 3, ggufTiny())
	f, err := gguf.RandomLlama(3, ggufTiny())
	if err != nil {
		t.Fatal(err)
	}
	q := &f.Tensors[2] // a 32x32 matrix, as Q8_0: 32 rows of one 34-byte block
	q.Type, q.Data = 8, make([]byte, 32*34)
	quantized := filepath.Join(dir, "q8.gguf")
	out, _ := os.Create(quantized)
	if _, err := f.WriteTo(out); err != nil {
		t.Fatal(err)
	}
	out.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{path, "--quantize", "q5_1"}, "want q8_0, q4_K_M, q4_K_S"},
		{[]string{path, "--quantize", "Q4_0"}, "want q8_0, q4_K_M, q4_K_S"},
		{[]string{quantized, "--quantize", "q8_0"}, "import it without --quantize"},
	} {
		r := run(t.Context(), env, append([]string{"models", "import", "--name", "x"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("import %v: exit %d, %q; want a usage error with %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := run(t.Context(), env, "demo", "--quantize", "q2_K")
	if r.code != exitUsage || !strings.Contains(r.stderr, "or f32, the embedded files") {
		t.Errorf("demo --quantize q2_K: exit %d, %q", r.code, r.stderr)
	}
	r = run(t.Context(), env, "plan", "--footprint", "a=1GiB", "--budget", "2GiB", "--kv-cache-type", "q5_0")
	if r.code != exitUsage || !strings.Contains(r.stderr, "want f16, q8_0 or q4_0") {
		t.Errorf("plan --kv-cache-type q5_0: exit %d, %q", r.code, r.stderr)
	}
}

// An F32 file imports with --quantize: converted to F16 here, quantized by
// the daemon, which then reports the quantization; the F16 copy is not
// uploaded twice.
func TestModelsImportQuantizeThroughDaemon(t *testing.T) {
	d := ollamatest.Shared(t)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	path := ollamatest.WriteRandomModel(t, t.TempDir(), 11, gguf.Size{EmbeddingLength: 64, FeedForwardLength: 256})
	for i, q := range []string{"q8_0", "Q4_K_M", "f16"} {
		name := "quant-" + strings.ToLower(q)
		r := run(t.Context(), env, "models", "import", path, "--name", name, "--quantize", q, "--template", ollamatest.RawTemplate)
		want := strings.ToUpper(q)
		if r.code != 0 || !strings.Contains(r.stdout, "converted to F16 first") || !strings.Contains(r.stdout, "the daemon reports "+want) {
			t.Fatalf("import --quantize %s: %+v\n%s", q, r, d.Log())
		}
		if i > 0 && !strings.Contains(r.stdout, "not uploaded again") {
			t.Errorf("import --quantize %s uploaded the F16 copy again: %s", q, r.stdout)
		}
	}
	info, err := d.Client.Show(t.Context(), "quant-q8_0")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, ts := range info.Tensors {
		counts[ts.Type]++
	}
	if counts["Q8_0"] == 0 || counts["F32"] == 0 {
		t.Errorf("Q8_0 model's tensors %v: want Q8_0 matrices and F32 norms", counts)
	}
}

// footprintRatio loads model with the plan's settings and returns the
// estimate and what /api/ps reports.
func footprintRatio(tb testing.TB, ctx context.Context, c *ollama.Client, model string) (sched.Footprint, models.Info, int64) {
	tb.Helper()
	info, err := c.Show(ctx, model)
	if err != nil {
		tb.Fatal(err)
	}
	est := sched.Estimate(info, sched.Settings{NumCtx: engine.DefaultNumCtx, Slots: 1})
	forever := time.Duration(-1)
	if err := c.Preload(ctx, models.Request{Model: model, KeepAlive: &forever,
		Options: models.Options{NumCtx: engine.DefaultNumCtx, NumThread: 1}}); err != nil {
		tb.Fatal(err)
	}
	defer c.Unload(ctx, model)
	run, err := c.Running(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range run {
		if engine.CanonicalName(r.Name) == engine.CanonicalName(model) {
			return est, info, r.SizeBytes
		}
	}
	tb.Fatalf("%s is not loaded after a preload", model)
	return est, info, 0
}

// importVariants creates the demo model's variants (embedded F32, F16,
// Q8_0, Q4_K_M) and returns their names.
func importVariants(tb testing.TB, ctx context.Context, c *ollama.Client, qs []string) []string {
	tb.Helper()
	cat, err := demo.Load()
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, q := range qs {
		v, err := cat.Quantized(q)
		if err != nil {
			tb.Fatal(err)
		}
		if err := demo.Import(ctx, c, v, ioDiscard{}); err != nil {
			tb.Fatal(err)
		}
		names = append(names, v.Names()...)
	}
	return names
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }

// For each quantization of a demo model and of a larger random F16 model
// (weights dominate), the estimate is within 25 % of the size /api/ps
// reports.
func TestQuantizedEstimatesWithin25Percent(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{Env: map[string]string{"OLLAMA_NUM_PARALLEL": "1"}})
	ctx := t.Context()
	var names []string
	for _, n := range importVariants(t, ctx, d.Client, []string{"", "F16", "Q8_0", "Q4_K_M"}) {
		if strings.HasPrefix(n, "demo-mul") {
			names = append(names, n)
		}
	}
	path := ollamatest.WriteRandomModel(t, t.TempDir(), 5, gguf.Size{EmbeddingLength: 1024, FeedForwardLength: 4096, BlockCount: 2, F16: true})
	for _, q := range []string{"", "Q8_0", "Q4_K_M"} {
		name := "big-" + strings.ToLower(strings.TrimSuffix(q+"-", "-"))
		if q == "" {
			name = "big-f16"
		}
		if _, err := d.Client.ImportFile(ctx, name, path, ollama.ImportOptions{Template: ollamatest.RawTemplate, Quantize: q}); err != nil {
			t.Fatalf("import %s: %v\n%s", name, err, d.Log())
		}
		names = append(names, name)
	}
	for _, m := range names {
		est, info, ps := footprintRatio(t, ctx, d.Client, m)
		ratio := float64(est.Bytes) / float64(ps)
		t.Logf("%-18s %-7s estimate %9d (weights %9d from %s, KV %7d) /api/ps %9d ratio %.3f", m, info.Quantization, est.Bytes, est.Weights, est.WeightsFrom, est.KV, ps, ratio)
		if est.WeightsFrom != "tensors" || ratio < 0.8 || ratio > 1.25 {
			t.Errorf("%s: estimate %d vs /api/ps %d (ratio %.2f, weights from %s): want within 25 %%", m, est.Bytes, ps, ratio, est.WeightsFrom)
		}
	}
}

// BenchmarkDemoQuantized measures, live, each demo model's accuracy on the
// full demo test set (the demo's sampling settings) and its size (file,
// /api/ps, estimate) at F32, F16, Q8_0 and Q4_K_M, and SLM-MUX over each
// set, and writes the README's table to $QUANT_TABLE (default
// quant-table.md). Run once: go test -run '^$' -bench DemoQuantized
// -benchtime 1x ./cmd/slmmux/.
func BenchmarkDemoQuantized(b *testing.B) {
	d := ollamatest.StartT(b, daemon.Options{Env: map[string]string{"OLLAMA_NUM_PARALLEL": "1"}})
	ctx := context.Background()
	env := map[string]string{"OLLAMA_HOST": d.Host, "SLMMUX_CACHE": b.TempDir()}
	version, _ := d.Client.Version(ctx)
	cat, err := demo.Load()
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Ollama %s; demo test set (360 questions), k = %d samples at temperature %g, num_ctx %d.\n\n", version, cat.Samples, cat.Temperature, engine.DefaultNumCtx)
	fmt.Fprintln(&sb, "| model | weights | tensor types (/api/show) | file | resident (/api/ps) | estimate / resident | accuracy | with self-consistency |")
	fmt.Fprintln(&sb, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
	var mux strings.Builder
	for b.Loop() {
		for _, q := range []string{"f32", "f16", "q8_0", "q4_K_M"} {
			r := run(ctx, env, "demo", "--quantize", q, "--json")
			if r.code != 0 {
				b.Fatalf("demo --quantize %s: %+v", q, r)
			}
			var out report.DemoResult
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(&mux, "| %s | %.1f %% ± %.1f | %.1f %% | %.1f %% | %.0f s |\n", strings.ToUpper(q), 100*out.Mux.Accuracy, 100*out.Mux.Stderr, 100*out.AgentForest, 100*out.Oracle, out.WallSeconds)
			list, err := d.Client.Installed(ctx)
			if err != nil {
				b.Fatal(err)
			}
			sizes := map[string]int64{}
			for _, m := range list {
				sizes[engine.CanonicalName(m.Name)] = m.SizeBytes
			}
			v, _ := cat.Quantized(map[string]string{"f32": "", "f16": "F16", "q8_0": "Q8_0", "q4_K_M": "Q4_K_M"}[q])
			for _, m := range v.Names() {
				est, info, ps := footprintRatio(b, ctx, d.Client, m)
				acc, sc := out.Single[m], out.SingleSC[m]
				if out.Large != nil && out.Large.Model == m { // not in the pool: reported alone
					acc, sc = out.Large.Accuracy, out.Large.AccuracySC
				}
				fmt.Fprintf(&sb, "| %s | %s | %s | %d | %d | %.2f | %.1f %% | %.1f %% |\n", m, info.Quantization,
					models.TensorTypeCounts(info.Tensors), sizes[engine.CanonicalName(m)], ps, float64(est.Bytes)/float64(ps), 100*acc, 100*sc)
			}
		}
	}
	sb.WriteString("\n| set | SLM-MUX | Agent Forest | oracle | wall |\n| --- | ---: | ---: | ---: | ---: |\n")
	sb.WriteString(mux.String())
	dest := os.Getenv("QUANT_TABLE")
	if dest == "" {
		dest = "quant-table.md"
	}
	if err := os.WriteFile(dest, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("\n%s", sb.String())
}

// The demo runs end to end on its Q8_0 variants (a subset).
func TestDemoQuantizedSubset(t *testing.T) {
	d := ollamatest.Shared(t)
	env := map[string]string{"OLLAMA_HOST": d.Host, "SLMMUX_CACHE": t.TempDir()}
	r := run(t.Context(), env, "demo", "--quantize", "q8_0", "--limit", "6", "--samples", "1", "--json")
	if r.code != 0 {
		t.Fatalf("demo --quantize q8_0: %+v\n%s", r, d.Log())
	}
	var out report.DemoResult
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	_, hasLarge := cat.Large()
	if out.NItems != 6 || len(out.Single) != len(cat.Pool()) || hasLarge != (out.Large != nil) || out.Large != nil && !strings.HasSuffix(out.Large.Model, ":q8_0") {
		t.Fatalf("demo output %+v: want 6 items, the %d pool models and the large one if the catalog has one", out, len(cat.Pool()))
	}
	for m := range out.Single {
		if !strings.HasSuffix(m, ":q8_0") {
			t.Errorf("model %s is not a q8_0 variant", m)
		}
	}
	info, err := d.Client.Show(t.Context(), "demo-addsub:q8_0")
	if err != nil || info.Quantization != "Q8_0" {
		t.Errorf("demo-addsub:q8_0: %+v, %v; want Q8_0", info.Quantization, err)
	}
}
