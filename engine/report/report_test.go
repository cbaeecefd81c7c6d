package report

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/search"
)

// wantHeadings are the report's sections, in order.
var wantHeadings = []string{"Results", "Answer attribution", "Per-subject accuracy", "Model selection search", "Scaling", "Run settings"}

// wantCharts: results, attribution, subjects, objective comparison, and
// the samples, models and compute curves.
const wantCharts = 7

var chartTag = regexp.MustCompile(`<svg class="chart"`)

func TestReportHTML(t *testing.T) {
	r := synthReport(t, 200, 9)
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := len(chartTag.FindAllString(page, -1)); n != wantCharts {
		t.Errorf("%d charts, want %d", n, wantCharts)
	}
	for _, h := range wantHeadings {
		if !strings.Contains(page, "<h2>"+h+"</h2>") {
			t.Errorf("missing heading %q", h)
		}
	}
	// Self-contained: nothing to fetch.
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if refs := regexp.MustCompile(`https?://[^"]*`).FindAllString(page, -1); slices.ContainsFunc(refs, func(s string) bool {
		return s != "http://www.w3.org/2000/svg"
	}) {
		t.Errorf("external references: %v", refs)
	}
	// Every chart is well-formed XML on its own (standalone .svg files).
	for _, svg := range regexp.MustCompile(`(?s)<svg class="chart".*?</svg>`).FindAllString(page, -1) {
		wellFormed(t, svg)
	}
	for _, want := range []string{"qwen2.5:7b +SC", "Agent Forest", "Oracle", "Number Theory", "held out", "mux"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func wellFormed(t *testing.T, doc string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("malformed SVG: %v\n%.300s", err, doc)
		}
	}
}

func TestReportMarkdown(t *testing.T) {
	r := synthReport(t, 60, 3)
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, h := range wantHeadings {
		if !strings.Contains(md, "\n## "+h+"\n") {
			t.Errorf("markdown lacks ## %s", h)
		}
	}
	if !strings.Contains(md, "| SLM-MUX |") || !strings.Contains(md, "| --- |") {
		t.Errorf("markdown results table missing:\n%s", md)
	}
	if strings.Contains(md, "<svg") {
		t.Error("markdown carries SVG")
	}
}

// A one-model run without subjects or run.json still reports, with notes.
func TestReportOneModel(t *testing.T) {
	samples, _, _ := synthRun(30, 3, 2)
	recs := make([]mux.Record, len(samples))
	for i, s := range samples {
		recs[i] = mux.Record{Item: s.Item, Model: s.Model, Sample: s.Sample, Answer: s.Answer, Correct: s.Correct}
	}
	ds, err := mux.BuildDataset(recs, []string{"qwen2.5:7b"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(Input{Dir: "one", Dataset: ds, Search: search.DefaultConfig(search.Paper)}, mux.SimConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<h2>Model selection search</h2>") || !strings.Contains(page, "needs at least 2 models") {
		t.Error("one-model run: search section or note wrong")
	}
	if !strings.Contains(page, "no run.json") || !strings.Contains(page, "carry no subjects") {
		t.Error("missing notes for absent run.json / subjects")
	}
}

func TestScaleCSV(t *testing.T) {
	r := synthReport(t, 40, 4)
	var a, b bytes.Buffer
	if err := WriteSamplesCSV(&a, r.Scaling); err != nil {
		t.Fatal(err)
	}
	if err := WriteModelsCSV(&b, r.Scaling); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&a).ReadAll()
	if err != nil || len(rows) != 5 || rows[0][0] != "samples" || rows[1][0] != "1" || rows[1][6] == "" {
		t.Fatalf("samples.csv: %v %v", rows, err)
	}
	rows, err = csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 5 || rows[0][1] != "subset" || rows[4][0] != "4" {
		t.Fatalf("models.csv: %v %v", rows, err)
	}
	// Same seed, same numbers.
	var c bytes.Buffer
	WriteSamplesCSV(&c, synthReport(t, 40, 4).Scaling)
	a.Reset()
	WriteSamplesCSV(&a, r.Scaling)
	if a.String() != c.String() {
		t.Error("scale CSV differs between identical runs")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi  float64
		integer bool
		want    []float64
	}{
		{0.42, 0.81, false, []float64{0.4, 0.5, 0.6, 0.7, 0.8, 0.9}},
		{1, 9, true, []float64{0, 2, 4, 6, 8, 10}},
		{1, 3, true, []float64{1, 2, 3}},
	} {
		got := niceTicks(tc.lo, tc.hi, 5, tc.integer)
		if len(got) != len(tc.want) {
			t.Errorf("niceTicks(%v,%v) = %v, want %v", tc.lo, tc.hi, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-9 {
				t.Errorf("niceTicks(%v,%v) = %v, want %v", tc.lo, tc.hi, got, tc.want)
				break
			}
		}
	}
	if l := tickLabel(0.25, []float64{0.25, 0.5}, true); l != "25%" {
		t.Errorf("label %q", l)
	}
	if l := tickLabel(0.125, []float64{0.1, 0.125}, true); l != "12.5%" {
		t.Errorf("label %q", l)
	}
}

func TestChartEscapesText(t *testing.T) {
	c := BarChart{Title: `a <b> & "c"`, Categories: []string{"x<y"}, Series: []Series{{Name: "s&t", Y: []float64{0.5}, Err: []float64{0.1}}}, Percent: true}
	svg := string(c.SVG())
	if strings.Contains(svg, "<b>") || strings.Contains(svg, "x<y") || !strings.HasPrefix(svg, `<svg class="chart"`) {
		t.Errorf("unescaped: %s", svg)
	}
	wellFormed(t, svg)
	l := LineChart{Title: "empty"}
	wellFormed(t, string(l.SVG()))
}
