package engine

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// One question (right answer 1): a's two samples say 1 and 2, b's say 1
// twice, c's 1 twice without any signal.
func TestSamplerComparisonSignals(t *testing.T) {
	dir := t.TempDir()
	f := func(x float64) *float64 { return &x }
	reply := "80"
	samples := []runstore.Sample{
		// logprob: 0.5 < 0.9, so CISC takes a's 2; verbalized: an
		// unreadable rating (0) < 0.3, also 2.
		{Item: "q1", Model: "a", Sample: 0, Answer: "1", Correct: true, LogprobMean: f(math.Log(0.5)), VerbalReply: &reply},
		{Item: "q1", Model: "a", Sample: 1, Answer: "2", LogprobMean: f(math.Log(0.9)), VerbalReply: &reply, Verbal: f(0.3)},
		{Item: "q1", Model: "b", Sample: 0, Answer: "1", Correct: true, LogprobMean: f(math.Log(0.9))},
		{Item: "q1", Model: "b", Sample: 1, Answer: "1", Correct: true, LogprobMean: f(math.Log(0.9))},
		{Item: "q1", Model: "c", Sample: 0, Answer: "1", Correct: true},
		{Item: "q1", Model: "c", Sample: 1, Answer: "1", Correct: true},
	}
	var lines []byte
	for _, s := range samples {
		b, _ := json.Marshal(s)
		lines = append(append(lines, b...), '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, runstore.SamplesFile), lines, 0o644); err != nil {
		t.Fatal(err)
	}
	cisc := []mux.Sampler{{Kind: mux.CISC}}
	r, err := LoadRun(dir, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.SamplerComparison(cisc, mux.SimConfig{})
	if err != nil {
		t.Fatal(err)
	}
	lp, vb := rep.Rows[1], rep.Rows[2]
	if lp.Signal != "logprob" || lp.Missing != "" || lp.Models["a"].Accuracy != 0 || lp.Models["b"].Accuracy != 1 || lp.Mux.Accuracy != 1 {
		t.Errorf("logprob: %+v", lp)
	}
	if vb.Signal != "verbalized" || !strings.Contains(vb.Missing, "not recorded for every sample: 2 of 4") || vb.Mux != nil {
		t.Errorf("verbalized: %+v", vb)
	}

	r, err = LoadRun(dir, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = r.SamplerComparison(cisc, mux.SimConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if vb := rep.Rows[2]; vb.Missing != "" || vb.Models["a"].Accuracy != 0 {
		t.Errorf("verbalized over a: %+v", vb)
	}

	r, err = LoadRun(dir, []string{"c"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = r.SamplerComparison(append(cisc, mux.Sampler{Kind: mux.ESC}), mux.SimConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if lp := rep.Rows[1]; lp.Missing != "not recorded: the run was collected without the logprob signal" {
		t.Errorf("c has no logprob: %+v", lp)
	}
	if esc := rep.Rows[3]; esc.Name != "ESC w=5" || esc.Mux == nil || esc.Mux.Accuracy != 1 || esc.Mux.Samples != 2 {
		t.Errorf("ESC beside CISC: %+v", esc)
	}
}

// The report's signal rows: consistency and logprob over a and b (every
// sample has a log-probability); embedding and verbalized (not recorded)
// and probe (no probe.json) are left out, each with its reason; a probe
// file that cannot be read is left out with its error.
func TestSignalRowsSkipped(t *testing.T) {
	dir := t.TempDir()
	f := func(x float64) *float64 { return &x }
	var lines []byte
	for _, s := range []runstore.Sample{
		{Item: "q1", Model: "a", Sample: 0, Answer: "1", Correct: true, LogprobMean: f(-0.7)},
		{Item: "q1", Model: "a", Sample: 1, Answer: "2", LogprobMean: f(-0.1)},
		{Item: "q1", Model: "b", Sample: 0, Answer: "1", Correct: true, LogprobMean: f(-0.1)},
		{Item: "q1", Model: "b", Sample: 1, Answer: "1", Correct: true, LogprobMean: f(-0.1)},
	} {
		b, _ := json.Marshal(s)
		lines = append(append(lines, b...), '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, runstore.SamplesFile), lines, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRun(dir, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	rows, skipped, err := r.SignalRows(confidence.SimConfig{}, mux.Paper)
	if err != nil {
		t.Fatal(err)
	}
	why := map[confidence.Method]error{}
	for _, s := range skipped {
		why[s.Method] = s.Err
	}
	if len(rows) != 2 || !errors.Is(why[confidence.Probe], ErrNoProbe) || !errors.Is(why[confidence.Embedding], ErrSignalData) || len(skipped) != 3 {
		t.Fatalf("rows %+v, skipped %+v", rows, skipped)
	}
	if err := os.WriteFile(filepath.Join(dir, runstore.ProbeFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, skipped, err = r.SignalRows(confidence.SimConfig{}, mux.Paper)
	for _, s := range skipped {
		if s.Method == confidence.Probe && (errors.Is(s.Err, ErrNoProbe) || !strings.Contains(s.Err.Error(), runstore.ProbeFile)) {
			t.Fatalf("corrupt probe file: %v", s.Err)
		}
	}
	if err != nil || len(skipped) != 3 {
		t.Fatalf("corrupt probe file: %+v, %v", skipped, err)
	}
}
