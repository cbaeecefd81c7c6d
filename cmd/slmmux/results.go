package main

import (
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
)

// printResults writes the results table (report.WriteResults).
func printResults(w io.Writer, r mux.SimResult, models []string, discussions []engine.MethodRow) {
	_ = report.WriteResults(w, r, models, engine.ReportRows(discussions))
}

// parseValAcc parses --val-acc (mux.ParseValAcc).
func parseValAcc(s string) (map[string]float64, error) {
	acc, err := mux.ParseValAcc(s)
	if err != nil {
		return nil, usagef("--val-acc %w", err)
	}
	return acc, nil
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
