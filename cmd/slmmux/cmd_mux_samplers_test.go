package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

// mux --baselines: the samplers' rows in text and under baselines.samplers
// in JSON (the other keys as before), CISC saying why it has no numbers on
// a run without confidences, and unknown names refused.
func TestMuxBaselines(t *testing.T) {
	dir := workedRun(t)
	r := runSub(t, (*App).muxCmd, "--run", dir, "--baselines", "esc,ac,cisc", "--json")
	var out struct {
		Accuracy  float64 `json:"accuracy"`
		Baselines struct {
			AgentForest *float64           `json:"agent_forest"`
			Samplers    *mux.SamplerReport `json:"samplers"`
		} `json:"baselines"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || out.Baselines.Samplers == nil || out.Baselines.AgentForest == nil {
		t.Fatalf("mux --baselines --json: %+v", r)
	}
	var names []string
	for _, row := range out.Baselines.Samplers.Rows {
		names = append(names, row.Name+"/"+row.Signal)
	}
	if got := strings.Join(names, " "); got != "SC (every sample)/ ESC w=5/ AC p=0.95/ CISC T=0.1/logprob CISC T=0.1/verbalized exact adaptive/" {
		t.Fatalf("rows %s", got)
	}
	rows := out.Baselines.Samplers.Rows
	if rows[0].Mux.Accuracy != out.Accuracy || rows[5].Mux.Accuracy != out.Accuracy || !strings.Contains(rows[3].Missing, "not recorded") {
		t.Errorf("SC %+v and exact adaptive %+v against SLM-MUX %v; CISC %+v", rows[0].Mux, rows[5].Mux, out.Accuracy, rows[3])
	}
	r = runSub(t, (*App).muxCmd, "--run", dir, "--baselines", "esc:2")
	if r.code != 0 || !strings.Contains(r.stdout, "ESC w=2") || !strings.Contains(r.stdout, "exact adaptive") {
		t.Fatalf("text: %+v", r)
	}
	for _, args := range [][]string{{"--baselines", "esc,foo"}, {"--baselines", "esc", "--samples", "2"}} {
		if r := runSub(t, (*App).muxCmd, append([]string{"--run", dir}, args...)...); r.code != exitUsage || !strings.Contains(r.stderr, "--baselines") {
			t.Errorf("%v: %+v", args, r)
		}
	}
}
