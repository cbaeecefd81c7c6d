package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/hardware"
)

// planFlags are the memory settings shared by plan, ask and eval.
type planFlags struct {
	footprints []string
	budget     string
	margin     float64
	maxLoaded  int
	slots      int
	kvCache    string
}

// defaultPlanFlags are the flags' defaults (demo uses them as they are).
func defaultPlanFlags() planFlags {
	return planFlags{margin: 0.2, maxLoaded: 3, slots: 1, kvCache: "f16"}
}

func (pf *planFlags) register(f *pflag.FlagSet) {
	d := defaultPlanFlags()
	f.StringSliceVar(&pf.footprints, "footprint", nil, "whole footprints by hand, e.g. a=4.7GiB,b=2GiB (repeatable); skips the daemon")
	f.StringVar(&pf.budget, "budget", "", "memory models may use, e.g. 8GiB (default: free VRAM, else available RAM, from the probe)")
	f.Float64Var(&pf.margin, "margin", d.margin, "share of the probed memory kept free (Ollama itself keeps 20 %)")
	f.IntVar(&pf.maxLoaded, "max-loaded", d.maxLoaded, "the daemon's OLLAMA_MAX_LOADED_MODELS (Ollama's default is 3 per GPU, 3 on CPU)")
	f.IntVar(&pf.slots, "slots", d.slots, "the daemon's OLLAMA_NUM_PARALLEL: requests per model in flight, each with its own KV cache")
	f.StringVar(&pf.kvCache, "kv-cache-type", "f16", "the daemon's OLLAMA_KV_CACHE_TYPE: f16, q8_0 or q4_0; it must match the daemon's setting (which takes effect only with OLLAMA_FLASH_ATTENTION=1; without it the daemon uses f16)")
}

// validate checks the flags' ranges before anything runs.
func (pf *planFlags) validate() error {
	switch {
	case math.IsNaN(pf.margin) || pf.margin < 0 || pf.margin >= 1:
		return usagef("--margin %v: must be in [0, 1)", pf.margin)
	case pf.maxLoaded < 0 || pf.maxLoaded > 1024:
		return usagef("--max-loaded %d: must be 0 (no limit) to 1024", pf.maxLoaded)
	case pf.slots < 1 || pf.slots > 256:
		return usagef("--slots %d: must be 1 to 256", pf.slots)
	}
	if _, err := sched.ParseKVCacheType(pf.kvCache); err != nil {
		return usagef("--kv-cache-type: %w", err)
	}
	if pf.budget != "" {
		if _, err := parseBytes(pf.budget); err != nil {
			return usagef("--budget %q: %w (e.g. 8GiB, 512MiB, 2.5GB)", pf.budget, err)
		}
	}
	_, err := pf.givenFootprints()
	return err
}

// givenFootprints parses --footprint.
func (pf *planFlags) givenFootprints() ([]sched.Footprint, error) {
	var out []sched.Footprint
	seen := map[string]bool{}
	for _, kv := range pf.footprints {
		name, size, ok := strings.Cut(kv, "=")
		n, err := parseBytes(size)
		if !ok || name == "" || err != nil {
			return nil, usagef("--footprint %q: want name=size, e.g. llama3.2=2.1GiB", kv)
		}
		if seen[name] {
			return nil, usagef("--footprint: %q is given twice", name)
		}
		seen[name] = true
		out = append(out, sched.Footprint{Model: name, Bytes: n, Source: "flag"})
	}
	return out, nil
}

// planConfig turns the flags into the engine's PlanConfig: the budget
// (--budget, else the probe) and the hardware facts, probed once.
func (a *App) planConfig(ctx context.Context, pf planFlags, ms []string, numCtx, numThread int, work sched.Work) (engine.PlanConfig, error) {
	cfg := engine.PlanConfig{Models: ms, Work: work, MaxLoaded: pf.maxLoaded, Slots: pf.slots,
		NumCtx: numCtx, NumThread: numThread, CachePath: a.footprintCachePath(), KVCacheType: pf.kvCache}
	given, err := pf.givenFootprints()
	if err != nil {
		return cfg, err
	}
	if len(given) > 0 {
		if cfg.Footprints, err = selectFootprints(given, ms); err != nil {
			return cfg, err
		}
	}
	var info hardware.Info
	if pf.budget == "" || numThread == 0 {
		if info, err = hardware.Probe(ctx, hardware.DefaultConfig()); err != nil {
			return cfg, err
		}
	}
	cfg.PhysicalCores, cfg.HasGPU = info.CPU.PhysicalCores, len(info.GPUs) > 0
	if pf.budget != "" {
		cfg.BudgetBytes, _ = parseBytes(pf.budget) // validated
	} else {
		cfg.BudgetBytes = info.BudgetBytes(pf.margin)
	}
	return cfg, nil
}

// selectFootprints keeps the given footprints of ms, in ms's order (all of
// them when ms is empty).
func selectFootprints(given []sched.Footprint, ms []string) ([]sched.Footprint, error) {
	if len(ms) == 0 {
		return given, nil
	}
	by := map[string]sched.Footprint{}
	for _, f := range given {
		by[f.Model] = f
	}
	out := make([]sched.Footprint, 0, len(ms))
	for _, m := range ms {
		f, ok := by[m]
		if !ok {
			return nil, usagef("--footprint has no size for %q: give every model of --models", m)
		}
		out = append(out, f)
	}
	return out, nil
}

// livePlan plans a live run over inv and returns the plan with the
// sampling settings its requests must send. Refused models are an error.
func (a *App) livePlan(ctx context.Context, inv engine.Inventory, pf planFlags, ms []string, s engine.Sampling, work sched.Work) (*engine.Plan, engine.Sampling, error) {
	cfg, err := a.planConfig(ctx, pf, ms, s.NumCtx, s.NumThread, work)
	if err != nil {
		return nil, s, err
	}
	p, err := engine.NewPlan(ctx, inv, cfg)
	if err != nil {
		return nil, s, err
	}
	if err := p.Err(); err != nil {
		return nil, s, err
	}
	p.Evicted = func(m string) {
		fmt.Fprintf(a.Stderr, "thrashing: %s was no longer loaded at the end of its wave (evicted by the daemon): lower --max-loaded to the daemon's OLLAMA_MAX_LOADED_MODELS or give a smaller --budget\n", m)
	}
	a.log().Info("plan", "waves", len(p.Waves), "budget_bytes", cfg.BudgetBytes, "loads", p.Loads, "num_ctx", p.Settings.NumCtx, "num_thread", p.NumThread)
	return p, p.Sampling(s), nil
}

// cacheDir is $SLMMUX_CACHE, else the user cache folder.
func (a *App) cacheDir() string {
	if d := a.Getenv("SLMMUX_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "slmmux")
	}
	return filepath.Join(os.TempDir(), "slmmux-cache")
}

// footprintCachePath is where measured footprints are remembered.
func (a *App) footprintCachePath() string { return filepath.Join(a.cacheDir(), "footprints.json") }

// waitFlags say how long a live run waits for an unreachable daemon.
type waitFlags struct {
	daemonWait, requestTimeout time.Duration
}

func defaultWaitFlags() waitFlags {
	return waitFlags{daemonWait: engine.DefaultBackendWait, requestTimeout: 10 * time.Minute}
}

func (wf *waitFlags) register(f *pflag.FlagSet) {
	d := defaultWaitFlags()
	f.DurationVar(&wf.daemonWait, "daemon-wait", d.daemonWait, "how long to wait for an unreachable daemon (down or restarting) before stopping, everything stored")
	f.DurationVar(&wf.requestTimeout, "request-timeout", d.requestTimeout, "longest wait for one answer; past it the daemon counts as unreachable (0: none)")
}

func (wf *waitFlags) validate() error {
	switch {
	case wf.daemonWait < 0 || wf.daemonWait > 24*time.Hour:
		return usagef("--daemon-wait %v: must be 0s to 24h", wf.daemonWait)
	case wf.requestTimeout < 0 || wf.requestTimeout > 24*time.Hour:
		return usagef("--request-timeout %v: must be 0 (none) to 24h", wf.requestTimeout)
	}
	return nil
}

// waiting prints the server's outages for a person; who names it ("the
// Ollama daemon at HOST").
func (a *App) waiting(who string) func(error, time.Duration) {
	return func(err error, waited time.Duration) {
		if err != nil {
			fmt.Fprintf(a.Stderr, "waiting for %s (%v)...\n", who, err)
			return
		}
		fmt.Fprintf(a.Stderr, "%s answers again (after %v)\n", who, waited.Round(time.Second))
	}
}

// liveRun is one collection of samples into a run folder (eval, demo).
type liveRun struct {
	gen    engine.Generator
	plan   *engine.Plan
	s      engine.Sampling // as the plan sends it
	b      benchmark.Benchmark
	items  []benchmark.Item
	models []string
	dir    string
	order  engine.Order
	wf     waitFlags
	who    string // the server, for messages: "the Ollama daemon at HOST"
	// strict and flexible, when set, record both modes' answers.
	strict, flexible benchmark.Benchmark
	// needs and embedModel: what the confidence signal records per sample.
	needs      confidence.Needs
	embedModel string
	// adapt, when set, samples exactly adaptively.
	adapt *engine.Adaptive
}

// collect runs Eval into the run folder with a progress bar and tells the
// user what went wrong on the way (dropped models, thrashing, failures).
func (a *App) collect(ctx context.Context, r liveRun) (engine.EvalStats, error) {
	w, err := runstore.OpenWriter(r.dir)
	if err != nil {
		return engine.EvalStats{}, err
	}
	defer w.Close()
	eng, err := engine.New(engine.Config{Generator: r.gen, Slots: r.plan.Settings.Slots, Logger: a.log()})
	if err != nil {
		return engine.EvalStats{}, err
	}
	bar := newProgress(a.Stderr, len(r.items), len(r.models)*r.s.Samples)
	stats, err := eng.Eval(ctx, r.b, r.items, w, engine.EvalConfig{
		Models: r.models, Sampling: r.s, Order: r.order, Progress: bar.update,
		Waves: r.plan.ModelWaves(), WaveDone: r.plan.WaveDone,
		BackendWait: max(r.wf.daemonWait, time.Nanosecond), RequestTimeout: r.wf.requestTimeout,
		Waiting: a.waiting(r.who), Strict: r.strict, Flexible: r.flexible, Adaptive: r.adapt,
		Needs: r.needs, EmbedModel: r.embedModel,
	})
	bar.finish()
	if err != nil {
		return stats, err
	}
	for m, why := range stats.Dropped {
		fmt.Fprintf(a.Stderr, "model %s was dropped from this run: %s\n", m, why)
	}
	if r.order != engine.QuestionMajor && stats.Loads > len(r.models) {
		fmt.Fprintf(a.Stderr, "thrashing: %d model loads for %d models (each should load once): another client or a low OLLAMA_MAX_LOADED_MODELS evicts models mid-wave\n", stats.Loads, len(r.models))
	}
	if stats.Failed > 0 {
		fmt.Fprintf(a.Stderr, "%d sample(s) failed and were not stored: run the same command again to retry them\n", stats.Failed)
	}
	return stats, complete(w, r)
}

// errIncomplete reports a run that lacks samples: no results are written
// for it, since they would be computed from part of the run.
var errIncomplete = errors.New("the run is incomplete")

// complete checks that every (item, model, sample) of the run is stored,
// and otherwise removes a stale results.json and names what is missing.
func complete(w *runstore.Writer, r liveRun) error {
	missing := map[string]int{}
	total := 0
	for _, it := range r.items {
		for _, m := range r.models {
			for j := range r.s.Samples {
				if !w.Done(runstore.Key{Item: it.ID, Model: m, Sample: j}) && (r.adapt == nil || r.adapt.Needed(it.ID, m)) {
					missing[m]++
					total++
				}
			}
		}
	}
	if total == 0 {
		return nil
	}
	_ = os.Remove(filepath.Join(r.dir, runstore.ResultsFile))
	var parts []string
	for _, m := range r.models {
		if n := missing[m]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", m, n))
		}
	}
	return fmt.Errorf("%w: %d of %d samples are missing (%s), so no %s was written: run the same command again to complete it, or drop a model that keeps failing from --models",
		errIncomplete, total, len(r.items)*len(r.models)*r.s.Samples, strings.Join(parts, ", "), runstore.ResultsFile)
}

// validateLive checks the flags ask and eval share (sampling, waiting,
// backend, confidence signal) and how they combine with --adaptive and
// --config.
func validateLive(cmd string, sf *samplingFlags, wf *waitFlags, bk *backendFlags, cf *confidenceFlags, adaptive bool, config string) error {
	if config != "" && bk.openAI() {
		return usagef("%s: give --backend openai or --config with backends, not both (a pool's hosts name their kind)", cmd)
	}
	for _, err := range []error{sf.validate(), wf.validate(), bk.validate(), cf.validate()} {
		if err != nil {
			return err
		}
	}
	if cf.method != "" && cf.method != string(confidence.Consistency) {
		switch {
		case adaptive:
			return usagef("--adaptive bounds consistency's counts: use it with --confidence consistency")
		case config != "":
			return usagef("--confidence %s does not run on a pool (--config backends) yet: use --confidence consistency there", cf.method)
		}
	}
	return nil
}
