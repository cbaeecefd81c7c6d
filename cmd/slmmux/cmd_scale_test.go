package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScaleCmd(t *testing.T) {
	dir := workedRun(t)
	out := filepath.Join(t.TempDir(), "scale")
	r := runSub(t, (*App).scaleCmd, "--run", dir, "--out", out, "--trials", "4", "--seed", "9")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, f := range []string{"samples.csv", "models.csv", "samples.svg", "models.svg", "compute.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	first, _ := os.ReadFile(filepath.Join(out, "samples.csv"))
	r = runSub(t, (*App).scaleCmd, "--run", dir, "--out", out, "--trials", "4", "--seed", "9")
	again, _ := os.ReadFile(filepath.Join(out, "samples.csv"))
	if r.code != 0 || string(first) != string(again) {
		t.Errorf("same seed, different samples.csv:\n%s\n%s", first, again)
	}
	if !strings.HasPrefix(string(first), "samples,trials,mux_acc,mux_se,agent_forest_acc") || strings.Count(string(first), "\n") != 4 {
		t.Errorf("samples.csv:\n%s", first)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--run", dir, "--samples", "1..4"}, "between 1 and 3"},
		{[]string{"--run", dir, "--samples", "x"}, "want a range like 1..9"},
		{[]string{"--run", dir, "--k-max", "4"}, "--k-max 4: the pool has 3 model(s)"},
		{[]string{"--run", dir, "--trials", "0"}, "--trials 0"},
	} {
		r := runSub(t, (*App).scaleCmd, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
}
