package main

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
)

// printResults writes the results table (report.WriteResults).
func printResults(w io.Writer, r mux.SimResult, models []string, discussions []engine.MethodRow) {
	_ = report.WriteResults(w, r, models, engine.ReportRows(discussions))
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

// printDiscussions prints the discussion methods the run folder holds
// (report.WriteDiscussions).
func printDiscussions(w io.Writer, dir string) error {
	rows, err := engine.DiscussionRows(dir)
	if err != nil {
		return err
	}
	return report.WriteDiscussions(w, engine.ReportRows(rows))
}
