package engine

import (
	"sort"

	"github.com/slmmux/slmmux/engine/sched"
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

// View is p as plan shows it.
func (p *Plan) View() PlanView {
	out := PlanView{BudgetBytes: p.Budget.Bytes, MaxLoaded: p.Budget.MaxLoaded, Waves: p.Waves, Loads: p.Loads,
		QuestionMajorLoads: p.QuestionMajorLoads, Refused: p.Refused, Footprints: p.Footprints, Settings: p.Settings}
	if out.Waves == nil {
		out.Waves = []sched.Wave{}
	}
	return out
}

// UnplannedView is the plan of a server that manages its own memory
// (backend names its kind): all ms in one wave, slots requests in flight,
// no loads; note says so for a person.
func UnplannedView(backend, note string, ms []string, slots int) PlanView {
	return PlanView{Waves: []sched.Wave{{Models: ms}}, Refused: []sched.Refusal{}, Footprints: []sched.Footprint{},
		Settings: sched.Settings{Slots: slots}, Backend: backend, Note: note}
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

// HostLabel is what a plan shows of a host besides its plan: its kind
// (ollama, openai), URL and where its memory budget came from.
type HostLabel struct {
	Kind, URL, BudgetSource string
}

// unplannedNote is a pool host's note when it manages its own memory.
const unplannedNote = "the server manages its own memory: no memory plan; all its models in one wave, up to max_concurrency requests at once"

// View is plan over the hosts as plan shows it; labels are the hosts'
// labels, in the hosts' order.
func (p *Hosts) View(plan *HostsPlan, labels []HostLabel) HostsPlanView {
	out := HostsPlanView{Assign: plan.Host}
	for i, hp := range plan.Hosts {
		h, l := p.hosts[i], labels[i]
		hv := HostPlanView{Name: h.Name, Kind: l.Kind, URL: l.URL, BudgetSource: l.BudgetSource,
			Installed: []string{}, Models: hp.Models, Waves: hp.Waves()}
		for _, m := range h.Installed {
			hv.Installed = append(hv.Installed, CanonicalName(m.Name))
		}
		sort.Strings(hv.Installed)
		if hv.Models == nil {
			hv.Models = []string{}
		}
		if hv.Waves == nil {
			hv.Waves = [][]string{}
		}
		if hp.Plan != nil {
			pv := hp.Plan.View()
			hv.Plan = &pv
		} else if len(hp.Models) > 0 {
			hv.Note = unplannedNote
		}
		out.Hosts = append(out.Hosts, hv)
	}
	return out
}
