package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCmd(t *testing.T) {
	dir := workedRun(t)
	items := `{"id":"q1","question":"?","reference":"1","subject":"Algebra"}
{"id":"q2","question":"?","reference":"2","subject":"Algebra"}
{"id":"q3","question":"?","reference":"3","subject":"Geometry"}
{"id":"q4","question":"?","reference":"4","subject":"Geometry"}
`
	if err := os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(items), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runSub(t, (*App).reportCmd, "--run", dir, "--trials", "2")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report", "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h2>Per-subject accuracy</h2>", "Geometry", `<svg class="chart"`, "no run.json"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if !strings.Contains(string(md), "## Model selection search") {
		t.Errorf("report.md:\n%s", md)
	}
}

func TestReportCmdBadInput(t *testing.T) {
	dir := workedRun(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--run", t.TempDir()}, "has no samples.jsonl"},
		{[]string{"--run", dir, "--samples", "4"}, "--samples 4: must be between 1 and 3"},
		{[]string{"--run", dir, "--k-max", "9"}, "--k-max 9"},
	} {
		r := runSub(t, (*App).reportCmd, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
	// A one-model run still gets a report, without a search.
	one := writeRun(t, []string{"1"}, []string{"solo"}, map[string][][]string{"solo": {{"1", "2"}}})
	if r := runSub(t, (*App).reportCmd, "--run", one); r.code != 0 {
		t.Errorf("one model: exit %d: %s", r.code, r.stderr)
	}
}
