package report

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/slmmux/slmmux/engine/search"
)

// NamedChart is a chart with the file stem it is saved under.
type NamedChart struct {
	Name string // "samples", "models" or "compute"
	SVG  template.HTML
}

// ScaleCharts draws the scaling curves: accuracy against samples per model
// (SLM-MUX and Agent Forest, ± SE over trials), against models in the best
// subset (with its union accuracy), and, when the run recorded output
// tokens, against tokens spent per item.
func ScaleCharts(sc *search.Scaling) []NamedChart {
	samples := LineChart{Title: "Adding samples", XLabel: "samples per model (k)", YLabel: "accuracy", Percent: true}
	mx, af := Series{Name: "SLM-MUX"}, Series{Name: "Agent Forest"}
	for _, p := range sc.BySamples {
		x := float64(p.K)
		mx.X, mx.Y, mx.Err = append(mx.X, x), append(mx.Y, p.Mux.Mean), append(mx.Err, p.Mux.SE)
		af.X, af.Y, af.Err = append(af.X, x), append(af.Y, p.AgentForest.Mean), append(af.Err, p.AgentForest.SE)
	}
	samples.Series = []Series{mx, af}

	models := LineChart{Title: fmt.Sprintf("Adding models (best subset, k=%d)", sc.ModelsK), XLabel: "models in the best subset",
		YLabel: "accuracy", Percent: true}
	mm, ma, mu := Series{Name: "SLM-MUX"}, Series{Name: "Agent Forest"}, Series{Name: "union", Dashed: true}
	for _, p := range sc.ByModels {
		x := float64(p.N)
		mm.X, mm.Y, mm.Err = append(mm.X, x), append(mm.Y, p.Mux.Mean), append(mm.Err, p.Mux.SE)
		ma.X, ma.Y, ma.Err = append(ma.X, x), append(ma.Y, p.AgentForest.Mean), append(ma.Err, p.AgentForest.SE)
		mu.X, mu.Y = append(mu.X, x), append(mu.Y, p.Union)
	}
	models.Series = []Series{mm, ma, mu}
	out := []NamedChart{{"samples", samples.SVG()}, {"models", models.SVG()}}

	compute := LineChart{Title: "Accuracy per unit of local compute", XLabel: "output tokens per item",
		YLabel: "accuracy", Percent: true}
	cm, ca := Series{Name: "SLM-MUX, adding samples"}, Series{Name: "Agent Forest, adding samples"}
	for _, p := range sc.BySamples {
		if math.IsNaN(p.Tokens) {
			continue
		}
		cm.X, cm.Y, cm.Err = append(cm.X, p.Tokens), append(cm.Y, p.Mux.Mean), append(cm.Err, p.Mux.SE)
		ca.X, ca.Y, ca.Err = append(ca.X, p.Tokens), append(ca.Y, p.AgentForest.Mean), append(ca.Err, p.AgentForest.SE)
	}
	cs := Series{Name: "SLM-MUX, adding models", Dashed: true}
	for _, p := range sc.ByModels {
		if !math.IsNaN(p.Tokens) {
			cs.X, cs.Y, cs.Err = append(cs.X, p.Tokens), append(cs.Y, p.Mux.Mean), append(cs.Err, p.Mux.SE)
		}
	}
	if len(cm.X) > 0 {
		compute.Series = []Series{cm, ca, cs}
		out = append(out, NamedChart{"compute", compute.SVG()})
	}
	return out
}

// float formats a CSV number; NaN (not recorded) is an empty cell.
func float(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// WriteSamplesCSV writes the samples curve, one row per k: samples,
// trials, mux_acc, mux_se, agent_forest_acc, agent_forest_se,
// tokens_per_item, seconds_per_item (empty when not recorded).
func WriteSamplesCSV(w io.Writer, sc *search.Scaling) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"samples", "trials", "mux_acc", "mux_se", "agent_forest_acc", "agent_forest_se", "tokens_per_item", "seconds_per_item"})
	for _, p := range sc.BySamples {
		cw.Write([]string{strconv.Itoa(p.K), strconv.Itoa(sc.Trials), float(p.Mux.Mean), float(p.Mux.SE),
			float(p.AgentForest.Mean), float(p.AgentForest.SE), float(p.Tokens), float(p.Seconds)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteModelsCSV writes the models curve, one row per model count: models,
// subset (names joined by "+"), samples, trials, score, union_acc, mux_acc,
// mux_se, agent_forest_acc, agent_forest_se, tokens_per_item,
// seconds_per_item.
func WriteModelsCSV(w io.Writer, sc *search.Scaling) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"models", "subset", "samples", "trials", "score", "union_acc", "mux_acc", "mux_se",
		"agent_forest_acc", "agent_forest_se", "tokens_per_item", "seconds_per_item"})
	for _, p := range sc.ByModels {
		cw.Write([]string{strconv.Itoa(p.N), strings.Join(p.Models, "+"), strconv.Itoa(sc.ModelsK), strconv.Itoa(sc.Trials),
			float(p.Score), float(p.Union), float(p.Mux.Mean), float(p.Mux.SE),
			float(p.AgentForest.Mean), float(p.AgentForest.SE), float(p.Tokens), float(p.Seconds)})
	}
	cw.Flush()
	return cw.Error()
}

// ScaleTables lays the curves out as tables for the scale command and the
// report: samples first, then models.
func ScaleTables(sc *search.Scaling) (samples, models Table) {
	samples = Table{Caption: "Adding samples (all models)", Head: []string{"k", "SLM-MUX", "± SE", "Agent Forest", "± SE", "tokens/item", "seconds/item"}}
	for _, p := range sc.BySamples {
		samples.Rows = append(samples.Rows, []string{strconv.Itoa(p.K), pct(p.Mux.Mean), pm(p.Mux.SE),
			pct(p.AgentForest.Mean), pm(p.AgentForest.SE), tokens(p.Tokens), seconds(p.Seconds)})
	}
	models = Table{Caption: fmt.Sprintf("Adding models (best subset by the paper objective, k=%d)", sc.ModelsK),
		Head: []string{"N", "Subset", "SLM-MUX", "± SE", "Agent Forest", "Union", "tokens/item", "seconds/item"}}
	for _, p := range sc.ByModels {
		models.Rows = append(models.Rows, []string{strconv.Itoa(p.N), strings.Join(p.Models, ", "), pct(p.Mux.Mean), pm(p.Mux.SE),
			pct(p.AgentForest.Mean), pct(p.Union), tokens(p.Tokens), seconds(p.Seconds)})
	}
	return samples, models
}

func (r *Report) scalingSection() section {
	sc := r.Scaling
	s := section{ID: "scaling", Title: "Scaling", Intro: []string{fmt.Sprintf(
		"Accuracy as samples per model grow and as models are added (mean ± standard error over %d seeded trial(s), seed %d). Tokens and seconds are spent per item, summed over models, where the run recorded them.",
		sc.Trials, sc.Seed)}}
	a, b := ScaleTables(sc)
	s.Tables = append(s.Tables, a, b)
	for _, c := range ScaleCharts(sc) {
		s.Charts = append(s.Charts, c.SVG)
	}
	return s
}
