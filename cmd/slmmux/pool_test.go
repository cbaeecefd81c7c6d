package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/config"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// oneAtATime is a private daemon that holds one model at a time.
func oneAtATime(t testing.TB, dir, addr string) *ollamatest.Daemon {
	return ollamatest.StartT(t, daemon.Options{ModelsDir: dir, Addr: addr, Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
}

// modelProxy forwards to a daemon and records the model of every
// /api/generate request that carries a prompt (not preloads, unloads).
func modelProxy(t *testing.T, host string) (string, func() map[string]int) {
	t.Helper()
	target, _ := url.Parse(host)
	var mu sync.Mutex
	seen := map[string]int{}
	rp := freshProxy(t, target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/generate" {
			var body struct {
				Model, Prompt string
			}
			b, _ := readBody(r)
			if json.Unmarshal(b, &body) == nil && body.Prompt != "" {
				mu.Lock()
				seen[strings.TrimSuffix(body.Model, ":latest")]++
				mu.Unlock()
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(seen)
	}
}

// modelLoads counts the model runners a daemon started, from its log:
// one "runner --model" command line per load, in v0.6.5 and v0.24.0
// alike (v0.24.0 logs "llama runner started" twice per load, and starts
// a runner without a model to discover devices).
func modelLoads(t testing.TB, logPath string) int {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "runner --model ")
}

// readBody reads r's body and puts it back for the proxy.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

func writeConfig(t testing.TB, backends ...[2]string) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("backends:\n")
	for _, b := range backends {
		fmt.Fprintf(&sb, "  - name: %s\n    kind: ollama\n    url: %s\n", b[0], b[1])
	}
	path := filepath.Join(t.TempDir(), "pool.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type evalResult struct {
	Loads int     `json:"loads"`
	WallS float64 `json:"wall_seconds"`
}

func readResults(t testing.TB, dir string) evalResult {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, runstore.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var r evalResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// Two private daemons with different model sets, one model at a time
// each: one eval over all four models completes, each host runs its own
// models (recorded by a proxy in front of each), each model loads once
// (the daemons' logs),
// and the samples equal those of one host holding all four. The wall
// times of both are measured side by side.
func TestPoolEvalOnTwoHosts(t *testing.T) {
	da, db, dall := oneAtATime(t, t.TempDir(), ""), oneAtATime(t, t.TempDir(), ""), oneAtATime(t, t.TempDir(), "")
	for i, m := range []string{"pool-a1", "pool-a2"} {
		da.TinyModel(t, m, int64(71+i))
		dall.TinyModel(t, m, int64(71+i))
	}
	for i, m := range []string{"pool-b1", "pool-b2"} {
		db.TinyModel(t, m, int64(81+i))
		dall.TinyModel(t, m, int64(81+i))
	}
	pa, seenA := modelProxy(t, da.Host)
	pb, seenB := modelProxy(t, db.Host)
	cfg := writeConfig(t, [2]string{"alpha", pa}, [2]string{"beta", pb})
	data := writeArith(t, 12)
	ms := "pool-a1,pool-a2,pool-b1,pool-b2"
	args := func(dir string, extra ...string) []string {
		return append([]string{"eval", "--bench", "jsonl", "--data", data, "--models", ms, "--samples", "2", "--seed", "5",
			"--temperature", "0.7", "--num-predict", "8", "--max-loaded", "1", "--run", dir}, extra...)
	}

	plan := run(t.Context(), nil, "plan", "--config", cfg, "--models", ms, "--max-loaded", "1", "--json")
	var pj report.HostsPlanView
	if plan.code != 0 || json.Unmarshal([]byte(plan.stdout), &pj) != nil || len(pj.Hosts) != 2 {
		t.Fatalf("plan: %+v", plan)
	}
	if fmt.Sprint(pj.Assign) != "map[pool-a1:alpha pool-a2:alpha pool-b1:beta pool-b2:beta]" || len(pj.Hosts[0].Waves) != 2 || pj.Hosts[0].Plan == nil {
		t.Fatalf("plan: %s", plan.stdout)
	}

	pool := filepath.Join(t.TempDir(), "pool")
	r := run(t.Context(), nil, args(pool, "--config", cfg)...)
	if r.code != 0 {
		t.Fatalf("pool eval: %+v", r)
	}
	a, b := seenA(), seenB()
	if fmt.Sprint(a) != "map[pool-a1:24 pool-a2:24]" || fmt.Sprint(b) != "map[pool-b1:24 pool-b2:24]" {
		t.Fatalf("requests per host: alpha %v, beta %v", a, b)
	}
	if !strings.Contains(r.stderr, "host alpha ran pool-a1, pool-a2") || !strings.Contains(r.stderr, "host beta ran pool-b1, pool-b2") {
		t.Fatalf("stderr: %s", r.stderr)
	}
	// Loads, from each daemon's log: each host loads each of its two
	// models once.
	if la, lb := modelLoads(t, da.LogPath), modelLoads(t, db.LogPath); la != 2 || lb != 2 {
		t.Fatalf("model loads: alpha %d, beta %d; want 2 each (each model loads once)", la, lb)
	}
	pr := readResults(t, pool)

	one := filepath.Join(t.TempDir(), "one")
	r = run(t.Context(), map[string]string{"OLLAMA_HOST": dall.Host}, args(one)...)
	if r.code != 0 {
		t.Fatalf("one host: %+v", r)
	}
	or := readResults(t, one)
	got, want := sampleMap(t, pool), sampleMap(t, one)
	if len(got) != 96 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pool samples (%d) differ from one host's (%d)", len(got), len(want))
	}
	if n := modelLoads(t, dall.LogPath); n != 4 {
		t.Fatalf("one host: %d model loads for 4 models", n)
	}
	t.Logf("wall: two hosts %.2fs, one host holding all %.2fs (ratio %.2f)", pr.WallS, or.WallS, or.WallS/pr.WallS)
}

// A host killed mid-run: its model that the other host has moves there,
// its model only it has is dropped with the reason, the run ends
// unavailable (exit 3) with no results.json; once the host is back the
// rerun completes, equal to an uninterrupted run.
func TestPoolHostDiesMidRun(t *testing.T) {
	dirA := t.TempDir()
	da, db := oneAtATime(t, dirA, ""), oneAtATime(t, t.TempDir(), "")
	da.TinyModel(t, "die-a", 91)
	da.TinyModel(t, "die-s", 92)
	db.TinyModel(t, "die-s", 92)
	db.TinyModel(t, "die-b", 93)
	addrA := strings.TrimPrefix(da.Host, "http://")
	cfg := writeConfig(t, [2]string{"alpha", da.Host}, [2]string{"beta", db.Host})
	data := writeArith(t, 10)
	ms := "die-a,die-s,die-b"
	args := func(dir string, extra ...string) []string {
		return append([]string{"eval", "--bench", "jsonl", "--data", data, "--models", ms, "--samples", "2", "--seed", "9",
			"--temperature", "0.7", "--num-predict", "8", "--max-loaded", "1", "--run", dir}, extra...)
	}
	dir := filepath.Join(t.TempDir(), "run")
	done := make(chan result, 1)
	go func() { done <- run(t.Context(), nil, args(dir, "--config", cfg, "--daemon-wait", "2s")...) }()
	// Kill alpha once it has stored a few samples of its own models.
	samples := filepath.Join(dir, runstore.SamplesFile)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if n := countModels(samples, "die-a", "die-s"); n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("alpha stored no samples")
		}
	}
	da.Kill()
	r := <-done
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "model die-s moved: alpha -> beta") ||
		!strings.Contains(r.stderr, "model die-a was dropped from this run: host alpha stayed unreachable") {
		t.Fatalf("host killed: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, runstore.ResultsFile)); !os.IsNotExist(err) {
		t.Fatal("results.json written for an incomplete run")
	}
	t.Logf("the killed run's report:\n%s", r.stderr)
	per := perModel(t, dir)
	if per["die-s"] != 20 || per["die-b"] != 20 || per["die-a"] >= 20 {
		t.Fatalf("after the kill: %v (die-s must be completed on beta)", per)
	}
	oneAtATime(t, dirA, addrA)
	if r := run(t.Context(), nil, args(dir, "--config", cfg)...); r.code != 0 {
		t.Fatalf("rerun: %+v", r)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if r := run(t.Context(), nil, args(whole, "--config", cfg)...); r.code != 0 {
		t.Fatalf("uninterrupted: %+v", r)
	}
	if got, want := sampleMap(t, dir), sampleMap(t, whole); len(got) != 60 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the rerun's samples (%d) differ from an uninterrupted run's", len(got))
	}
}

// ask over the pool: every model answers, each on its host.
func TestPoolAsk(t *testing.T) {
	da, db := oneAtATime(t, t.TempDir(), ""), oneAtATime(t, t.TempDir(), "")
	a, b := da.TinyModel(t, "ask-a", 95), db.TinyModel(t, "ask-b", 96)
	cfg := writeConfig(t, [2]string{"alpha", da.Host}, [2]string{"beta", db.Host})
	r := run(t.Context(), nil, "ask", "--config", cfg, "--samples", "2", "--num-predict", "4", "--max-loaded", "1", "--json", "What is 1+1?")
	var out engine.AnswerView
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || len(out.Models) != 2 {
		t.Fatalf("ask: %+v", r)
	}
	names := []string{out.Models[0].Model, out.Models[1].Model}
	if !slices.Equal(names, []string{a, b}) || out.Models[0].Error != "" || out.Models[1].Error != "" {
		t.Fatalf("models %+v", out.Models)
	}
}

func countModels(path string, ms ...string) int {
	b, _ := os.ReadFile(path)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		for _, m := range ms {
			if strings.Contains(line, `"model":"`+m+`"`) {
				n++
			}
		}
	}
	return n
}

func perModel(t *testing.T, dir string) map[string]int {
	ss, err := runstore.ReadSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, s := range ss {
		out[s.Model]++
	}
	return out
}

// Config errors are usage errors naming the key and line, found before
// any host is contacted.
func TestPoolConfigErrorsNeedNoDaemon(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	host := "http://" + closedPort(t)
	bad := write("bad.yaml", "backends:\n  - name: a\n    kind: ollama\n    url: "+host+"\n    budget: lots\n")
	openai := write("openai.yaml", "backends:\n  - name: v\n    kind: openai\n    url: "+host+"/v1\n")
	keyed := write("keyed.yaml", "backends:\n  - name: a\n    kind: ollama\n    url: "+host+"\n    api_key_env: POOL_KEY\n")
	data := writeArith(t, 2)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad budget", []string{"eval", "--bench", "jsonl", "--data", data, "--run", filepath.Join(dir, "run"), "--config", bad}, `backends[0] (a).budget, line 5 "lots"`},
		{"plan bad budget", []string{"plan", "--config", bad}, "line 5"},
		{"ask bad budget", []string{"ask", "--config", bad, "q?"}, "line 5"},
		{"pool and --backend openai", []string{"plan", "--config", openai, "--backend", "openai", "--base-url", host + "/v1"}, "not both"},
		{"key unset", []string{"plan", "--config", keyed}, "$POOL_KEY is empty"},
		{"footprint and pool", []string{"plan", "--config", keyed, "--footprint", "a=1GiB"}, "drop --footprint"},
		{"serve and bad pool", []string{"serve", "--listen", closedPort(t), "--config", bad}, "line 5"},
		{"missing file", []string{"plan", "--config", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t.Context(), map[string]string{"OLLAMA_HOST": closedPort(t)}, tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", r.code, r.stderr, exitUsage, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "run")); err == nil {
		t.Fatal("the run folder was created")
	}
}

// A remote host without budget: reads it from the host's slmmux serve
// (GET /api/slmmux/probe), sending the key api_key_env names on every
// request (serve --api-key guards the daemon's own routes too).
func TestPoolBudgetFromRemoteSlmmuxServe(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{})
	m := d.TinyModel(t, "probe-m", 97)
	addr := closedPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- run(ctx, map[string]string{"OLLAMA_HOST": d.Host, "SLMMUX_API_KEY": "sekrit"},
			"serve", "--listen", addr, "--models", m, "--samples", "1", "--budget", "3GiB")
	}()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/health"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
	}
	isLocal = func(config.Backend) bool { return false } // as if serve ran on another machine
	t.Cleanup(func() { isLocal = config.Backend.Loopback })
	cfg := filepath.Join(t.TempDir(), "remote.yaml")
	os.WriteFile(cfg, []byte("backends:\n  - name: far\n    kind: ollama\n    url: http://"+addr+"\n    api_key_env: POOL_KEY\n"), 0o644)
	env := map[string]string{"POOL_KEY": "sekrit"}
	r := run(t.Context(), env, "plan", "--config", cfg, "--models", m, "--json")
	var pj report.HostsPlanView
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &pj) != nil {
		t.Fatalf("plan: %+v", r)
	}
	h := pj.Hosts[0]
	if h.Plan == nil || h.Plan.BudgetBytes != 3<<30 || !strings.Contains(h.BudgetSource, "/api/slmmux/probe") {
		t.Fatalf("host plan %+v", h)
	}
	if r := run(t.Context(), env, "ask", "--config", cfg, "--samples", "1", "--num-predict", "3", "What is 1+1?"); r.code != 0 {
		t.Fatalf("ask through the remote serve: %+v", r)
	}
	r = run(t.Context(), map[string]string{"POOL_KEY": "wrong"}, "plan", "--config", cfg, "--models", m)
	if r.code == 0 || !strings.Contains(r.stderr, "401") && !strings.Contains(r.stderr, "API key") {
		t.Fatalf("wrong key: %+v", r)
	}
}

// serve over a pool: the ensemble's members run each on its host (seen by
// a proxy in front of each daemon), and the reply carries every member.
func TestPoolServe(t *testing.T) {
	da, db := oneAtATime(t, t.TempDir(), ""), oneAtATime(t, t.TempDir(), "")
	a, b := da.TinyModel(t, "serve-a", 98), db.TinyModel(t, "serve-b", 99)
	pa, seenA := modelProxy(t, da.Host)
	pb, seenB := modelProxy(t, db.Host)
	cfg := writeConfig(t, [2]string{"alpha", pa}, [2]string{"beta", pb})
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(body, []byte("ensembles:\n  mux:\n    models: ["+a+", "+b+"]\n    samples: 2\n    num_predict: 4\n")...), 0o644)
	base := launchServe(t, map[string]string{"OLLAMA_HOST": da.Host}, "--config", cfg, "--max-loaded", "1")
	code, reply := post(t, base+"/api/chat", `{"model":"mux","stream":false,"messages":[{"role":"user","content":"What is 2+3?"}]}`)
	var out struct {
		Slmmux struct {
			Members []struct {
				Model, Error string
				K            int
			}
		}
	}
	if code != 200 || json.Unmarshal([]byte(reply), &out) != nil || len(out.Slmmux.Members) != 2 {
		t.Fatalf("chat: %d %s", code, reply)
	}
	for _, m := range out.Slmmux.Members {
		if m.Error != "" || m.K != 2 {
			t.Fatalf("member %+v", m)
		}
	}
	if fmt.Sprint(seenA()) != "map["+a+":2]" || fmt.Sprint(seenB()) != "map["+b+":2]" {
		t.Fatalf("requests per host: alpha %v, beta %v", seenA(), seenB())
	}
}

// A pool of an Ollama daemon and an OpenAI-compatible server (another
// daemon's /v1, driven by models/openai): one eval runs each model where it
// is, the OpenAI host's through /v1/chat/completions, and plan says that
// memory planning does not apply to it.
func TestPoolWithAnOpenAIHost(t *testing.T) {
	da, db := oneAtATime(t, t.TempDir(), ""), oneAtATime(t, t.TempDir(), "")
	da.TinyModel(t, "pool-n1", 91)
	db.TinyModel(t, "pool-o1", 92)
	var mu sync.Mutex
	chats := map[string]int{}
	target, _ := url.Parse(db.Host)
	rp := freshProxy(t, target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/chat/completions" {
			var body struct{ Model string }
			b, _ := readBody(r)
			if json.Unmarshal(b, &body) == nil {
				mu.Lock()
				chats[strings.TrimSuffix(body.Model, ":latest")]++
				mu.Unlock()
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	pa, seenA := modelProxy(t, da.Host)
	cfg := filepath.Join(t.TempDir(), "pool.yaml")
	body := "backends:\n  - name: native\n    kind: ollama\n    url: " + pa +
		"\n  - name: compat\n    kind: openai\n    url: " + srv.URL + "/v1\n    max_concurrency: 2\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := run(t.Context(), nil, "plan", "--config", cfg, "--models", "pool-n1,pool-o1", "--json")
	var pj report.HostsPlanView
	if plan.code != 0 || json.Unmarshal([]byte(plan.stdout), &pj) != nil || len(pj.Hosts) != 2 {
		t.Fatalf("plan: %+v", plan)
	}
	if pj.Assign["pool-n1"] != "native" || pj.Assign["pool-o1"] != "compat" || pj.Hosts[1].Plan != nil || pj.Hosts[1].Note == "" {
		t.Fatalf("plan: %s", plan.stdout)
	}
	dir := filepath.Join(t.TempDir(), "run")
	r := run(t.Context(), nil, "eval", "--bench", "jsonl", "--data", writeArith(t, 6), "--models", "pool-n1,pool-o1",
		"--samples", "2", "--num-predict", "6", "--run", dir, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("pool eval: %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if a := seenA(); fmt.Sprint(a) != "map[pool-n1:12]" || fmt.Sprint(chats) != "map[pool-o1:12]" {
		t.Fatalf("native host saw %v, the OpenAI host %v", a, chats)
	}
	if got := sampleMap(t, dir); fmt.Sprint(got) == "" || len(got) != 24 {
		t.Fatalf("%d samples stored, want 24", len(got))
	}
}

// freshProxy is a reverse proxy to target with a transport of its own: the
// shared default transport may hold an idle connection to an earlier
// test's daemon that listened on the same port, and a POST sent on it
// fails with "unexpected EOF" (not retried, as it has a body).
func freshProxy(t testing.TB, target *url.URL) *httputil.ReverseProxy {
	rp := httputil.NewSingleHostReverseProxy(target)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	rp.Transport = tr
	return rp
}
