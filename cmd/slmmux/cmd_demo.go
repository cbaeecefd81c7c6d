package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models/demo"
	"github.com/slmmux/slmmux/models/ollama"
)

// demoOptions are demo's flags.
type demoOptions struct {
	limit, samples int
	temperature    float64
	run, seedMode  string
	asJSON         bool
	quantize       string
}

func (a *App) demoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--limit N] [--samples k] [--json]",
		Short: "Run SLM-MUX end to end on the embedded demo models (no download needed)",
		Long: `demo makes sure an Ollama daemon is reachable (OLLAMA_HOST, else one on the default
port, else it starts the ollama on PATH, else it builds and starts the pinned one),
imports the embedded arithmetic models if missing, samples every test question
k times with each model (one model at a time), and prints SLM-MUX over the pool
against each model alone, each with self-consistency, Agent Forest (ties by first
seen and by best_support) and the oracle, then the best pair from search against
the large generalist, with parameters, tokens and wall time of each.
With --run DIR the run is kept and resumable; a DIR made with other settings
is refused.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := demo.Load()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("samples") {
				o.samples = cat.Samples
			}
			if !cmd.Flags().Changed("temperature") {
				o.temperature = cat.Temperature
			}
			if err := o.validate(); err != nil {
				return err
			}
			if !strings.EqualFold(o.quantize, "f32") {
				q, err := ollama.ParseQuantization(o.quantize)
				if err != nil {
					return usagef("demo: --quantize: %w (or f32, the embedded files)", err)
				}
				if cat, err = cat.Quantized(q); err != nil {
					return err
				}
			}
			return a.runDemo(cmd.Context(), cat, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.limit, "limit", 0, "use only the first N test questions (0: all)")
	f.IntVar(&o.samples, "samples", 0, "samples per model (default: the catalog's)")
	f.Float64Var(&o.temperature, "temperature", 0, "sampling temperature (default: the catalog's)")
	f.StringVar(&o.run, "run", "", "keep the run in this folder (resumable); default: a temporary folder")
	f.StringVar(&o.seedMode, "seed-mode", engine.SeedPerItem, "item: seeds per (seed, item, sample); legacy: seed+j (demo runs made before seed modes)")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object")
	f.StringVar(&o.quantize, "quantize", "", "run quantized variants, created at import (demo-mix:q4_K_M, ...): f16, q8_0, q4_K_M or q4_K_S (default: the embedded F32 models)")
	return cmd
}

func (o demoOptions) validate() error {
	if o.limit < 0 {
		return usagef("demo: --limit %d: must be 0 (all) or more", o.limit)
	}
	return settingErr(engine.Sampling{Samples: o.samples, Temperature: o.temperature, SeedMode: o.seedMode}.Validate())
}

// demoBench is the demo's benchmark: its embedded test set, scored as
// numbers.
func demoBench(dir string, limit int) (benchmark.Benchmark, []benchmark.Item, string, error) {
	data := filepath.Join(dir, "demo-test.jsonl")
	if err := os.WriteFile(data, demo.TestSet(), 0o644); err != nil {
		return nil, nil, "", err
	}
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: "number"})
	if err != nil {
		return nil, nil, "", err
	}
	items, err := engine.LoadItems(b, data, limit)
	return b, items, data, err
}

func (a *App) runDemo(ctx context.Context, cat demo.Catalog, o demoOptions) error {
	runDir, stage, cleanup, err := demoDirs(o.run)
	if err != nil {
		return err
	}
	defer cleanup()
	b, items, _, err := demoBench(stage, o.limit)
	if err != nil {
		return err
	}
	s := engine.Sampling{Samples: o.samples, Temperature: o.temperature, SeedMode: o.seedMode, NumPredict: cat.NumPredict,
		NumCtx: engine.DefaultNumCtx, RepeatPenalty: cat.RepeatPenalty}
	spec := runSpec(b, items, s, benchFlags{style: "paper", extractor: "number"}, o.limit)
	spec.Data = "embedded demo test set"
	if err := spec.Check(runDir); err != nil {
		return err
	}
	c, stop, err := demo.EnsureDaemon(ctx, a.Getenv("OLLAMA_HOST"), a.Stderr)
	if err != nil {
		return err
	}
	defer stop()
	if err := demo.Import(ctx, c, cat, a.Stderr); err != nil {
		return err
	}
	all := cat.Names()
	lh, err := a.openHosts(ctx, hostOptions{ollamaURL: c.Host(), pf: defaultPlanFlags(), numCtx: 0}) // the plan's default context, as s has: no --num-ctx was given to check
	if err != nil {
		return err
	}
	plan, err := a.plan(ctx, lh, all, sched.Work{Items: len(items), Samples: o.samples}, false)
	if err != nil {
		return err
	}
	s = lh.Sampling(plan, s)
	spec.Sampling, spec.Models, spec.Digests, spec.Hosts = s, all, cat.Digests(), lh.Hosts
	lock, err := spec.Create(runDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	fmt.Fprintf(a.Stderr, "demo: %d questions x %d models x %d samples at temperature %.2f\n", len(items), len(all), o.samples, o.temperature)
	start := time.Now()
	r := liveRun{hosts: lh, b: b, items: items, dir: runDir, cfg: defaultWaitFlags().evalWaits()}
	r.cfg.Sampling = s
	walls, err := a.collectDemo(ctx, lh, r, all)
	if err != nil {
		return err
	}
	return a.demoResults(runDir, cat, o.samples, o.temperature, time.Since(start), walls, o.asJSON)
}

// demoDirs are the run folder (--run, else one inside the staging
// folder) and a staging folder for the test set, apart from --run, so
// that the run folder is checked before anything in it changes; cleanup
// removes the staging folder.
func demoDirs(run string) (runDir, stage string, cleanup func(), err error) {
	if stage, err = os.MkdirTemp("", "slmmux-demo-"); err != nil {
		return "", "", func() {}, err
	}
	if run == "" {
		run = filepath.Join(stage, "run")
	}
	return run, stage, func() { os.RemoveAll(stage) }, nil
}

// collectDemo collects each model's samples into the run, one model at a
// time, so each model's wall time is its own: a pair's cost is its two
// models', set against the large model's.
func (a *App) collectDemo(ctx context.Context, lh *liveHosts, r liveRun, all []string) (map[string]time.Duration, error) {
	walls := map[string]time.Duration{}
	for _, m := range all {
		plan, err := a.plan(ctx, lh, []string{m}, sched.Work{Items: len(r.items), Samples: r.cfg.Sampling.Samples}, false)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		r.plan, r.cfg.Models = plan, []string{m}
		stats, err := a.collect(ctx, r)
		if err != nil {
			return nil, err
		}
		if len(stats.Dropped) > 0 {
			return nil, fmt.Errorf("demo: models dropped: %v", stats.Dropped)
		}
		walls[m] = time.Since(t0)
	}
	return walls, nil
}

// demoResults prints the demo's comparison over the run in dir, read once
// (report.Demo): SLM-MUX over the pool, its baselines, the best pair and
// the large model, with what each cost (walls: each model's generation
// time).
func (a *App) demoResults(dir string, cat demo.Catalog, k int, temp float64, wall time.Duration, walls map[string]time.Duration, asJSON bool) error {
	run, err := engine.LoadRun(dir, cat.Names())
	if err != nil {
		return err
	}
	cfg := report.DemoConfig{PoolConfig: report.PoolConfig{Pool: cat.Pool(), K: k, ValAcc: cat.ValAcc(), Pair: cat.BestValPair()},
		Params: cat.Params(), Temperature: temp, Wall: wall, Walls: walls, Run: dir}
	if lg, ok := cat.Large(); ok {
		cfg.Large = lg.Name
	}
	out, err := report.Demo(cfg, run.Samples, run.Subset)
	if err != nil {
		return err
	}
	if asJSON {
		methods, err := run.PoolMethods(cfg.Pool, cfg.ValAcc)
		if err != nil {
			return err
		}
		return writeJSON(a.Stdout, engine.DemoView{DemoResult: out, Methods: methods})
	}
	return out.WriteText(a.Stdout, cfg.Pool, cfg.Params)
}
