package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
)

// evalOptions are eval's flags.
type evalOptions struct {
	liveFlags
	data, run string
	models    []string
	limit     int
	order     string
	adaptive  bool
	method    string
	dc        discuss.Config
	group     string
}

func (a *App) evalCmd() *cobra.Command {
	var (
		o         = evalOptions{liveFlags: defaultLiveFlags()}
		modelList string
	)
	cmd := &cobra.Command{
		Use:   "eval --bench B --data PATH --models a,b,c --samples k --run DIR",
		Short: "Collect a benchmark's samples live into a run folder (resumable), then score SLM-MUX",
		Long: `eval sends every (item, model, sample) that the run folder lacks to the daemon,
appending each sample to DIR/samples.jsonl as it arrives. Re-running the same
command resumes: only missing samples are generated. At the end it writes
DIR/results.json and prints the results table.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.models = splitList(modelList)
			if modelList != "" && len(o.models) == 0 {
				return usagef("--models %q names no model", modelList)
			}
			if err := o.validate(); err != nil {
				return err
			}
			return a.runEval(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.liveFlags.register(f)
	o.bf.registerExec(f)
	f.StringVar(&o.data, "data", "", "benchmark file (JSON or JSONL)")
	f.StringVar(&o.run, "run", "", "run folder (created if missing; resumed if present)")
	f.StringVar(&modelList, "models", "", "comma-separated models")
	f.IntVar(&o.limit, "limit", 0, "use only the first N items (0: all)")
	f.StringVar(&o.order, "order", "model", "model (each model's samples together: few loads) or question (the authors' loop)")
	f.StringVar(&o.group, "group", "similarity", "code benchmarks: also run each sample's code on its question's visible examples (doctests, the prompt's asserts) so mux --group behaviour can vote on what the code does; needs --allow-code-execution")
	f.StringVar(&o.method, "method", "slm-mux", "slm-mux (sample and select), or a discussion method the paper compares with: moa, debate, mav, or one composed with SLM-MUX (moa+mux, debate+mux, mav+mux: its first round is SLM-MUX's selected samples); added beside the folder's other methods")
	f.IntVar(&o.dc.Rounds, "rounds", 2, "debate: rounds")
	f.IntVar(&o.dc.Layers, "layers", 2, "moa: proposer layers before the aggregator")
	f.StringVar(&o.dc.Aggregator, "aggregator", "", "moa: the aggregating model (default: the first of --models)")
	f.IntVar(&o.dc.Candidates, "candidates", 1, "mav: candidates per model")
	f.BoolVar(&o.adaptive, "adaptive", false, "exact adaptive sampling: skip the samples that cannot change a question's winner or answer (ties by --models order); the run stores fewer samples")
	return cmd
}

// validate checks the flags; it reads and writes nothing.
func (o *evalOptions) validate() error {
	switch {
	case o.bf.name == "":
		return usagef("eval: --bench is required (%v)", benchmark.Names())
	case o.data == "":
		return usagef("eval: --data PATH is required (the benchmark file, e.g. ../shared/data/gsm8k_500.json)")
	case o.run == "":
		return usagef("eval: --run DIR is required (where samples are stored; the same DIR resumes)")
	case o.order != string(engine.ModelMajor) && o.order != string(engine.QuestionMajor):
		return usagef("--order %q: use model or question", o.order)
	case o.limit < 0:
		return usagef("--limit %d: must be 0 (all) or more", o.limit)
	case o.method != "slm-mux" && o.adaptive:
		return usagef("--adaptive applies to --method slm-mux only")
	case o.dc.Rounds < 1 || o.dc.Rounds > maxRounds:
		return usagef("--rounds %d: use 1 to %d", o.dc.Rounds, maxRounds)
	case o.dc.Layers < 1 || o.dc.Layers > maxRounds:
		return usagef("--layers %d: use 1 to %d", o.dc.Layers, maxRounds)
	case o.dc.Candidates < 1 || o.dc.Candidates > maxRounds:
		return usagef("--candidates %d: use 1 to %d", o.dc.Candidates, maxRounds)
	}
	if err := o.bf.validateExec(); err != nil {
		return err
	}
	if err := checkGroup(o.group); err != nil {
		return err
	}
	if o.method != "slm-mux" {
		m, withMux, err := discuss.Parse(o.method)
		if err != nil {
			return usagef("--method: %w", err)
		}
		o.dc.Method, o.dc.Mux = m, withMux
	}
	return o.liveFlags.validate("eval", o.adaptive)
}

func (a *App) runEval(ctx context.Context, o evalOptions) error {
	b, items, err := o.load()
	if err != nil {
		return err
	}
	if _, ok := b.(benchmark.Behaviour); !ok && o.group == "behaviour" {
		return usagef("--group behaviour: --bench %s has no visible examples to run (humaneval and mbpp have)", o.bf.name)
	}
	lh, err := a.openHosts(ctx, o.hosts())
	if err != nil {
		return err
	}
	ms, digests, err := a.resolve(lh, o.models)
	if err != nil {
		return err
	}
	sig, err := a.liveSignal(ctx, lh, o.cf, mux.Paper, ms, digests)
	if err != nil {
		return err
	}
	a.noteNoPlan(lh, len(ms))
	plan, err := a.plan(ctx, lh, ms, sched.Work{Items: len(items), Samples: o.sf.s.Samples}, false)
	if err != nil {
		return err
	}
	s := lh.Sampling(plan, o.sf.s)
	r, lock, err := o.openRun(b, items, s, ms, digests, lh.Hosts) // with --adaptive, one tracker for every host
	if err != nil {
		return err
	}
	defer lock.Close()
	for _, n := range lock.Notes {
		fmt.Fprintf(a.Stderr, "%s: %s\n", o.run, n)
	}
	if o.dc.Method != "" {
		return a.runDiscussion(ctx, o, lh, b, items, s, ms)
	}
	r.hosts, r.plan, r.cfg.Needs, r.cfg.EmbedModel = lh, plan, needsOf(sig), o.cf.embedModel
	stats, err := a.collect(ctx, r)
	if err != nil {
		return err
	}
	if err := engine.Judge(ctx, o.run, b, items, o.group == "behaviour"); errors.Is(err, benchmark.ErrExecutionNotAllowed) {
		fmt.Fprintf(a.Stderr, "%s: samples stored, not scored: %v\n", o.run, execErr(err))
		return nil
	} else if err != nil {
		return err
	}
	if err := a.writeResults(o.run, ms, s.Samples, o.adaptive, stats.EvalStats); err != nil || o.adaptive {
		return err
	}
	return a.evalSignal(o.run, ms, sig)
}

// openRun creates or resumes the run folder for these settings (refusing
// one made with others) and returns the run to collect, its folder locked
// (adaptive sampling's tracker too, with --adaptive: the models' order is
// the tie-break order the run is exact for, recorded in run.json).
func (o *evalOptions) openRun(b benchmark.Benchmark, items []benchmark.Item, s engine.Sampling, ms []string, digests map[string]string, hosts *engine.Hosts) (liveRun, *runstore.Lock, error) {
	spec := runSpec(b, items, s, o.bf, o.limit)
	spec.Data, _ = filepath.Abs(o.data)
	spec.Models, spec.Digests, spec.Hosts = ms, digests, hosts
	r := liveRun{b: b, items: items, dir: o.run, cfg: o.wf.evalWaits()}
	r.cfg.Models, r.cfg.Sampling, r.cfg.Order = ms, s, engine.Order(o.order)
	if o.dc.Method != "" {
		spec.Discussion = &o.dc
	}
	if o.adaptive {
		spec.Adaptive = ms
		r.cfg.Adaptive = engine.NewAdaptive(s.Samples, ms)
	}
	var err error
	if r.cfg.Strict, r.cfg.Flexible, err = o.bf.modes(); err != nil {
		return r, nil, err
	}
	lock, err := spec.Create(o.run)
	return r, lock, err
}

// load builds the benchmark and reads its items (--limit applied).
func (o *evalOptions) load() (benchmark.Benchmark, []benchmark.Item, error) {
	b, err := o.bf.build()
	if err != nil {
		return nil, nil, err
	}
	items, err := engine.LoadItems(b, o.data, o.limit)
	switch {
	case errors.Is(err, engine.ErrNoItems):
		return nil, nil, usagef("--data %s %w", o.data, err)
	case errors.As(err, new(*engine.PromptSizeError)):
		return nil, nil, usagef("--data %s: %w", o.data, err)
	case err != nil:
		return nil, nil, usagef("--data: %w", err)
	}
	return b, items, nil
}

// runSpec is the run folder's settings for a live run with the sampling
// settings its requests send and the flags that shape its prompts and
// answers (engine.RunSpec).
func runSpec(b benchmark.Benchmark, items []benchmark.Item, s engine.Sampling, bf benchFlags, limit int) engine.RunSpec {
	return engine.RunSpec{Bench: b, Items: items, Sampling: s, Limit: limit, PromptStyle: bf.style, Extractor: bf.extractor,
		Extract: bf.extractMeta(), Version: buildVersion()}
}

// writeResults scores the run's samples of these models and writes
// results.json (engine.WriteResults, or for an adaptive run
// engine.WriteAdaptiveResults), then prints the table.
func (a *App) writeResults(dir string, ms []string, k int, adaptive bool, stats engine.EvalStats) error {
	if adaptive {
		res, err := engine.WriteAdaptiveResults(dir, ms, k, stats, adaptiveBaselines)
		if err != nil {
			return err
		}
		if err := report.WriteStored(a.Stdout, res, adaptiveBaselines); err != nil {
			return err
		}
	} else {
		res, err := engine.WriteResults(dir, ms, stats)
		if err != nil {
			return err
		}
		printResults(a.Stdout, res, ms, nil)
	}
	fmt.Fprintf(a.Stdout, "generated %d sample(s) in %.1fs; results in %s\n", stats.Generated, stats.Wall.Seconds(), filepath.Join(dir, runstore.ResultsFile))
	return nil
}

// adaptiveBaselines says why an adaptive run has no baselines.
const adaptiveBaselines = "not computed: each model alone, self-consistency and Agent Forest need every sample, and an adaptive run stores only those that could change SLM-MUX's selection (run eval without --adaptive for them)"

// maxRounds bounds a discussion's rounds, layers and candidates per model.
const maxRounds = 16

// runDiscussion runs a discussion method over the run's items and prints
// every discussion method the folder holds.
func (a *App) runDiscussion(ctx context.Context, o evalOptions, lh *liveHosts, b benchmark.Benchmark, items []benchmark.Item, s engine.Sampling, ms []string) error {
	p := report.NewProgress(a.Stderr, isTerminal(a.Stderr), len(items), 1)
	st, err := engine.Discuss(ctx, lh.Hosts, engine.DiscussConfig{Discussion: o.dc, Models: ms, Bench: b, Items: items, Sampling: s, Dir: o.run,
		Progress: func(done, total int) { p.Update(done, total, 0, o.dc.Name()) }})
	p.Finish()
	if errors.Is(err, engine.ErrNotInRun) || errors.Is(err, runstore.ErrNoSamples) {
		return usagef("--method %s: %w (run eval without --method on this folder first)", o.method, err)
	}
	if err != nil {
		return execErr(err)
	}
	fmt.Fprintf(a.Stderr, "%s: %d generations, %d reused from the folder, %d failed\n", o.dc.Name(), st.Generated, st.Reused, st.Failed)
	return printDiscussions(a.Stdout, o.run)
}
