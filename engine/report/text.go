package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/search"
)

// The commands' text tables of results; each command chooses between them
// and its JSON.

// accuracyRows starts a results table over n items: its rows are method,
// accuracy, standard error, note; flush the writer when done.
func accuracyRows(w io.Writer, n int) (*tabwriter.Writer, func(name string, acc float64, note string)) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "method\taccuracy\tstderr\t\t\n")
	return tw, func(name string, acc float64, note string) {
		fmt.Fprintf(tw, "%s\t%5.1f %%\t± %.1f\t%s\t\n", name, 100*acc, 100*mux.Stderr(acc, n), note)
	}
}

// WriteResults writes the results table of a replay: SLM-MUX, then the
// baselines (each model alone and with self-consistency, Agent Forest, the
// oracle), then each discussion method the run holds.
func WriteResults(w io.Writer, r mux.SimResult, models []string, discussions []DiscussionRow) error {
	tw, row := accuracyRows(w, r.NItems)
	row("SLM-MUX", r.Accuracy, fmt.Sprintf("k=%d, %d item(s), %d trial(s)", r.K, r.NItems, r.Trials))
	for _, m := range models {
		row(m, r.Single[m], "one sample")
	}
	for _, m := range models {
		row(m+" +SC", r.SingleSC[m], fmt.Sprintf("majority of %d", r.K))
	}
	row("Agent Forest", r.AgentForest, "pooled majority")
	row("Oracle", r.Oracle, "some model right")
	for _, d := range discussions {
		fmt.Fprintf(tw, "%s\t%5.1f %%\t± %.1f\t%d generations, %d output tokens\t\n", d.Method, 100*d.Accuracy, 100*d.Stderr, d.Generations, d.Tokens)
	}
	return tw.Flush()
}

// WriteDiscussions writes the discussion methods' rows of a run; nothing
// when it holds none.
func WriteDiscussions(w io.Writer, rows []DiscussionRow) error {
	if len(rows) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, d := range rows {
		fmt.Fprintf(tw, "%s\t%5.1f %%\t± %.1f\t%d item(s), %d generations, %d output tokens\t\n", d.Method, 100*d.Accuracy, 100*d.Stderr, d.Items, d.Generations, d.Tokens)
	}
	return tw.Flush()
}

// WriteSamplers writes mux --baselines' table of samplers and why a row
// has no numbers; nothing for nil.
func WriteSamplers(w io.Writer, r *mux.SamplerReport) error {
	if r == nil {
		return nil
	}
	cells, notes := r.Table()
	fmt.Fprintf(w, "samplers over every stored sample in sample order, %d item(s); samples/q: mean per question; same: answers as with every sample\n", r.Items)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, c := range cells {
		fmt.Fprintln(tw, strings.Join(c, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	return nil
}

// WriteText writes the demo's table: SLM-MUX over the pool, each model
// alone and with self-consistency, Agent Forest both ways, the oracle,
// then the best pair against the large model with what each cost (params:
// each model's parameters).
func (out *DemoResult) WriteText(w io.Writer, pool []string, params map[string]int) error {
	tw, row := accuracyRows(w, out.NItems)
	row("SLM-MUX", out.Mux.Accuracy, fmt.Sprintf("%d models, k=%d, %d item(s)", len(pool), out.Samples, out.NItems))
	for _, m := range pool {
		row(m, out.Single[m], fmt.Sprintf("one sample, %s params", count(params[m])))
	}
	for _, m := range pool {
		row(m+" +SC", out.SingleSC[m], fmt.Sprintf("majority of %d", out.Samples))
	}
	row("Agent Forest", out.AgentForest, "pooled majority, ties: first seen")
	row("Agent Forest (best_support)", out.AgentForestBestSupport, "pooled majority, ties: best supporter")
	row("Oracle", out.Oracle, "some model right")
	if p := out.BestPair; p != nil {
		row("best pair: "+strings.Join(p.Models, " + "), p.Accuracy,
			fmt.Sprintf("SLM-MUX, %s params, %d tokens, %.1fs", count(p.Params), p.OutputTokens, p.WallSeconds))
	}
	if l := out.Large; l != nil {
		row(l.Model+" (large)", l.Accuracy,
			fmt.Sprintf("one sample, %s params, %d tokens, %.1fs for k=%d", count(l.Params), l.OutputTokens, l.WallSeconds, out.Samples))
		row(l.Model+" (large) +SC", l.AccuracySC, fmt.Sprintf("majority of %d", out.Samples))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d output tokens in %.1fs (%.0f tokens/s)\n", out.Tokens, out.WallSeconds, float64(out.Tokens)/out.WallSeconds)
	return err
}

// count writes 1234567 as 1.23M and 98765 as 98.8K.
func count(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1_000:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// WriteSearch writes a search's tables: what was searched, then the best
// subset per size, the top subsets and the objectives compared
// (SearchTables).
func WriteSearch(w io.Writer, res *search.Result, compare []*search.Result) error {
	fmt.Fprintf(w, "objective %s, %d subsets of %d–%d of %d models over %d items", ObjectiveLabel(res),
		res.Evaluated, res.KMin, res.KMax, len(res.Models), res.Items)
	if res.HeldOut > 0 {
		fmt.Fprintf(w, " (%d held out)", res.HeldOut)
	}
	fmt.Fprintln(w)
	for _, t := range SearchTables(res, compare) {
		fmt.Fprintln(w)
		if err := t.WriteText(w); err != nil {
			return err
		}
	}
	return nil
}

// ProbeTable is calibrate's table: per model, the replies its probe was
// trained on, the share of them correct, and the probe's accuracy on
// them.
func ProbeTable(pf *confidence.ProbeFile, models []string) Table {
	t := Table{Head: []string{"MODEL", "SAMPLES", "CORRECT", "TRAIN ACCURACY"}}
	for _, m := range models {
		p := pf.Models[m]
		t.Rows = append(t.Rows, []string{m, fmt.Sprint(p.Samples), fmt.Sprintf("%.3f", p.PositiveRate), fmt.Sprintf("%.3f", p.TrainAccuracy)})
	}
	return t
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

// WriteStored writes the selection over an adaptively sampled run's
// stored samples: its accuracy, the samples it stored of full sampling's,
// and why it has no baselines.
func WriteStored(w io.Writer, res mux.StoredResult, baselines string) error {
	fmt.Fprintf(w, "SLM-MUX (exact adaptive sampling)  %.1f %% ± %.1f over %d items\n", 100*res.Accuracy, 100*res.Stderr, res.Items)
	fmt.Fprintf(w, "samples stored: %d of %d (%.1f %% not needed)\n", res.Stored, res.Total, 100*(1-float64(res.Stored)/float64(max(res.Total, 1))))
	_, err := fmt.Fprintf(w, "baselines %s\n", baselines)
	return err
}

// WriteAdaptive writes how many samples exact adaptive sampling needs for
// the same selections (nothing when ad is nil).
func WriteAdaptive(w io.Writer, ad *mux.AdaptiveResult) error {
	if ad == nil {
		return nil
	}
	_, err := fmt.Fprintf(w, "adaptive sampling: %d of %d samples needed (%.1f %% saved), identical selections: %v\n",
		ad.SamplesNeeded, ad.SamplesTotal, 100*(1-float64(ad.SamplesNeeded)/float64(max(ad.SamplesTotal, 1))), ad.Identical)
	return err
}
