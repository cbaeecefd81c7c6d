package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
)

// HostsStats summarises one Hosts.Eval: EvalStats over all hosts, and what
// each host did.
type HostsStats struct {
	EvalStats
	// Ran maps each host to the models it generated samples of.
	Ran map[string][]string
	// Moved maps each model moved off a failed host to "FROM -> TO".
	Moved map[string]string
	// Gone maps each host that stayed unreachable mid-run to its error.
	Gone map[string]error
}

// GoneErr joins why each host given up mid-run was, each named by its
// host (sorted by name); nil when none was.
func (s HostsStats) GoneErr() error {
	names := make([]string, 0, len(s.Gone))
	for h := range s.Gone {
		names = append(names, h)
	}
	slices.Sort(names)
	errs := make([]error, len(names))
	for i, h := range names {
		errs[i] = fmt.Errorf("host %s: %w", h, s.Gone[h])
	}
	return errors.Join(errs...)
}

// Collect runs Eval into the run folder dir, then checks that every
// (item, model, sample) of cfg.Models is stored (CheckComplete, with
// cfg.Adaptive's tracker): an incomplete run is an *IncompleteError,
// returned with the stats; Eval's own errors come as they are.
func (p *Hosts) Collect(ctx context.Context, dir string, b benchmark.Benchmark, items []benchmark.Item, plan *HostsPlan, cfg EvalConfig) (HostsStats, error) {
	w, err := runstore.OpenWriter(dir)
	if err != nil {
		return HostsStats{}, err
	}
	defer w.Close()
	stats, err := p.Eval(ctx, b, items, w, plan, cfg)
	if err != nil {
		return stats, err
	}
	return stats, CheckComplete(w, dir, items, cfg.Models, cfg.Sampling.Samples, cfg.Adaptive)
}

// Eval generates every missing (item, model, sample) of cfg.Models on the
// hosts, on the scheduler's path: each model on its host (plan.Host),
// each host's loads by its own plan, all hosts at once, into w; what it
// loaded is unloaded at the end. cfg.Waves and cfg.WaveDone are ignored
// (each host's plan has its own); cfg.Sampling's runner settings are each
// host plan's. A host that stays unreachable for longer than
// cfg.BackendWait is given up: its models that lack samples move to
// another host that has them (planned there), or are dropped with the
// reason, and Eval goes on with the other hosts. Eval fails only on a sink
// error or when ctx ends.
func (p *Hosts) Eval(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, plan *HostsPlan, cfg EvalConfig) (HostsStats, error) {
	s := p.NewScheduler(plan)
	for _, m := range cfg.Models {
		if _, ok := plan.Host[m]; !ok {
			return HostsStats{}, fmt.Errorf("engine: model %s is not in the pool's plan", m)
		}
	}
	st, err := s.eval(ctx, b, items, w, cfg)
	s.close(ctx)
	return st, err
}

// Ask answers one question on the hosts: an Eval over the one item with
// plan, then SLM-MUX over its samples (as Engine.Ask, on the same path).
// cfg.Waves and cfg.WaveDone are ignored: each host's plan has its own.
func (p *Hosts) Ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, plan *HostsPlan, cfg AskConfig) (Answer, HostsStats, error) {
	var st HostsStats
	ans, _, err := ask(ctx, b, it, cfg, func(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, ec EvalConfig) (EvalStats, error) {
		var err error
		st, err = p.Eval(ctx, b, items, w, plan, ec)
		return st.EvalStats, err
	})
	return ans, st, err
}

// MaxWaves is the most waves any host of the plan has.
func (pp *HostsPlan) MaxWaves() int {
	n := 0
	for _, h := range pp.Hosts {
		n = max(n, len(h.Waves()))
	}
	return n
}

// Notes are what a person should know of a collection, a line each: on a
// pool (pool true) what each host ran, hosts given up and models moved;
// models dropped; thrashing (more loads than models under model-major
// order with no model moved: something evicted models mid-wave); samples
// that failed and are retried by running again.
func (s HostsStats) Notes(pool bool, models int, order Order) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if pool {
		for _, h := range slices.Sorted(maps.Keys(s.Ran)) {
			add("host %s ran %s", h, strings.Join(s.Ran[h], ", "))
		}
		for _, h := range slices.Sorted(maps.Keys(s.Gone)) {
			add("host %s was given up mid-run: %v", h, s.Gone[h])
		}
		for _, m := range slices.Sorted(maps.Keys(s.Moved)) {
			add("model %s moved: %s", m, s.Moved[m])
		}
	}
	for _, m := range slices.Sorted(maps.Keys(s.Dropped)) {
		add("model %s was dropped from this run: %s", m, s.Dropped[m])
	}
	if order != QuestionMajor && len(s.Moved) == 0 && s.Loads > models {
		add("thrashing: %d model loads for %d models (each should load once): another client or a low OLLAMA_MAX_LOADED_MODELS evicts models mid-wave", s.Loads, models)
	}
	if s.Failed > 0 {
		add("%d sample(s) failed and were not stored: run the same command again to retry them", s.Failed)
	}
	return out
}
