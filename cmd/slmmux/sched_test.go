package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/daemon"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// With room for one model at a time (OLLAMA_MAX_LOADED_MODELS=1),
// model-major eval loads each model once; the authors' question-major
// order loads them once per item. Loads are counted from the daemon's own
// log (one runner started per load), and eval's own count is logged.
func TestModelMajorLoadsEachModelOnce(t *testing.T) {
	d := ollamatest.StartT(t, daemon.Options{Env: map[string]string{"OLLAMA_MAX_LOADED_MODELS": "1"}})
	ms := []string{d.TinyModel(t, "s1", 31), d.TinyModel(t, "s2", 32), d.TinyModel(t, "s3", 33)}
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := writeArith(t, 4)
	loads := func(order string) int {
		before := runnerStarts(t, d.LogPath)
		dir := filepath.Join(t.TempDir(), order)
		r := run(t.Context(), env, "eval", "--bench", "jsonl", "--data", data, "--models", strings.Join(ms, ","),
			"--samples", "2", "--num-predict", "4", "--max-loaded", "1", "--order", order, "--run", dir)
		if r.code != 0 {
			t.Fatalf("%s: %+v", order, r)
		}
		var res struct {
			Loads int `json:"loads"`
		}
		if err := runstore.ReadJSON(dir, runstore.ResultsFile, &res); err != nil {
			t.Fatal(err)
		}
		daemonLoads := runnerStarts(t, d.LogPath) - before
		if res.Loads != daemonLoads {
			t.Logf("%s: eval counted %d loads, the daemon logged %d", order, res.Loads, daemonLoads)
		}
		return daemonLoads
	}
	if got := loads("model"); got != 3 {
		t.Errorf("model-major: %d loads, want 3 (each model once)", got)
	}
	if got := loads("question"); got != 12 {
		t.Errorf("question-major: %d loads, want 12 (3 models x 4 items)", got)
	}
	// plan agrees, from the daemon's own numbers.
	r := run(t.Context(), env, "plan", "--models", strings.Join(ms, ","), "--samples", "2", "--items", "4", "--max-loaded", "1", "--json")
	var p report.PlanView
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &p) != nil {
		t.Fatalf("plan: %+v", r)
	}
	if len(p.Waves) != 3 || p.Loads != 3 || p.QuestionMajorLoads != 12 || p.Footprints[0].Bytes == 0 {
		t.Fatalf("plan %+v", p)
	}
}

func TestPlanWithoutDaemon(t *testing.T) {
	env := map[string]string{"OLLAMA_HOST": closedPort(t)}
	r := run(t.Context(), env, "plan", "--footprint", "a=4.7GiB,b=2GiB", "--footprint", "c=1GiB", "--budget", "6GiB", "--json")
	var p report.PlanView
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &p) != nil {
		t.Fatalf("plan: %+v", r)
	}
	if p.BudgetBytes != 6<<30 || len(p.Waves) != 2 || len(p.Refused) != 0 {
		t.Fatalf("plan %+v", p)
	}
	r = run(t.Context(), env, "plan", "--footprint", "big=9GiB,a=1GiB", "--budget", "8GiB")
	if r.code != 0 || !strings.Contains(r.stdout, "refused") || !strings.Contains(r.stdout, "big") {
		t.Fatalf("refusal: %+v", r)
	}
	r = run(t.Context(), env, "plan", "--footprint", "a=lots", "--budget", "8GiB")
	if r.code != exitUsage {
		t.Fatalf("bad footprint: %+v", r)
	}
}

// runnerStarts counts the model loads a daemon has logged: each starts a
// runner process for the model's file (`ollama runner --model BLOB`), on
// v0.6.5 and v0.24.0 alike; v0.24.0 logs "llama runner started" twice per
// load, so that line does not count them.
func runnerStarts(t testing.TB, logPath string) int {
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), " runner --model ")
}
