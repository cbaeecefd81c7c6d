package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/slmmux/slmmux/engine/mux"
)

// section is one part of the page and of the summary: the same prose and
// tables in both, charts on the page only.
type section struct {
	ID, Title string
	Intro     []string
	Tables    []Table
	Charts    []template.HTML
}

// card is one headline number.
type card struct {
	Label, Value, Note string
}

// cards are the headline: SLM-MUX against the strongest baselines.
func (r *Report) cards() []card {
	res, n := r.Results, r.Results.NItems
	best, bestAcc := "", -1.0
	for _, m := range r.Models {
		if a := res.SingleSC[m]; a > bestAcc {
			best, bestAcc = m, a
		}
	}
	v := func(p float64) string { return fmt.Sprintf("%s %s", pct(p), pm(mux.Stderr(p, n))) }
	return []card{
		{"SLM-MUX", v(res.Accuracy), fmt.Sprintf("%d models, k=%d, %d items", len(r.Models), res.K, n)},
		{"Best single model", v(bestAcc), best + " with self-consistency"},
		{"Agent Forest", v(res.AgentForest), "all samples pooled, majority"},
		{"Oracle", pct(res.Oracle), "some model's own answer right"},
	}
}

// Table is a captioned table of preformatted cells, for the page, the
// summary and the commands' text output.
type Table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

// WriteText writes t aligned in columns for a terminal, caption first.
func (t Table) WriteText(w io.Writer) error {
	if t.Caption != "" {
		fmt.Fprintf(w, "%s\n", t.Caption)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.Head, "\t"))
	for _, r := range t.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func pm(x float64) string { return fmt.Sprintf("± %.1f", 100*x) }

// tokens formats a token count (– when not recorded).
func tokens(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.0f", x)
}

// seconds formats a duration in seconds (– when not recorded).
func seconds(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

// sections lays the report out in reading order.
func (r *Report) sections() []section {
	out := []section{r.resultsSection(), r.attributionSection(), r.subjectsSection()}
	if s, ok := r.searchSection(); ok {
		out = append(out, s)
	}
	out = append(out, r.scalingSection(), r.settingsSection())
	if len(r.Notes) > 0 {
		out = append(out, section{ID: "notes", Title: "Notes", Intro: r.Notes})
	}
	return out
}

func (r *Report) settingsSection() section {
	s := section{ID: "settings", Title: "Run settings"}
	kv := Table{Head: []string{"Setting", "Value"}}
	add := func(k, v string) {
		if v != "" && v != "0" {
			kv.Rows = append(kv.Rows, []string{k, v})
		}
	}
	add("Run folder", r.Dir)
	if m := r.Meta; m != nil {
		add("Benchmark", m.Benchmark)
		add("Data", m.Data)
		add("Samples per model (run)", fmt.Sprint(m.Samples))
		add("Temperature", fmt.Sprint(m.Temperature))
		add("Seed", fmt.Sprint(m.Seed))
		add("num_predict", fmt.Sprint(m.NumPredict))
		add("num_ctx", fmt.Sprint(m.NumCtx))
		add("Item limit", fmt.Sprint(m.Limit))
		add("Prompt style", m.PromptStyle)
		add("Prompt hash", m.PromptHash)
		if !m.Created.IsZero() {
			add("Created", m.Created.UTC().Format("2006-01-02 15:04 MST"))
		}
		add("slmmux version", m.Version)
	} else {
		s.Intro = append(s.Intro, "The run folder has no run.json: settings below are the replay's only.")
	}
	add("Models", strings.Join(r.Models, ", "))
	add("Items", fmt.Sprint(r.Results.NItems))
	add("Replay", fmt.Sprintf("k=%d samples per model, %d trial(s), seed %d, profile %s", r.Config.K, r.Results.Trials, r.Config.Seed, profileName(r.Config.Profile)))
	add("Tie-break", tieBreak(r.Results.TieBreak))
	s.Tables = append(s.Tables, kv)
	if r.Meta != nil && len(r.Meta.Models) > 0 {
		mt := Table{Head: []string{"Model", "Digest"}}
		for _, m := range r.Meta.Models {
			mt.Rows = append(mt.Rows, []string{m.Name, m.Digest})
		}
		s.Tables = append(s.Tables, mt)
	}
	return s
}

func profileName(p mux.Profile) string {
	if p == "" {
		return string(mux.Paper)
	}
	return string(p)
}

func tieBreak(t mux.TieBreak) string {
	switch t {
	case mux.TieVal:
		return "val: validation accuracy, then model order"
	case mux.TieAgreement:
		return "agreement: label-free reliability (leave-one-out agreement with the other models), then model order"
	}
	return "order: model order"
}

// TieTable is SLM-MUX's accuracy under each tie-break, for the report and
// the command's output.
func (r *Report) TieTable() Table {
	t := Table{Head: []string{"Tie-break", "SLM-MUX", "± SE", "Note"}}
	for _, row := range r.Ties {
		note := map[mux.TieBreak]string{mux.TieVal: "validation accuracy", mux.TieAgreement: "no labels: leave-one-out agreement",
			mux.TieOrder: "model order"}[row.Rule]
		if row.Used {
			note += " (used above)"
		}
		t.Rows = append(t.Rows, []string{string(row.Rule), pct(row.Accuracy), pm(row.Stderr), note})
	}
	return t
}

// SignalTable is SLM-MUX's accuracy under each confidence signal the run
// recorded, with its cost, for the report and the command's output.
func (r *Report) SignalTable() Table {
	t := Table{Head: []string{"Confidence signal", "SLM-MUX", "± SE", "Generations", "Tokens", "Embeddings"}}
	for _, row := range r.Signals {
		t.Rows = append(t.Rows, []string{row.Signal, pct(row.Accuracy), pm(row.Stderr),
			fmt.Sprintf("%.0f", row.Generations), fmt.Sprintf("%.0f", row.Tokens), fmt.Sprintf("%.0f", row.Embeddings)})
	}
	return t
}

func (r *Report) resultsSection() section {
	res, n := r.Results, r.Results.NItems
	s := section{ID: "results", Title: "Results", Intro: []string{fmt.Sprintf(
		"SLM-MUX and its baselines over %d items at k=%d samples per model. ± is the binomial standard error √(p(1−p)/n).", n, res.K)}}
	t := Table{Head: []string{"Method", "Accuracy", "± SE", "Note"}}
	var bars Series
	var cats []string
	// Colours group the methods: SLM-MUX, one sample, self-consistency,
	// Agent Forest, oracle.
	row := func(name string, acc float64, note string, col string) {
		t.Rows = append(t.Rows, []string{name, pct(acc), pm(mux.Stderr(acc, n)), note})
		cats = append(cats, name)
		bars.Y = append(bars.Y, acc)
		bars.Err = append(bars.Err, mux.Stderr(acc, n))
		bars.Colors = append(bars.Colors, col)
	}
	note := fmt.Sprintf("k=%d, %d trial(s)", res.K, res.Trials)
	if res.Trials > 1 {
		note += fmt.Sprintf(", trial spread %s", pm(res.TrialStd))
	}
	row("SLM-MUX", res.Accuracy, note, palette[0])
	for _, m := range r.Models {
		row(m, res.Single[m], "one sample", "#a9b4c2")
	}
	for _, m := range r.Models {
		row(m+" +SC", res.SingleSC[m], fmt.Sprintf("majority of %d", res.K), "#56B4E9")
	}
	row("Agent Forest", res.AgentForest, "pooled majority", palette[1])
	row("Oracle", res.Oracle, "some model's own answer right", palette[2])
	for _, d := range r.Discussions {
		t.Rows = append(t.Rows, []string{d.Method, pct(d.Accuracy), pm(d.Stderr), fmt.Sprintf("discussion: %d items, %d generations, %d output tokens", d.Items, d.Generations, d.Tokens)})
		cats = append(cats, d.Method)
		bars.Y = append(bars.Y, d.Accuracy)
		bars.Err = append(bars.Err, d.Stderr)
		bars.Colors = append(bars.Colors, "#CC79A7")
	}
	s.Tables = append(s.Tables, t)
	if len(r.Ties) > 0 {
		s.Intro = append(s.Intro, "Ties between equally confident models went by "+tieBreak(res.TieBreak)+
			". The second table replays SLM-MUX with the same draws under each tie-break (val only when validation accuracies are given).")
		s.Tables = append(s.Tables, r.TieTable())
	}
	if len(r.Signals) > 0 {
		s.Intro = append(s.Intro, "The last table replays SLM-MUX under each confidence signal the run recorded (consistency: the share of a model's samples giving its answer; see docs/how-it-works.md in the slmmux repository), with the generations, tokens and embedding requests each costs.")
		s.Tables = append(s.Tables, r.SignalTable())
	}
	s.Charts = append(s.Charts, BarChart{Title: "Accuracy by method", YLabel: "accuracy", Categories: cats,
		Series: []Series{bars}, Percent: true, Width: 480, Height: 340}.SVG())
	return s
}

func (r *Report) attributionSection() section {
	res, n := r.Results, float64(r.Results.NItems)
	s := section{ID: "attribution", Title: "Answer attribution", Intro: []string{
		"How often SLM-MUX chose each model's answer (share of items, mean over trials) and how often the chosen answer was right."}}
	t := Table{Head: []string{"Model", "Chosen", "Chosen and right", "Right when chosen"}}
	chosen, right := Series{Name: "chosen"}, Series{Name: "chosen and right"}
	for _, m := range r.Models {
		a := res.Attribution[m]
		prec := math.NaN()
		if a.Chosen > 0 {
			prec = a.Correct / a.Chosen
		}
		t.Rows = append(t.Rows, []string{m, pct(a.Chosen / n), pct(a.Correct / n), pct(prec)})
		chosen.Y = append(chosen.Y, a.Chosen/n)
		right.Y = append(right.Y, a.Correct/n)
	}
	s.Tables = append(s.Tables, t)
	s.Charts = append(s.Charts, BarChart{Title: "Whose answer SLM-MUX chose", YLabel: "share of items",
		Categories: r.Models, Series: []Series{chosen, right}, Percent: true}.SVG())
	return s
}

func (r *Report) subjectsSection() section {
	s := section{ID: "subjects", Title: "Per-subject accuracy"}
	if len(r.Subjects) == 0 {
		s.Intro = []string{"The run's items carry no subjects (items.jsonl has no \"subject\" field), so there is no per-subject breakdown."}
		return s
	}
	s.Intro = []string{fmt.Sprintf("The same replay on each subject's items; model columns are self-consistency (majority of k=%d).", r.Config.K)}
	t := Table{Head: append(append([]string{"Subject", "Items", "SLM-MUX"}, r.Models...), "Agent Forest", "Oracle")}
	series := []Series{{Name: "SLM-MUX"}}
	for _, m := range r.Models {
		series = append(series, Series{Name: m})
	}
	series = append(series, Series{Name: "Oracle"})
	var cats []string
	for _, row := range r.Subjects {
		cells := []string{row.Subject, fmt.Sprint(row.Items), pct(row.Accuracy)}
		series[0].Y = append(series[0].Y, row.Accuracy)
		for i, m := range r.Models {
			cells = append(cells, pct(row.SingleSC[m]))
			series[i+1].Y = append(series[i+1].Y, row.SingleSC[m])
		}
		cells = append(cells, pct(row.AgentForest), pct(row.Oracle))
		series[len(series)-1].Y = append(series[len(series)-1].Y, row.Oracle)
		t.Rows = append(t.Rows, cells)
		cats = append(cats, row.Subject)
	}
	s.Tables = append(s.Tables, t)
	s.Charts = append(s.Charts, BarChart{Title: "Accuracy by subject", YLabel: "accuracy", Categories: cats,
		Series: series, Percent: true, Width: 900, Height: 380}.SVG())
	return s
}
