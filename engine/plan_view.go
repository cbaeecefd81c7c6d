package engine

import (
	"sort"

	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/sched"
)

// View is p as plan shows it (report.PlanView).
func (p *Plan) View() report.PlanView {
	out := report.PlanView{BudgetBytes: p.Budget.Bytes, MaxLoaded: p.Budget.MaxLoaded, Waves: p.Waves, Loads: p.Loads,
		QuestionMajorLoads: p.QuestionMajorLoads, Refused: p.Refused, Footprints: p.Footprints, Settings: p.Settings}
	if out.Waves == nil {
		out.Waves = []sched.Wave{}
	}
	return out
}

// UnplannedView is the plan of a server that manages its own memory
// (backend names its kind): all ms in one wave, slots requests in flight,
// no loads; note says so for a person.
func UnplannedView(backend, note string, ms []string, slots int) report.PlanView {
	return report.PlanView{Waves: []sched.Wave{{Models: ms}}, Refused: []sched.Refusal{}, Footprints: []sched.Footprint{},
		Settings: sched.Settings{Slots: slots}, Backend: backend, Note: note}
}

// HostLabel is what a plan shows of a host besides its plan: its kind
// (ollama, openai), URL and where its memory budget came from.
type HostLabel struct {
	Kind, URL, BudgetSource string
}

// unplannedNote is a pool host's note when it manages its own memory.
const unplannedNote = "the server manages its own memory: no memory plan; all its models in one wave, up to max_concurrency requests at once"

// View is plan over the hosts as plan shows it (report.HostsPlanView); labels are the hosts'
// labels, in the hosts' order.
func (p *Hosts) View(plan *HostsPlan, labels []HostLabel) report.HostsPlanView {
	out := report.HostsPlanView{Assign: plan.Host}
	for i, hp := range plan.Hosts {
		h, l := p.hosts[i], labels[i]
		hv := report.HostPlanView{Name: h.Name, Kind: l.Kind, URL: l.URL, BudgetSource: l.BudgetSource,
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
