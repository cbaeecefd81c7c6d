package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

// A pool is several hosts (Ollama daemons, OpenAI-compatible servers),
// each running the models installed on it. Each model runs on one host
// (Assign); each host plans its own memory into waves, and the hosts run
// their waves in parallel into the same Sink. A host that stays unreachable
// past EvalConfig.BackendWait hands its remaining models to another host
// that has them, or they are dropped with the reason; the run resumes
// later as always. There is no scheduling across the network beyond
// placing whole models.

// Host is one host of a pool.
type Host struct {
	Name string
	// Version is the backend's name and version ("ollama 0.24.0"), which
	// run.json records; "" when it does not say.
	Version   string
	Generator Generator
	// Inventory, when set, plans the host's memory (an Ollama daemon); nil
	// means the server manages its own memory: all of the host's models
	// run in one wave, and its Generator limits the requests in flight.
	Inventory Inventory
	// Installed are the models the host has (Name; SizeBytes when known).
	Installed []models.Info
	// Slots is the requests per model in flight (0: 1).
	Slots int
	// Plan holds the host's memory settings (budget, max loaded, slots,
	// num_ctx, threads); its Models and Work are set per run.
	Plan PlanConfig
	// Waiting, when set, is told of the host's outages.
	Waiting func(err error, waited time.Duration)
	// TopP, when set, is the top_p the host's Generator sends when a
	// request leaves it unset (an OpenAI-compatible server's client).
	TopP *float64
}

// has reports whether the host has model m to run here (a cloud model
// it lists is not: its prompts would leave the host).
func (h *Host) has(m string) bool {
	return slices.ContainsFunc(h.Installed, func(i models.Info) bool { return CanonicalName(i.Name) == m && !i.Remote })
}

func (h *Host) size(m string) int64 {
	for _, i := range h.Installed {
		if CanonicalName(i.Name) == m {
			return i.SizeBytes
		}
	}
	return 0
}

// Hosts runs work over several hosts. It is safe for concurrent use.
type Hosts struct {
	hosts   []Host
	engines []*Engine
	log     *slog.Logger
}

// NewHosts returns a pool over hosts, in the order given (which breaks
// ties when placing models).
func NewHosts(hosts []Host, logger *slog.Logger) (*Hosts, error) {
	if len(hosts) == 0 {
		return nil, errors.New("engine: a pool needs at least one host")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &Hosts{hosts: hosts, log: logger}
	seen := map[string]bool{}
	for _, h := range hosts {
		if h.Name == "" || seen[h.Name] {
			return nil, fmt.Errorf("engine: pool host names must be set and distinct (%q)", h.Name)
		}
		seen[h.Name] = true
		e, err := New(Config{Generator: h.Generator, Slots: h.Slots, Logger: logger.With("host", h.Name)})
		if err != nil {
			return nil, fmt.Errorf("engine: host %s: %w", h.Name, err)
		}
		p.engines = append(p.engines, e)
	}
	return p, nil
}

// Hosts returns the pool's host names in order.
func (p *Hosts) Names() []string {
	out := make([]string, len(p.hosts))
	for i, h := range p.hosts {
		out[i] = h.Name
	}
	return out
}

// Embed embeds texts with model on the first host that has it and can
// embed: Hosts is an Embedder over its hosts (calibrate embeds each
// model's replies wherever the model is).
func (p *Hosts) Embed(ctx context.Context, model string, texts []string, opts models.Options) ([][]float32, error) {
	m := CanonicalName(model)
	for i := range p.hosts {
		if em, ok := p.hosts[i].Generator.(Embedder); ok && p.hosts[i].has(m) {
			return em.Embed(ctx, model, texts, opts)
		}
	}
	return nil, fmt.Errorf("%w: %q is on no host that embeds (%s)", models.ErrModelNotInstalled, m, describeHosts(p.hosts))
}

// Assign places each model on one host that has it: models with fewer
// hosts to choose from first (then in the order given), each on the host
// with the fewest models placed so far, then the fewest bytes, then the
// first listed. The result is deterministic. A model no host has is an
// error wrapping models.ErrModelNotInstalled, naming what each host has.
func Assign(ms []string, hosts []Host) (map[string]string, error) {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	choices := func(m string) int {
		n := 0
		for i := range hosts {
			if hosts[i].has(m) {
				n++
			}
		}
		return n
	}
	for _, m := range ms {
		if choices(m) == 0 {
			return nil, fmt.Errorf("%w: %q is on no host of the pool (%s): install it on one",
				models.ErrModelNotInstalled, m, describeHosts(hosts))
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return choices(ms[idx[a]]) < choices(ms[idx[b]]) })
	count := make([]int, len(hosts))
	bytes := make([]int64, len(hosts))
	out := map[string]string{}
	for _, i := range idx {
		m := ms[i]
		best := -1
		for h := range hosts {
			if !hosts[h].has(m) {
				continue
			}
			if best < 0 || count[h] < count[best] || count[h] == count[best] && bytes[h] < bytes[best] {
				best = h
			}
		}
		count[best]++
		bytes[best] += hosts[best].size(m)
		out[m] = hosts[best].Name
	}
	return out, nil
}

func describeHosts(hosts []Host) string {
	parts := make([]string, len(hosts))
	for i, h := range hosts {
		names := make([]string, 0, len(h.Installed))
		for _, m := range h.Installed {
			names = append(names, CanonicalName(m.Name))
		}
		if len(names) == 0 {
			names = []string{"no models"}
		}
		parts[i] = h.Name + " has " + strings.Join(names, ", ")
	}
	return strings.Join(parts, "; ")
}

// HostsPlan is a pool run's plan: which host runs each model, and each
// host's own memory plan.
type HostsPlan struct {
	Hosts []HostPlan
	// Host maps each model to the host that runs it.
	Host map[string]string
	work sched.Work
}

// HostPlan is one host's part of a HostsPlan.
type HostPlan struct {
	Name   string
	Models []string // in the run's order
	// Plan is the host's memory plan; nil when the server manages its own
	// memory (all its models in one wave).
	Plan *Plan
}

// Waves returns the host's waves.
func (h HostPlan) Waves() [][]string {
	if h.Plan == nil {
		if len(h.Models) == 0 {
			return nil
		}
		return [][]string{h.Models}
	}
	return h.Plan.ModelWaves()
}

// Plan places ms on the pool's hosts (Assign) and plans each host's
// models into waves that fit its budget. Hosts with no models get an
// empty HostPlan.
func (p *Hosts) Plan(ctx context.Context, ms []string, work sched.Work) (*HostsPlan, error) {
	at, err := Assign(ms, p.hosts)
	if err != nil {
		return nil, err
	}
	pp := &HostsPlan{Host: at, work: work}
	for i := range p.hosts {
		h := &p.hosts[i]
		hp := HostPlan{Name: h.Name}
		for _, m := range ms {
			if at[m] == h.Name {
				hp.Models = append(hp.Models, m)
			}
		}
		if len(hp.Models) > 0 && h.Inventory != nil {
			if hp.Plan, err = p.planHost(ctx, i, hp.Models, work); err != nil {
				return nil, err
			}
		}
		pp.Hosts = append(pp.Hosts, hp)
	}
	return pp, nil
}

func (p *Hosts) planHost(ctx context.Context, i int, ms []string, work sched.Work) (*Plan, error) {
	h := &p.hosts[i]
	cfg := h.Plan
	cfg.Models, cfg.Work = ms, work
	pl, err := NewPlan(ctx, h.Inventory, cfg)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", h.Name, err)
	}
	return pl, nil
}

// Sampling is s as the hosts send it under plan: one host's plan's runner
// settings (Plan.Sampling, so run.json records what every request sends),
// else the default context window every planned host assumes; the top_p a
// host sends when s leaves it unset.
func (p *Hosts) Sampling(plan *HostsPlan, s Sampling) Sampling {
	for _, h := range p.hosts {
		if h.TopP != nil && s.TopP == nil {
			s.TopP = models.Float(*h.TopP)
		}
	}
	if len(plan.Hosts) == 1 && plan.Hosts[0].Plan != nil {
		return plan.Hosts[0].Plan.Sampling(s)
	}
	for _, h := range plan.Hosts {
		if h.Plan != nil {
			s = s.withPins(h.Plan.params)
		}
	}
	if s.NumCtx == 0 && slices.ContainsFunc(p.hosts, func(h Host) bool { return h.Inventory != nil }) {
		s.NumCtx = DefaultNumCtx
	}
	return s
}

// Err names every model some host refuses (too large for its budget even
// alone), with the host; it wraps ErrInsufficientMemory.
func (pp *HostsPlan) Err() error {
	var all []sched.Refusal
	for _, h := range pp.Hosts {
		if h.Plan == nil {
			continue
		}
		for _, r := range h.Plan.Refused {
			if len(pp.Hosts) > 1 { // one host needs no naming
				r.Reason = "on host " + h.Name + ": " + r.Reason
			}
			all = append(all, r)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return &RefusedError{Refused: all}
}

// Models is what the hosts hold of the models a command asks for
// (ResolveModels).
type Models struct {
	// Names is every model some host has (sorted) when none was asked
	// for, else those asked for as canonical names, once each, in order.
	Names []string
	// Digests is each model's digest on the first host that has it.
	Digests map[string]string
	// All is every model some host has, in the order the hosts list them.
	All []string
	// Missing are the models asked for that no host has, in order.
	Missing []string
	// Differ are the models whose size differs between hosts.
	Differ []SizeDiff
	// Unusable are the models the hosts list that slmmux does not run
	// (cloud models, models that cannot generate text), in the order the
	// hosts list them: never in a default list, nor in All.
	Unusable []UnusableModel
	// Refused are the models asked for that are unusable, in order: a
	// command refuses them (an *UnusableModelError).
	Refused []UnusableModel
}

// UnusableModel is a model a host lists that slmmux does not run.
type UnusableModel struct {
	Model string
	Host  string
	// Remote: a cloud model, whose prompts the daemon sends to RemoteHost.
	Remote     bool
	RemoteHost string
	// Capabilities, when the model is local: it lacks text completion.
	Capabilities []string
}

// Unusable reports why slmmux does not run m, or ok false when it does: a
// cloud model sends its prompts off the machine; a model whose
// capabilities lack text completion (embedding-only) cannot answer.
func Unusable(host string, m models.Info) (UnusableModel, bool) {
	u := UnusableModel{Model: CanonicalName(m.Name), Host: host}
	switch {
	case m.Remote:
		u.Remote, u.RemoteHost = true, m.RemoteHost
		if u.RemoteHost == "" {
			u.RemoteHost = "a remote host"
		}
	case !m.Generates():
		u.Capabilities = m.Capabilities
	default:
		return u, false
	}
	return u, true
}

// Reason says why the model is not run, in words (naming the host when
// Host is set: a pool's).
func (u UnusableModel) Reason() string {
	on := ""
	if u.Host != "" {
		on = " on host " + u.Host
	}
	if u.Remote {
		return fmt.Sprintf("%s is a cloud model: the daemon%s sends its prompts to %s, off this machine, and slmmux runs only local models (slmmux is for offline use: pick a local model, or `ollama pull` one)",
			u.Model, on, u.RemoteHost)
	}
	return fmt.Sprintf("%s cannot generate text (its capabilities%s: %s)", u.Model, on, strings.Join(u.Capabilities, ", "))
}

// UnusableModelError is a command asking for models slmmux does not run.
type UnusableModelError struct {
	Models []UnusableModel
}

func (e *UnusableModelError) Error() string {
	parts := make([]string, len(e.Models))
	for i, u := range e.Models {
		parts[i] = u.Reason()
	}
	return "refused: " + strings.Join(parts, "; ")
}

// SizeDiff is a model whose size on host Other differs from its size on
// First, the first host that has it.
type SizeDiff struct {
	Model                string
	First, Other         string
	FirstSize, OtherSize int64
}

// Resolve is ResolveModels over the hosts.
func (p *Hosts) Resolve(want []string) Models { return ResolveModels(p.hosts, want) }

// ResolveModels resolves want over hosts: every model some host has when
// want is empty, else want as canonical names. Models slmmux does not run
// (Unusable: cloud models, embedding-only models) are left out of the
// default list; asked for, they are Refused. (Digests are not compared
// across hosts: a model created from the same file on two daemons gets
// two manifest digests; sizes are, since a model's samples then depend on
// the host that runs it.)
func ResolveModels(hosts []Host, want []string) Models {
	r := Models{Digests: map[string]string{}}
	sizes := map[string]int64{}
	first := map[string]string{}
	unusable := map[string]UnusableModel{}
	for _, h := range hosts {
		for _, m := range h.Installed {
			n := CanonicalName(m.Name)
			name := h.Name
			if len(hosts) == 1 {
				name = "" // one host needs no naming
			}
			if u, ok := Unusable(name, m); ok {
				if _, seen := unusable[n]; !seen {
					unusable[n] = u
					r.Unusable = append(r.Unusable, u)
				}
				continue
			}
			size, seen := sizes[n]
			switch {
			case !seen:
				r.Digests[n], sizes[n], first[n] = m.Digest, m.SizeBytes, h.Name
				r.All = append(r.All, n)
			case size != m.SizeBytes:
				r.Differ = append(r.Differ, SizeDiff{Model: n, First: first[n], Other: h.Name, FirstSize: size, OtherSize: m.SizeBytes})
			}
		}
	}
	// A model local and usable on some host is usable.
	r.Unusable = slices.DeleteFunc(r.Unusable, func(u UnusableModel) bool { _, ok := sizes[u.Model]; return ok })
	if len(want) == 0 {
		r.Names = slices.Sorted(slices.Values(r.All))
		return r
	}
	for _, m := range want {
		m = CanonicalName(m)
		_, ok := sizes[m]
		u, bad := unusable[m]
		switch {
		case !ok && bad && !slices.ContainsFunc(r.Refused, func(x UnusableModel) bool { return x.Model == m }):
			r.Refused = append(r.Refused, u)
		case !ok && !bad && !slices.Contains(r.Missing, m):
			r.Missing = append(r.Missing, m)
		}
		if !slices.Contains(r.Names, m) {
			r.Names = append(r.Names, m)
		}
	}
	return r
}

// ContextError is a context window asked for that is larger than a
// model's context length: the model cannot use it.
type ContextError struct {
	Model         string
	Host          string
	ContextLength int // the model's
	NumCtx        int // asked for
}

func (e *ContextError) Error() string {
	return fmt.Sprintf("model %s has a context of %d tokens (on host %s): a context window of %d is more than it can use",
		e.Model, e.ContextLength, e.Host, e.NumCtx)
}

// CheckContext refuses a context window numCtx larger than the context
// length of a model of ms (a *ContextError), before anything generates.
// Each model's length is the first host's that knows it: what the host
// listed (Host.Installed), else what its Inventory shows (older Ollama
// daemons list none). A model whose length no host knows is not checked,
// nor is anything when numCtx is 0 (the default window).
func (p *Hosts) CheckContext(ctx context.Context, ms []string, numCtx int) error {
	if numCtx <= 0 {
		return nil
	}
	for _, m := range ms {
		m = CanonicalName(m)
		host, n := "", 0
		for i := range p.hosts {
			h := &p.hosts[i]
			if !h.has(m) {
				continue
			}
			for _, info := range h.Installed {
				if CanonicalName(info.Name) == m && !info.Remote && info.ContextLength > 0 {
					host, n = h.Name, info.ContextLength
				}
			}
			if n == 0 && h.Inventory != nil {
				info, err := h.Inventory.Show(ctx, m)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					continue // the plan reports it
				}
				host, n = h.Name, info.ContextLength
			}
			if n > 0 {
				break
			}
		}
		if n > 0 && numCtx > n {
			return &ContextError{Model: m, Host: host, ContextLength: n, NumCtx: numCtx}
		}
	}
	return nil
}
