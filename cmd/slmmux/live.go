package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/config"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

// planFlags are the memory settings shared by plan, ask and eval.
type planFlags struct {
	footprints []string
	budget     string
	margin     float64
	maxLoaded  int
	slots      int
	kvCache    string

	budgetBytes uint64            // --budget, set by validate
	given       []sched.Footprint // --footprint, set by validate
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
	var err error
	if pf.budget != "" {
		if pf.budgetBytes, err = config.ParseBytes(pf.budget); err != nil {
			return usagef("--budget %q: %w (e.g. 8GiB, 512MiB, 2.5GB)", pf.budget, err)
		}
	}
	if pf.given, err = config.ParseFootprints(pf.footprints); err != nil {
		return usagef("--footprint %w", err)
	}
	return nil
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

// liveRun is one collection of samples into a run folder (eval, demo):
// the hosts and their plan, the items and the Eval's settings (cfg: its
// models, sampling as the hosts send it, order, waits, extraction modes,
// what the confidence signal records, adaptive sampling).
type liveRun struct {
	hosts *liveHosts
	plan  *engine.HostsPlan
	b     benchmark.Benchmark
	items []benchmark.Item
	dir   string
	cfg   engine.EvalConfig
}

// evalWaits are the Eval's waits for an unreachable backend, as the flags
// give them.
func (wf waitFlags) evalWaits() engine.EvalConfig {
	return engine.EvalConfig{BackendWait: max(wf.daemonWait, time.Nanosecond), RequestTimeout: wf.requestTimeout}
}

// collect runs the Eval on the hosts into the run folder with a progress
// bar (engine's Hosts.Collect), then tells the user what happened on the
// way: what each host ran (on a pool), hosts given up, models moved or
// dropped, thrashing, failures; and, when samples are missing, what to
// do.
func (a *App) collect(ctx context.Context, r liveRun) (engine.HostsStats, error) {
	bar := report.NewProgress(a.Stderr, isTerminal(a.Stderr), len(r.items), len(r.cfg.Models)*r.cfg.Sampling.Samples)
	cfg := r.cfg
	cfg.Progress = func(e engine.Progress) { bar.Update(e.Done, e.Total, e.Failed, e.Model) }
	stats, err := r.hosts.Collect(ctx, r.dir, r.b, r.items, r.plan, cfg)
	bar.Finish()
	if err != nil && !errors.Is(err, engine.ErrIncomplete) {
		return stats, err
	}
	a.reportHosts(stats, r.hosts.single, len(cfg.Models), cfg.Order)
	if err == nil {
		return stats, nil
	}
	err = fmt.Errorf("%w, so no %s was written: run the same command again to complete it, or drop a model that keeps failing from --models", err, runstore.ResultsFile)
	switch {
	case len(stats.Gone) > 0 && r.hosts.single:
		err = fmt.Errorf("%w; %w", err, stats.Gone[r.hosts.list[0].Name])
	case len(stats.Gone) > 0:
		err = fmt.Errorf("%w; %w", err, stats.GoneErr())
	}
	return stats, err
}

// reportHosts tells the user what each host did and what went wrong
// (engine's HostsStats.Notes), and how to fix a context too small.
func (a *App) reportHosts(stats engine.HostsStats, single bool, nModels int, order engine.Order) {
	for _, n := range stats.Notes(!single, nModels, order) {
		fmt.Fprintln(a.Stderr, n)
	}
	for _, m := range slices.Sorted(maps.Keys(stats.Errs)) {
		if err := stats.Errs[m]; errors.Is(err, models.ErrContextExceeded) {
			_, next := hint(err)
			fmt.Fprintf(a.Stderr, "model %s: %v: %s\n", m, err, next)
		}
	}
}

// liveFlags are the flags ask and eval share: the benchmark, sampling,
// memory plan, waiting, confidence signal, backend and --config.
type liveFlags struct {
	bf     benchFlags
	sf     samplingFlags
	pf     planFlags
	wf     waitFlags
	cf     confidenceFlags
	bk     backendFlags
	config string
}

func defaultLiveFlags() liveFlags { return liveFlags{pf: defaultPlanFlags(), wf: defaultWaitFlags()} }

func (lf *liveFlags) register(f *pflag.FlagSet) {
	lf.bf.register(f, "")
	lf.sf.register(f, 3)
	lf.pf.register(f)
	lf.wf.register(f)
	lf.cf.register(f, true)
	lf.bk.register(f)
	f.StringVar(&lf.config, "config", "", configHelp)
}

// validate checks the shared flags (sampling, waiting, backend,
// confidence signal, memory plan) and how they combine with --adaptive
// and --config.
func (lf *liveFlags) validate(cmd string, adaptive bool) error {
	if lf.config != "" && lf.bk.openAI() {
		return usagef("%s: give --backend openai or --config with backends, not both (a pool's hosts name their kind)", cmd)
	}
	for _, err := range []error{lf.sf.validate(), lf.wf.validate(), lf.bk.validate(), lf.cf.validate()} {
		if err != nil {
			return err
		}
	}
	if lf.cf.method != "" && lf.cf.method != string(confidence.Consistency) && adaptive {
		return usagef("--adaptive bounds consistency's counts: use it with --confidence consistency")
	}
	return lf.pf.validate()
}

// hosts are the settings the live hosts are opened with.
func (lf *liveFlags) hosts() hostOptions {
	// Start-up calls wait at most --daemon-wait: a daemon that does not
	// answer by then is unreachable (exit 3), as one that stops mid-run is.
	return hostOptions{bk: lf.bk, config: lf.config, pf: lf.pf, numCtx: lf.sf.s.NumCtx, numThread: lf.sf.s.NumThread,
		callTimeout: lf.wf.daemonWait}
}
