package report

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/slmmux/slmmux/engine/search"
)

// SearchTables lays a search out as tables: the best subset per size, the
// ranked list (when kept) and, given the per-objective results of
// search.Compare, each objective's pick with its SLM-MUX accuracy.
func SearchTables(res *search.Result, compare []*search.Result) []Table {
	held := res.HeldOut > 0
	best := Table{Caption: "Best subset per size", Head: subsetHead(held)}
	for _, b := range res.BestByK {
		best.Rows = append(best.Rows, subsetRow(b, held))
	}
	out := []Table{best}
	if len(res.Ranked) > 0 {
		top := Table{Caption: fmt.Sprintf("Top %d subsets", len(res.Ranked)), Head: subsetHead(held)}
		for _, b := range res.Ranked {
			top.Rows = append(top.Rows, subsetRow(b, held))
		}
		out = append(out, top)
	}
	if len(compare) > 0 {
		out = append(out, compareTable(compare))
	}
	return out
}

func subsetHead(heldOut bool) []string {
	h := []string{"K", "Models", "Score", "Union", "Contradiction", "SLM-MUX"}
	if heldOut {
		h = append(h, "SLM-MUX held out")
	}
	return h
}

func subsetRow(s search.Subset, heldOut bool) []string {
	row := []string{fmt.Sprint(len(s.Models)), strings.Join(s.Models, ", "), fmt.Sprintf("%.4f", s.Score),
		pct(s.UnionAcc), pct(s.Contradiction), pct(s.MuxAcc)}
	if heldOut {
		h := "–"
		if s.HeldOutMuxAcc != nil {
			h = pct(*s.HeldOutMuxAcc)
		}
		row = append(row, h)
	}
	return row
}

// compareTable shows, per subset size, each objective's pick and its
// SLM-MUX accuracy (and held-out accuracy, with a split).
func compareTable(results []*search.Result) Table {
	t := Table{Caption: "Which objective picks better: each objective's pick and its SLM-MUX accuracy", Head: []string{"K"}}
	for _, r := range results {
		t.Head = append(t.Head, ObjectiveLabel(r))
	}
	for _, b := range results[0].BestByK {
		k := len(b.Models)
		row := []string{fmt.Sprint(k)}
		for _, r := range results {
			s, _ := r.Best(k)
			cell := fmt.Sprintf("%s: %s", strings.Join(s.Models, ", "), pct(s.MuxAcc))
			if s.HeldOutMuxAcc != nil {
				cell += fmt.Sprintf(" (held out %s)", pct(*s.HeldOutMuxAcc))
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ObjectiveLabel names a result's objective with its settings.
func ObjectiveLabel(r *search.Result) string {
	switch {
	case r.Objective == search.Mux:
		return "mux"
	case r.RobustLevel > 0:
		return fmt.Sprintf("%s (λ=%g, r=%d)", r.Objective, r.Lambda, r.RobustLevel)
	}
	return fmt.Sprintf("%s (λ=%g)", r.Objective, r.Lambda)
}

func (r *Report) searchSection() (section, bool) {
	res := r.Search
	if res == nil {
		return section{}, false
	}
	s := section{ID: "search", Title: "Model selection search", Tables: SearchTables(res, r.Compare)}
	s.Intro = append(s.Intro, fmt.Sprintf("Objective %s, λ=%g, %s; every subset of %d to %d of the %d models (%d subsets) over %d items.",
		res.Objective, res.Lambda, correctness(res.RobustLevel), res.KMin, res.KMax, len(res.Models), res.Evaluated, res.Items))
	if res.HeldOut > 0 {
		s.Intro = append(s.Intro, fmt.Sprintf("%d items were held out of the search; \"held out\" is SLM-MUX accuracy on them.", res.HeldOut))
	}
	if len(r.Compare) > 0 {
		s.Intro = append(s.Intro, "The chart shows each objective's pick's SLM-MUX accuracy; lines are nudged sideways so that objectives picking the same subsets stay visible.")
		s.Charts = append(s.Charts, r.compareChart())
	}
	return s, true
}

func correctness(robust int) string {
	if robust == 0 {
		return "a model is correct when its own answer is"
	}
	return fmt.Sprintf("a model is correct when at least %d of its samples are", robust)
}

func (r *Report) compareChart() template.HTML {
	c := LineChart{Title: "SLM-MUX accuracy of each objective's pick", XLabel: "models in the subset (K)",
		YLabel: "SLM-MUX accuracy", Percent: true, IntegerX: true}
	for i, res := range r.Compare {
		s := Series{Name: string(res.Objective), Color: color(i)}
		h := Series{Name: string(res.Objective) + " (held out)", Color: color(i), Dashed: true}
		// Objectives often pick the same subset: nudge each sideways so
		// coinciding lines stay visible.
		dx := 0.06 * float64(i-(len(r.Compare)-1)/2)
		for _, b := range res.BestByK {
			x := float64(len(b.Models)) + dx
			s.X = append(s.X, x)
			s.Y = append(s.Y, b.MuxAcc)
			if b.HeldOutMuxAcc != nil {
				h.X = append(h.X, x)
				h.Y = append(h.Y, *b.HeldOutMuxAcc)
			}
		}
		c.Series = append(c.Series, s)
		if len(h.X) > 0 {
			c.Series = append(c.Series, h)
		}
	}
	return c.SVG()
}
