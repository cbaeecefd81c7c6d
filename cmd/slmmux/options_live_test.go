package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// TestEvalRecordsPinnedOptions: through the real daemon, run.json records
// every option the requests sent (the defaults older daemons applied where
// neither the run nor the model sets one) and the daemon's version; a run
// resumed on another version says so and keeps both.
func TestEvalRecordsPinnedOptions(t *testing.T) {
	d := ollamatest.Shared(t)
	a := d.TinyModel(t, "pin-a", 43)
	env := map[string]string{"OLLAMA_HOST": d.Host}
	data := writeArith(t, 2)
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"eval", "--bench", "jsonl", "--data", data, "--models", a, "--samples", "1", "--num-predict", "2", "--run", dir}
	if r := run(t.Context(), env, args...); r.code != 0 {
		t.Fatalf("eval: %+v", r)
	}
	var m runstore.Meta
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &m); err != nil {
		t.Fatal(err)
	}
	o := m.Models[0].Options
	if o == nil || o.TopK != 40 || o.TopP == nil || *o.TopP != 0.9 || o.RepeatPenalty == nil || *o.RepeatPenalty != 1.1 || o.NumPredict != 2 || o.NumCtx == 0 || o.Temperature == nil {
		t.Fatalf("run.json models[0].options = %+v: every option must be pinned", o)
	}
	if len(m.Hosts) != 1 || !strings.HasPrefix(m.Hosts[0].Version, "ollama ") {
		t.Fatalf("run.json hosts = %+v: the daemon's version must be recorded", m.Hosts)
	}
	now := m.Hosts[0].Version
	m.Hosts[0].Version = "ollama 0.1.0" // as if the earlier samples came from another daemon
	if err := runstore.WriteJSON(dir, runstore.MetaFile, m); err != nil {
		t.Fatal(err)
	}
	r := run(t.Context(), env, args...)
	if r.code != 0 || !strings.Contains(r.stderr, "now runs "+now) || !strings.Contains(r.stderr, "0.1.0") {
		t.Fatalf("resume on another version: exit %d, stderr %q", r.code, r.stderr)
	}
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &m); err != nil || len(m.Hosts) != 2 {
		t.Fatalf("run.json hosts after the resume: %+v (%v)", m.Hosts, err)
	}
}
