package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// demoItems writes the first n questions of a demo set to a file.
func demoItems(t *testing.T, set string, n int) string {
	t.Helper()
	var src []byte
	if set == "val" {
		var err error
		if src, err = os.ReadFile(filepath.Join("..", "..", "models", "demo", "valset.jsonl")); err != nil {
			t.Fatal(err)
		}
	} else {
		src = demo.TestSet()
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(src))
	for i := 0; i < n && sc.Scan(); i++ {
		out.Write(sc.Bytes())
		out.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), set+".jsonl")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// liveDemo is the shared daemon with the demo models imported.
func liveDemo(t *testing.T) map[string]string {
	t.Helper()
	d := ollamatest.Shared(t)
	cat, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Import(t.Context(), d.Client, cat, io.Discard); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"OLLAMA_HOST": d.Host}
}

// demoEval runs a small eval of two demo models under a signal.
func demoEval(t *testing.T, env map[string]string, data, signal string, extra ...string) (string, result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"eval", "--bench", "jsonl", "--extractor", "number", "--data", data, "--models", "demo-addsub,demo-mix",
		"--samples", "3", "--num-predict", "12", "--repeat-penalty", "1", "--run", dir, "--confidence", signal}, extra...)
	return dir, run(t.Context(), env, args...)
}

func readRunSamples(t *testing.T, dir string) []runstore.Sample {
	t.Helper()
	ss, err := runstore.ReadSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func muxSignal(t *testing.T, env map[string]string, args ...string) (engine.SignalResult, result) {
	t.Helper()
	r := run(t.Context(), env, append([]string{"mux", "--json"}, args...)...)
	var out struct {
		Accuracy   float64              `json:"accuracy"`
		Confidence *engine.SignalResult `json:"confidence"`
	}
	if r.code == 0 {
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
	}
	if out.Confidence == nil {
		return engine.SignalResult{}, r
	}
	return *out.Confidence, r
}

// logprob end to end on the default daemon (v0.24.0): eval records each
// sample's mean and min token log-probability, mux replays the signal
// offline with the eval's numbers, ask answers with it.
func TestConfidenceLogprobLive(t *testing.T) {
	env := liveDemo(t)
	dir, r := demoEval(t, env, demoItems(t, "test", 6), "logprob")
	if r.code != 0 || !strings.Contains(r.stdout, "--confidence logprob") {
		t.Fatalf("eval: %+v", r)
	}
	n := 0
	for _, s := range readRunSamples(t, dir) {
		if s.Response == "" {
			continue
		}
		n++
		if s.LogprobMean == nil || s.LogprobMin == nil || *s.LogprobMean > 0 || *s.LogprobMin > *s.LogprobMean+1e-12 {
			t.Fatalf("sample %+v: logprob mean/min missing or out of order", s)
		}
	}
	if n < 30 {
		t.Fatalf("only %d replies", n)
	}
	var stored engine.SignalResult
	if err := runstore.ReadJSON(dir, runstore.ConfidenceFile, &stored); err != nil || stored.Signal != "logprob" {
		t.Fatalf("confidence.json: %+v %v", stored, err)
	}
	got, r := muxSignal(t, env, "--run", dir, "--confidence", "logprob")
	if r.code != 0 || got.Accuracy != stored.Accuracy || got.Generations != 36 || got.Tokens == 0 {
		t.Fatalf("mux --confidence logprob: %+v (eval stored %+v) %+v", got, stored, r)
	}
	if _, r := muxSignal(t, env, "--run", dir, "--confidence", "embedding"); r.code != exitUsage || !strings.Contains(r.stderr, "eval --confidence embedding") {
		t.Fatalf("mux embedding on a logprob run: %+v", r)
	}
	// The report compares the signals the run recorded: consistency and
	// logprob here, the others named as not recorded.
	repDir := filepath.Join(t.TempDir(), "report")
	rep := run(t.Context(), nil, "report", "--run", dir, "--out", repDir)
	md, _ := os.ReadFile(filepath.Join(repDir, "report.md"))
	if rep.code != 0 || !strings.Contains(rep.stdout, "Confidence signal") || !strings.Contains(string(md), "| logprob |") ||
		!strings.Contains(string(md), "| consistency |") || !strings.Contains(string(md), "embedding: not recorded") {
		t.Fatalf("report: %+v\n%s", rep, md)
	}
	a := run(t.Context(), env, "ask", "--models", "demo-addsub,demo-mix", "--samples", "3", "--num-predict", "12", "--confidence", "logprob", "--json", "What is 12+7?")
	var out engine.AnswerView
	if a.code != 0 || json.Unmarshal([]byte(a.stdout), &out) != nil {
		t.Fatalf("ask: %+v", a)
	}
	if out.Signal != "logprob" || out.Model == "" || out.Confidence <= 0 || out.Confidence > 1 {
		t.Fatalf("ask --confidence logprob: %+v", out)
	}
	t.Logf("ask: %s from %s at %.3f", out.Answer, out.Model, out.Confidence)
}

// A daemon without log-probabilities (v0.6.5) is refused before any
// generation, with the fix.
func TestConfidenceLogprobRefusedOnOldDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the compatibility daemon")
	}
	if _, err := daemon.EnsureVersion(t.Context(), daemon.CompatVersion, nil); err != nil {
		ollamatest.Unavailable(t, err)
	}
	d := ollamatest.StartT(t, daemon.Options{Binary: daemon.VersionPath(daemon.CompatVersion)})
	m := d.TinyModel(t, "old-a", 3)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	for _, args := range [][]string{
		{"ask", "--models", m, "--samples", "2", "--confidence", "logprob", "What is 1+1?"},
		{"eval", "--bench", "jsonl", "--data", writeArith(t, 2), "--models", m, "--samples", "2", "--run", filepath.Join(t.TempDir(), "r"), "--confidence", "logprob"},
	} {
		r := run(t.Context(), env, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "0.12.11 or later") || !strings.Contains(r.stderr, "--confidence consistency") {
			t.Fatalf("%v on v0.6.5: %+v", args[0], r)
		}
	}
	if strings.Contains(d.Log(), `"/api/generate"`) {
		t.Fatalf("a generation ran before the refusal:\n%s", d.Log())
	}
}

// embedding: replies clustered by the member model's own embeddings; a
// missing embedding model is refused before any generation.
func TestConfidenceEmbeddingLive(t *testing.T) {
	env := liveDemo(t)
	a := run(t.Context(), env, "ask", "--models", "demo-addsub,demo-mix", "--samples", "3", "--num-predict", "12", "--confidence", "embedding", "--json", "What is 40+2?")
	var out engine.AnswerView
	if a.code != 0 || json.Unmarshal([]byte(a.stdout), &out) != nil {
		t.Fatalf("ask: %+v", a)
	}
	if out.Signal != "embedding" || out.Model == "" || out.Confidence < 1.0/3-1e-9 || out.Confidence > 1 {
		t.Fatalf("ask --confidence embedding: %+v", out)
	}
	r := run(t.Context(), env, "ask", "--models", "demo-mix", "--confidence", "embedding", "--embed-model", "no-such-embedder", "What is 1+1?")
	if r.code != exitUsage || !strings.Contains(r.stderr, "no-such-embedder is not installed") || !strings.Contains(r.stderr, "--embed-model") {
		t.Fatalf("missing embedding model: %+v", r)
	}
	dir, r := demoEval(t, env, demoItems(t, "test", 4), "embedding")
	if r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	dims := map[string]int{}
	for _, s := range readRunSamples(t, dir) {
		if dims[s.Model] == 0 {
			dims[s.Model] = len(s.Embedding)
		}
		if s.Response != "" && (len(s.Embedding) == 0 || len(s.Embedding) != dims[s.Model]) {
			t.Fatalf("sample %s/%s/%d: embedding of %d (model's: %d)", s.Item, s.Model, s.Sample, len(s.Embedding), dims[s.Model])
		}
	}
	if got, r := muxSignal(t, env, "--run", dir, "--confidence", "embedding", "--embed-threshold", "0.99"); r.code != 0 || got.Embeddings != 24 {
		t.Fatalf("mux --confidence embedding: %+v %+v", got, r)
	}
}

// verbalized: one follow-up per sample, its reply and tokens stored and
// counted as the extra cost.
func TestConfidenceVerbalizedLive(t *testing.T) {
	env := liveDemo(t)
	dir, r := demoEval(t, env, demoItems(t, "test", 4), "verbalized")
	if r.code != 0 || !strings.Contains(r.stderr, "one extra generation per sample") {
		t.Fatalf("eval: %+v", r)
	}
	for _, s := range readRunSamples(t, dir) {
		if s.VerbalReply == nil || s.VerbalTokens == 0 {
			t.Fatalf("sample %+v: no follow-up", s)
		}
	}
	got, r := muxSignal(t, env, "--run", dir, "--confidence", "verbalized")
	if r.code != 0 || got.Generations != 48 {
		t.Fatalf("mux --confidence verbalized: %+v %+v", got, r)
	}
	a := run(t.Context(), env, "ask", "--models", "demo-mix", "--samples", "2", "--num-predict", "12", "--confidence", "verbalized", "What is 3+4?")
	if a.code != 0 || !strings.Contains(a.stdout, "2 extra generations") {
		t.Fatalf("ask: %+v", a)
	}
}

// probe: trained by calibrate on a real demo run, used by mux and ask;
// a missing, corrupt or foreign probe fails before any generation.
func TestConfidenceProbeLive(t *testing.T) {
	env := liveDemo(t)
	val, r := demoEval(t, env, demoItems(t, "val", 20), "embedding")
	if r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	probe := filepath.Join(t.TempDir(), "probe.json")
	c := run(t.Context(), env, "calibrate", "--run", val, "--out", probe)
	if c.code != 0 || !strings.Contains(c.stdout, "demo-addsub") {
		t.Fatalf("calibrate: %+v", c)
	}
	// On a pool whose first host has no model, each model's replies embed
	// on the host that has it: the same probe.
	empty := ollamatest.StartT(t, daemon.Options{})
	pooled := filepath.Join(t.TempDir(), "probe.json")
	cfg := writeConfig(t, [2]string{"alpha", empty.Host}, [2]string{"beta", env["OLLAMA_HOST"]})
	if c := run(t.Context(), env, "calibrate", "--run", val, "--out", pooled, "--config", cfg); c.code != 0 {
		t.Fatalf("calibrate --config: %+v", c)
	}
	if a, b := readFile(t, probe), readFile(t, pooled); a != b {
		t.Errorf("the probe trained on a pool differs from one host's:\n%s\n%s", a, b)
	}
	got, r := muxSignal(t, env, "--run", val, "--confidence", "probe", "--probe", probe)
	if r.code != 0 || got.Signal != "probe" || math.IsNaN(got.Accuracy) {
		t.Fatalf("mux --confidence probe: %+v %+v", got, r)
	}
	a := run(t.Context(), env, "ask", "--models", "demo-addsub,demo-mix", "--samples", "2", "--num-predict", "12", "--confidence", "probe", "--probe", probe, "--json", "What is 20+5?")
	var out engine.AnswerView
	if a.code != 0 || json.Unmarshal([]byte(a.stdout), &out) != nil || out.Signal != "probe" {
		t.Fatalf("ask: %+v", a)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"format":"slmmux-probe/1"`), 0o644)
	for name, args := range map[string][]string{
		"missing": {"--probe", filepath.Join(t.TempDir(), "none.json")},
		"corrupt": {"--probe", bad},
		"foreign": {"--probe", probe, "--models", "demo-mul"},
	} {
		full := append([]string{"ask", "--models", "demo-mix", "--confidence", "probe"}, args...)
		r := run(t.Context(), env, append(full, "What is 1+1?")...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "slmmux calibrate") {
			t.Errorf("%s probe: %+v", name, r)
		}
	}
}

// serve: an ensemble with confidence: embedding votes by clustering the
// replies and answers with the winning cluster's medoid; a config naming
// an embedding model that is missing is refused at start.
func TestServeEmbeddingConfidence(t *testing.T) {
	d := ollamatest.Shared(t)
	cfg := filepath.Join(t.TempDir(), "serve.yaml")
	os.WriteFile(cfg, []byte("ensembles:\n  open:\n    models: [demo-addsub, demo-mix]\n    samples: 3\n    confidence: embedding\n    embed_threshold: 0.95\n"), 0o644)
	base := startServe(t, d, "--config", cfg)
	code, body := post(t, base+"/api/chat", `{"model":"mux:open","stream":false,"messages":[{"role":"user","content":"What is 31+45?"}]}`)
	var out struct {
		Message struct{ Content string } `json:"message"`
		Slmmux  struct {
			Model      string  `json:"model"`
			Confidence float64 `json:"confidence"`
			Members    []struct {
				Model   string   `json:"model"`
				Samples []string `json:"samples"`
			} `json:"members"`
		} `json:"slmmux"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || out.Slmmux.Model == "" || out.Slmmux.Confidence <= 0 {
		t.Fatalf("chat: %d %s", code, body)
	}
	found := false
	for _, m := range out.Slmmux.Members {
		if m.Model == out.Slmmux.Model {
			for _, s := range m.Samples {
				found = found || s == out.Message.Content
			}
		}
	}
	if !found {
		t.Fatalf("the reply %q is none of the winner's samples: %s", out.Message.Content, body)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("ensembles:\n  open:\n    models: [demo-mix]\n    confidence: embedding\n    embed_model: no-such-embedder\n"), 0o644)
	r := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "serve", "--listen", closedPort(t), "--config", bad)
	if r.code != exitUsage || !strings.Contains(r.stderr, "ensembles.open") || !strings.Contains(r.stderr, "embed_model:") {
		t.Fatalf("bad config: exit %d, %q", r.code, r.stderr)
	}
	os.WriteFile(bad, []byte("ensembles:\n  open:\n    confidence: reward\n"), 0o644)
	if r := run(t.Context(), map[string]string{"OLLAMA_HOST": d.Host}, "serve", "--listen", closedPort(t), "--config", bad); r.code != exitUsage || !strings.Contains(r.stderr, "ensembles.open.confidence") {
		t.Fatalf("unknown signal: exit %d, %q", r.code, r.stderr)
	}
}
