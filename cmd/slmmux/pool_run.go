package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/config"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
)

// planPool opens the pool and plans ms over it; refused models are an
// error unless keepRefused (plan shows them).
func (a *App) planPool(ctx context.Context, bs []config.Backend, po poolOptions, want []string, work sched.Work, keepRefused bool) (*engine.Pool, []poolHost, *engine.PoolPlan, []string, map[string]string, error) {
	pool, hosts, err := a.openPool(ctx, bs, po)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	ms, digests := a.poolModels(hosts, want)
	if len(ms) == 0 {
		return nil, nil, nil, nil, nil, fmt.Errorf("%w: no host of the pool has a model", engine.ErrNoModels)
	}
	plan, err := pool.Plan(ctx, ms, work)
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	if err := plan.Err(); err != nil && !keepRefused {
		return nil, nil, nil, nil, nil, err
	}
	for _, hp := range plan.Hosts {
		if hp.Plan != nil {
			name := hp.Name
			hp.Plan.Evicted = func(m string) {
				fmt.Fprintf(a.Stderr, "thrashing on host %s: %s was no longer loaded at the end of its wave (evicted by the daemon): lower --max-loaded to its OLLAMA_MAX_LOADED_MODELS or give it a smaller budget\n", name, m)
			}
		}
	}
	return pool, hosts, plan, ms, digests, nil
}

// poolSampling is s with the context window every host's plan assumes.
func poolSampling(s engine.Sampling) engine.Sampling {
	if s.NumCtx == 0 {
		s.NumCtx = engine.DefaultNumCtx
	}
	return s
}

func (a *App) runEvalPool(ctx context.Context, o evalOptions, bs []config.Backend) error {
	b, items, err := o.load()
	if err != nil {
		return err
	}
	po := poolOptions{pf: o.pf, numCtx: o.sf.s.NumCtx, numThread: o.sf.s.NumThread}
	pool, _, plan, ms, digests, err := a.planPool(ctx, bs, po, o.models, sched.Work{Items: len(items), Samples: o.sf.s.Samples}, false)
	if err != nil {
		return err
	}
	s := poolSampling(o.sf.s)
	r, lock, err := o.openRun(b, items, s, ms, digests) // with --adaptive, one tracker for every host
	if err != nil {
		return err
	}
	defer lock.Close()
	stats, err := a.collectPool(ctx, pool, plan, r)
	if err != nil {
		return err
	}
	if o.adaptive {
		return a.writeAdaptiveResults(o.run, ms, s.Samples, stats.EvalStats)
	}
	return a.writeResults(o.run, ms, stats.EvalStats)
}

// collectPool is collect over a pool: Eval on every host into the run
// folder, then what each host ran, what moved and what was dropped.
func (a *App) collectPool(ctx context.Context, pool *engine.Pool, plan *engine.PoolPlan, r liveRun) (engine.PoolStats, error) {
	w, err := runstore.OpenWriter(r.dir)
	if err != nil {
		return engine.PoolStats{}, err
	}
	defer w.Close()
	bar := newProgress(a.Stderr, len(r.items), len(r.models)*r.s.Samples)
	stats, err := pool.Eval(ctx, r.b, r.items, w, plan, engine.EvalConfig{
		Models: r.models, Sampling: r.s, Order: r.order, Progress: bar.update,
		BackendWait: max(r.wf.daemonWait, time.Nanosecond), RequestTimeout: r.wf.requestTimeout,
		Strict: r.strict, Flexible: r.flexible, Adaptive: r.adapt,
	})
	bar.finish()
	if err != nil {
		return stats, err
	}
	a.reportPool(stats, len(r.models), r.order)
	err = complete(w, r)
	if err != nil && len(stats.Gone) > 0 {
		var gone []error
		for _, h := range sortedNames(stats.Gone) {
			gone = append(gone, fmt.Errorf("host %s: %w", h, stats.Gone[h]))
		}
		err = fmt.Errorf("%w; %w", err, errors.Join(gone...))
	}
	return stats, err
}

// reportPool tells the user what each host did and what went wrong.
func (a *App) reportPool(stats engine.PoolStats, nModels int, order engine.Order) {
	for _, h := range sortedNames(stats.Ran) {
		fmt.Fprintf(a.Stderr, "host %s ran %s\n", h, strings.Join(stats.Ran[h], ", "))
	}
	for _, h := range sortedNames(stats.Gone) {
		fmt.Fprintf(a.Stderr, "host %s was given up mid-run: %v\n", h, stats.Gone[h])
	}
	for _, m := range sortedNames(stats.Moved) {
		fmt.Fprintf(a.Stderr, "model %s moved: %s\n", m, stats.Moved[m])
	}
	for _, m := range sortedNames(stats.Dropped) {
		fmt.Fprintf(a.Stderr, "model %s was dropped from this run: %s\n", m, stats.Dropped[m])
	}
	if order != engine.QuestionMajor && len(stats.Moved) == 0 && stats.Loads > nModels {
		fmt.Fprintf(a.Stderr, "thrashing: %d model loads for %d models (each should load once): another client or a low OLLAMA_MAX_LOADED_MODELS evicts models mid-wave\n", stats.Loads, nModels)
	}
	if stats.Failed > 0 {
		fmt.Fprintf(a.Stderr, "%d sample(s) failed and were not stored: run the same command again to retry them\n", stats.Failed)
	}
}

// askPool answers one question over a pool.
func (a *App) askPool(ctx context.Context, o askOptions, bs []config.Backend, b benchmark.Benchmark, tie mux.TieBreak, cfg engine.AskConfig) (engine.Answer, error) {
	po := poolOptions{pf: o.pf, numCtx: o.sf.s.NumCtx, numThread: o.sf.s.NumThread}
	pool, _, plan, ms, _, err := a.planPool(ctx, bs, po, o.models, sched.Work{Items: 1, Samples: o.sf.s.Samples}, false)
	if err != nil {
		return engine.Answer{}, err
	}
	cfg.Models, cfg.Sampling = ms, poolSampling(o.sf.s)
	if cfg.ValAcc, err = o.ties(tie, cfg.ValAcc, ms); err != nil {
		return engine.Answer{}, err
	}
	ans, stats, err := pool.Ask(ctx, b, benchmark.Item{Question: o.question}, plan, cfg)
	fmt.Fprintln(a.Stderr)
	if err == nil && a.verbose > 0 {
		a.reportPool(stats, len(ms), engine.ModelMajor)
	}
	return ans, err
}

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

func (a *App) runPlanPool(ctx context.Context, o planOptions, bs []config.Backend) error {
	po := poolOptions{pf: o.pf, numCtx: o.numCtx, numThread: 1, assumeEmpty: true}
	_, hosts, plan, _, _, err := a.planPool(ctx, bs, po, o.models, sched.Work{Items: o.items, Samples: o.samples}, true)
	if err != nil {
		return err
	}
	out := poolPlanJSON{Assign: plan.Host}
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
			pj := planJSON{BudgetBytes: p.Budget.Bytes, MaxLoaded: p.Budget.MaxLoaded, Waves: p.Waves, Loads: p.Loads,
				QuestionMajorLoads: p.QuestionMajorLoads, Refused: p.Refused, Footprints: p.Footprints, Settings: p.Settings}
			if pj.Waves == nil {
				pj.Waves = []sched.Wave{}
			}
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
			printPlan(a, *hj.Plan)
		}
	}
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\nMODEL\tHOST")
	for _, m := range sortedNames(out.Assign) {
		fmt.Fprintf(w, "%s\t%s\n", m, out.Assign[m])
	}
	return w.Flush()
}
