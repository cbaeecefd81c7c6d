package engine

import (
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
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

// SignalRows is SLM-MUX under each confidence signal the run recorded
// (its probe.json, as slmmux calibrate writes it, adds the probe), for the
// report, with the signals left out and why; no rows when the run
// recorded nothing beyond consistency. A probe file that cannot be read
// is left out with its error, whether or not there are rows.
func (r *Run) SignalRows(cfg confidence.SimConfig, p mux.Profile) ([]report.SignalRow, []Skipped, error) {
	probe, perr := RunProbe(r.Dir)
	res, skipped, err := r.SignalComparison(cfg, p, probe)
	if err != nil {
		return nil, nil, err
	}
	if len(res) < 2 {
		if perr != nil {
			return nil, []Skipped{{confidence.Probe, perr}}, nil
		}
		return nil, nil, nil
	}
	for i := range skipped {
		if perr != nil && skipped[i].Method == confidence.Probe {
			skipped[i].Err = perr // there is a file, but it cannot be read
		}
	}
	return report.SignalRows(res), skipped, nil
}
