package report

import (
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
)

// RunInput is the Input of a loaded run: its folder, settings, samples,
// items and costs, with its notes and NoAnswerNote; the caller sets the
// search, scale, tie-break and signal settings.
func RunInput(run *engine.Run) Input {
	return Input{Dir: run.Dir, Meta: run.Meta, Dataset: run.Dataset, Items: run.Items, Costs: run.Costs,
		Notes: append(run.Notes, NoAnswerNote(run)...)}
}

// NoAnswerNote says, per model, the share of samples no extraction mode
// could read (a model's confidence means little when most did not parse);
// none when the run has no models.
func NoAnswerNote(run *engine.Run) []string {
	var parts []string
	for _, m := range run.Dataset.Models {
		na := run.NoAnswer[m]
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

// SignalRows are the rows of SLM-MUX under each confidence signal
// (engine.Run.SignalComparison's results).
func SignalRows(res []confidence.SimResult) []SignalRow {
	rows := make([]SignalRow, len(res))
	for i, r := range res {
		rows[i] = SignalRow{Signal: string(r.Method), Accuracy: r.Accuracy, Stderr: r.Stderr,
			Generations: r.Generations, Tokens: r.Tokens, Embeddings: r.Embeddings}
	}
	return rows
}
