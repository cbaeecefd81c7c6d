package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/slmmux/slmmux/engine"
)

// poolPlanJSON is `plan --json` over a pool.
type poolPlanJSON struct {
	Hosts []hostPlanJSON `json:"hosts"`
	// Assign maps each model to the host that runs it.
	Assign map[string]string `json:"assign"`
}

type hostPlanJSON struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	URL          string   `json:"url"`
	BudgetSource string   `json:"budget_source"`
	Installed    []string `json:"installed"`
	Models       []string `json:"models"`
	// Plan is the host's memory plan (plan --json's single-host object);
	// null for a server that manages its own memory.
	Plan *planJSON `json:"plan"`
	// Waves is the host's waves in order (for every kind).
	Waves [][]string `json:"waves"`
	Note  string     `json:"note,omitempty"`
}

// printHostsPlan prints the plan of a pool: each host's, then where each
// model runs.
func (a *App) printHostsPlan(o planOptions, lh *liveHosts, plan *engine.HostsPlan) error {
	out := poolPlanJSON{Assign: plan.Host}
	hosts := lh.list
	for i, hp := range plan.Hosts {
		h := hosts[i]
		hj := hostPlanJSON{Name: h.Name, Kind: h.backend.Kind, URL: h.backend.URL, BudgetSource: h.budgetSource,
			Installed: []string{}, Models: hp.Models, Waves: hp.Waves()}
		for _, m := range h.Installed {
			hj.Installed = append(hj.Installed, engine.CanonicalName(m.Name))
		}
		sort.Strings(hj.Installed)
		if hj.Models == nil {
			hj.Models = []string{}
		}
		if hj.Waves == nil {
			hj.Waves = [][]string{}
		}
		if p := hp.Plan; p != nil {
			pj := toPlanJSON(p)
			hj.Plan = &pj
		} else if len(hp.Models) > 0 {
			hj.Note = "the server manages its own memory: no memory plan; all its models in one wave, up to max_concurrency requests at once"
		}
		out.Hosts = append(out.Hosts, hj)
	}
	if o.asJSON {
		return writeJSON(a.Stdout, out)
	}
	for i, hj := range out.Hosts {
		if i > 0 {
			fmt.Fprintln(a.Stdout)
		}
		fmt.Fprintf(a.Stdout, "== host %s (%s %s; budget: %s)\n", hj.Name, hj.Kind, hj.URL, hj.BudgetSource)
		fmt.Fprintf(a.Stdout, "installed: %s\n", orDefault(strings.Join(hj.Installed, ", "), "none"))
		switch {
		case len(hj.Models) == 0:
			fmt.Fprintln(a.Stdout, "runs: nothing")
		case hj.Plan == nil:
			fmt.Fprintf(a.Stdout, "runs: %s\n%s\n", strings.Join(hj.Models, ", "), hj.Note)
		default:
			fmt.Fprintf(a.Stdout, "runs: %s\n", strings.Join(hj.Models, ", "))
			printPlanTable(a, *hj.Plan)
		}
	}
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\nMODEL\tHOST")
	for _, m := range sortedNames(out.Assign) {
		fmt.Fprintf(w, "%s\t%s\n", m, out.Assign[m])
	}
	return w.Flush()
}
