package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

// PlanView is one host's memory plan as `plan --json` writes it
// (docs/formats.md): the object of a single host, and each host's "plan"
// in a pool's.
type PlanView struct {
	// Backend and Note are set for a server that manages its own memory
	// only: no memory plan.
	Backend            string            `json:"backend,omitempty"`
	Note               string            `json:"note,omitempty"`
	BudgetBytes        uint64            `json:"budget_bytes"`
	MaxLoaded          int               `json:"max_loaded"`
	Waves              []sched.Wave      `json:"waves"`
	Loads              int               `json:"loads"`
	QuestionMajorLoads int               `json:"question_major_loads"`
	Refused            []sched.Refusal   `json:"refused"`
	Footprints         []sched.Footprint `json:"footprints"`
	Settings           sched.Settings    `json:"settings"`
}

// HostsPlanView is `plan --json` over a pool: each host's plan, then where
// each model runs.
type HostsPlanView struct {
	Hosts []HostPlanView `json:"hosts"`
	// Assign maps each model to the host that runs it.
	Assign map[string]string `json:"assign"`
}

// HostPlanView is one host of a HostsPlanView.
type HostPlanView struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	URL          string   `json:"url"`
	BudgetSource string   `json:"budget_source"`
	Installed    []string `json:"installed"`
	Models       []string `json:"models"`
	// Plan is the host's memory plan (the single-host object); null for a
	// server that manages its own memory.
	Plan *PlanView `json:"plan"`
	// Waves is the host's waves in order (for every kind).
	Waves [][]string `json:"waves"`
	Note  string     `json:"note,omitempty"`
}

// WritePlan writes one host's memory plan as a table: the budget, each
// model's footprint, the waves with what each unloads first, the refused
// models and the expected loads.
func WritePlan(w io.Writer, p PlanView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "budget\t%s (max %d loaded)\n", models.FormatBytes(int64(p.BudgetBytes)), p.MaxLoaded)
	fmt.Fprintln(tw, "\nMODEL\tFOOTPRINT\tSOURCE\tNOTE")
	for _, f := range p.Footprints {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Model, models.FormatBytes(int64(f.Bytes)), f.Source, f.Note)
	}
	fmt.Fprintln(tw)
	for i, wave := range p.Waves {
		fmt.Fprintf(tw, "wave %d\t%s\t%s", i+1, strings.Join(wave.Models, ", "), models.FormatBytes(int64(wave.Bytes)))
		if len(wave.Evicts) > 0 {
			fmt.Fprintf(tw, "\tunloads %s first", strings.Join(wave.Evicts, ", "))
		}
		fmt.Fprintln(tw)
	}
	for _, r := range p.Refused {
		fmt.Fprintf(tw, "refused\t%s\t%s\n", r.Model, r.Reason)
	}
	fmt.Fprintf(tw, "\nloads\t%d model-major (each model once), about %d question-major\n", p.Loads, p.QuestionMajorLoads)
	return tw.Flush()
}

// WriteHostsPlan writes the plan of a pool: each host's, then where each
// model runs.
func WriteHostsPlan(w io.Writer, p HostsPlanView) error {
	for i, h := range p.Hosts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "== host %s (%s %s; budget: %s)\n", h.Name, h.Kind, h.URL, h.BudgetSource)
		installed := strings.Join(h.Installed, ", ")
		if installed == "" {
			installed = "none"
		}
		fmt.Fprintf(w, "installed: %s\n", installed)
		switch {
		case len(h.Models) == 0:
			fmt.Fprintln(w, "runs: nothing")
		case h.Plan == nil:
			fmt.Fprintf(w, "runs: %s\n%s\n", strings.Join(h.Models, ", "), h.Note)
		default:
			fmt.Fprintf(w, "runs: %s\n", strings.Join(h.Models, ", "))
			if err := WritePlan(w, *h.Plan); err != nil {
				return err
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nMODEL\tHOST")
	ms := make([]string, 0, len(p.Assign))
	for m := range p.Assign {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\n", m, p.Assign[m])
	}
	return tw.Flush()
}
