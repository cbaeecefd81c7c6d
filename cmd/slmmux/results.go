package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
)

// printResults writes the results table: SLM-MUX, then the baselines.
func printResults(w io.Writer, r mux.SimResult, models []string, discussions []engine.MethodRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	n := r.NItems
	row := func(name string, acc float64, note string) {
		fmt.Fprintf(tw, "%s\t%5.1f %%\t± %.1f\t%s\t\n", name, 100*acc, 100*mux.Stderr(acc, n), note)
	}
	fmt.Fprintf(tw, "method\taccuracy\tstderr\t\t\n")
	row("SLM-MUX", r.Accuracy, fmt.Sprintf("k=%d, %d item(s), %d trial(s)", r.K, n, r.Trials))
	for _, m := range models {
		row(m, r.Single[m], "one sample")
	}
	for _, m := range models {
		row(m+" +SC", r.SingleSC[m], fmt.Sprintf("majority of %d", r.K))
	}
	row("Agent Forest", r.AgentForest, "pooled majority")
	row("Oracle", r.Oracle, "some model right")
	for _, d := range discussions {
		fmt.Fprintf(tw, "%s\t%5.1f %%\t± %.1f\t%d generations, %d output tokens\t\n", d.Method, 100*d.Accuracy, 100*d.Stderr, d.Generations, d.OutputTokens)
	}
	tw.Flush()
}

// printSamplers prints mux --baselines' table and why a row has no numbers.
func printSamplers(w io.Writer, r *mux.SamplerReport) {
	if r == nil {
		return
	}
	cells, notes := r.Table()
	fmt.Fprintf(w, "samplers over every stored sample in sample order, %d item(s); samples/q: mean per question; same: answers as with every sample\n", r.Items)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, c := range cells {
		fmt.Fprintln(tw, strings.Join(c, "\t")+"\t")
	}
	tw.Flush()
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
}

// parseValAcc parses "a=0.71,b=0.64".
func parseValAcc(s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		v, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil || v < 0 || v > 1 || math.IsNaN(v) {
			return nil, usagef("--val-acc %q: want model=accuracy pairs with accuracies in [0,1], e.g. a=0.71,b=0.64", part)
		}
		out[name] = v
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printDiscussions prints the discussion methods the run folder holds.
func printDiscussions(w io.Writer, dir string) error {
	rows, err := engine.DiscussionRows(dir)
	if err != nil || len(rows) == 0 {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, d := range rows {
		fmt.Fprintf(tw, "%s\t%5.1f %%\t± %.1f\t%d item(s), %d generations, %d output tokens\t\n", d.Method, 100*d.Accuracy, 100*d.Stderr, d.Items, d.Generations, d.OutputTokens)
	}
	return tw.Flush()
}
