package engine

import (
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/report"
)

// ReportInput is the report's Input of the run: its folder, settings,
// samples, items, costs and discussion methods, with its notes and
// NoAnswerNote; the caller sets the search, scale, tie-break and signal
// settings.
func (r *Run) ReportInput() (report.Input, error) {
	in := report.Input{Dir: r.Dir, Meta: r.Meta, Dataset: r.Dataset, Items: r.Items, Costs: r.Costs,
		Notes: append(r.Notes, r.NoAnswerNote()...)}
	var err error
	in.Discussions, err = r.DiscussionReport()
	return in, err
}

// NoAnswerNote says, per model, the share of samples no extraction mode
// could read (a model's confidence means little when most did not parse);
// none when the run has no models.
func (r *Run) NoAnswerNote() []string {
	var parts []string
	for _, m := range r.Dataset.Models {
		na := r.NoAnswer[m]
		pct := func(p *float64) string {
			if p == nil {
				return "not recorded"
			}
			return fmt.Sprintf("%.1f %%", 100**p)
		}
		parts = append(parts, fmt.Sprintf("%s %s strict, %s flexible", m, pct(na.Strict), pct(na.Flexible)))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{"Samples with no extractable answer: " + strings.Join(parts, "; ") + "."}
}
