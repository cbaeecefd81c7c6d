package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine/runstore"
)

// runSub drives one subcommand the way App.Run does (exit code included),
// whether or not the root command registers it yet.
func runSub(t *testing.T, mk func(*App) *cobra.Command, args ...string) result {
	t.Helper()
	name := mk(&App{}).Name()
	return run(t.Context(), nil, append([]string{name}, args...)...)
}

// writeRun writes samples.jsonl for answers[model][item] = samples, with
// refs the items' correct answers.
func writeRun(t *testing.T, refs []string, models []string, answers map[string][][]string) string {
	t.Helper()
	dir := t.TempDir()
	var ss []runstore.Sample
	for _, m := range models {
		for i, samples := range answers[m] {
			for j, a := range samples {
				ss = append(ss, runstore.Sample{Item: fmt.Sprint("q", i+1), Model: m, Sample: j, Answer: a,
					Correct: a != "" && a == refs[i], OutputTokens: 100 + 10*j, DurationMS: 500})
			}
		}
	}
	if err := runstore.WriteJSONL(dir, runstore.SamplesFile, ss); err != nil {
		t.Fatal(err)
	}
	return dir
}

// workedRun is spec §4.5's example as a run folder.
func workedRun(t *testing.T) string {
	return writeRun(t, []string{"1", "2", "3", "4"}, []string{"A", "B", "C"}, map[string][][]string{
		"A": {{"1", "1", "1"}, {"3", "3", "3"}, {"1", "3", "4"}, {"5", "5", "6"}},
		"B": {{"2", "2", "2"}, {"2", "2", "5"}, {"4", "4", "4"}, {"6", "6", "7"}},
		"C": {{"1", "2", "3"}, {"2", "", ""}, {"", "", ""}, {"7", "7", "7"}},
	})
}

func TestSearchCmdJSON(t *testing.T) {
	dir := workedRun(t)
	r := runSub(t, (*App).searchCmd, "--run", dir, "--objective", "official", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Objective string  `json:"objective"`
		Lambda    float64 `json:"lambda"`
		KMax      int     `json:"k_max"`
		BestByK   map[string]struct {
			Models        []string `json:"models"`
			Score         float64  `json:"score"`
			UnionAcc      float64  `json:"union_acc"`
			Contradiction float64  `json:"contradiction"`
			MuxAcc        *float64 `json:"mux_acc"`
		} `json:"best_by_k"`
		Ranked  []json.RawMessage `json:"ranked"`
		Compare []struct {
			Objective string `json:"objective"`
		} `json:"compare"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	b2, b3 := got.BestByK["2"], got.BestByK["3"]
	if got.Objective != "official" || got.Lambda != 0.5 || got.KMax != 3 ||
		strings.Join(b2.Models, ",") != "A,C" || b2.Score != 0.25 || b2.MuxAcc == nil ||
		strings.Join(b3.Models, ",") != "A,B,C" || b3.Score != 0 || len(got.Ranked) != 4 || len(got.Compare) != 3 {
		t.Errorf("unexpected search JSON:\n%s", r.stdout)
	}
	// λ=1: the best K=3 is still a subset (the authors' code returns []).
	r = runSub(t, (*App).searchCmd, "--run", dir, "--objective", "official", "--lambda", "1", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"score": -0.5`) {
		t.Errorf("λ=1: exit %d\n%s", r.code, r.stdout)
	}
	r = runSub(t, (*App).searchCmd, "--run", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Best subset per size") || !strings.Contains(r.stdout, "A, C") {
		t.Errorf("text output: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestSearchCmdBadInput(t *testing.T) {
	worked := workedRun(t)
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, runstore.SamplesFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	one := writeRun(t, []string{"1"}, []string{"solo"}, map[string][][]string{"solo": {{"1", "2"}}})
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"no run flag", nil, "--run DIR is required"},
		{"no samples", []string{"--run", t.TempDir()}, "has no samples.jsonl"},
		{"empty run", []string{"--run", empty}, "holds no samples"},
		{"one model", []string{"--run", one}, "only one model (solo)"},
		{"k beyond pool", []string{"--run", worked, "--k-max", "4"}, "--k-max 4: the pool has only 3 models"},
		{"k-min beyond pool", []string{"--run", worked, "--k-min", "4"}, "--k-min 4: the pool has only 3 models"},
		{"objective", []string{"--run", worked, "--objective", "best"}, "unknown objective"},
		{"holdout", []string{"--run", worked, "--holdout", "1.5"}, "--holdout 1.5: must be at least 0"},
		{"unknown model", []string{"--run", worked, "--models", "A,Z"}, `model "Z" has no samples`},
	} {
		r := runSub(t, (*App).searchCmd, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 with %q", tc.name, r.code, r.stderr, tc.msg)
		}
	}
}

func TestMuxAdaptive(t *testing.T) {
	r := runSub(t, (*App).muxCmd, "--run", workedRun(t), "--adaptive", "--json")
	var out struct {
		Adaptive struct {
			SamplesNeeded int  `json:"samples_needed"`
			SamplesTotal  int  `json:"samples_total"`
			Identical     bool `json:"identical"`
		} `json:"adaptive"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || !out.Adaptive.Identical ||
		out.Adaptive.SamplesTotal != 36 || out.Adaptive.SamplesNeeded >= 36 {
		t.Fatalf("mux --adaptive: %+v", r)
	}
	if r := runSub(t, (*App).muxCmd, "--run", workedRun(t), "--adaptive", "--profile", "official"); r.code != exitUsage {
		t.Fatalf("official: %+v", r)
	}
}

// --tie-break: the default follows what was given, the rule is named in
// text and JSON, and a rule without what it needs is a usage error.
func TestMuxTieBreak(t *testing.T) {
	dir := workedRun(t)
	rule := func(args ...string) (string, float64) {
		t.Helper()
		r := runSub(t, (*App).muxCmd, append([]string{"--run", dir, "--json"}, args...)...)
		var out struct {
			TieBreak string  `json:"tie_break"`
			Accuracy float64 `json:"accuracy"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
			t.Fatalf("mux %v: %+v", args, r)
		}
		return out.TieBreak, out.Accuracy
	}
	if got, _ := rule(); got != "agreement" {
		t.Errorf("default without accuracies: %q, want agreement", got)
	}
	if got, _ := rule("--val-acc", "A=0.5,B=0.9"); got != "val" {
		t.Errorf("default with --val-acc: %q, want val", got)
	}
	if got, _ := rule("--val-acc", "A=0.5,B=0.9", "--tie-break", "order"); got != "order" {
		t.Errorf("--tie-break order: %q", got)
	}
	r := runSub(t, (*App).muxCmd, "--run", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "tie-break: agreement") {
		t.Fatalf("text output names no rule: %+v", r)
	}
	for _, args := range [][]string{{"--tie-break", "val"}, {"--tie-break", "random"}} {
		if r := runSub(t, (*App).muxCmd, append([]string{"--run", dir}, args...)...); r.code != exitUsage || !strings.Contains(r.stderr, "--tie-break") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	r = runSub(t, (*App).searchCmd, "--run", dir, "--json", "--tie-break", "order")
	if r.code != 0 || !strings.Contains(r.stdout, `"tie_break": "order"`) {
		t.Fatalf("search --json: %+v", r)
	}
	for _, args := range [][]string{{"--tie-break", "agreement", "q"}, {"--tie-break", "val", "q"}, {"--tie-break", "x", "q"}} {
		if r := runSub(t, (*App).askCmd, args...); r.code != exitUsage || !strings.Contains(r.stderr, "--tie-break") {
			t.Errorf("ask %v: %+v", args, r)
		}
	}
}
