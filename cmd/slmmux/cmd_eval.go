package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
)

// evalFlags are eval's settings.
type evalFlags struct {
	bf        benchFlags
	sf        samplingFlags
	pf        planFlags
	data, run string
	modelList string
	limit     int
	order     string
}

func (a *App) evalCmd() *cobra.Command {
	var ef evalFlags
	cmd := &cobra.Command{
		Use:   "eval --bench B --data PATH --models a,b,c --samples k --run DIR",
		Short: "Collect a benchmark's samples live into a run folder (resumable), then score SLM-MUX",
		Long: `eval sends every (item, model, sample) that the run folder lacks to the daemon,
appending each sample to DIR/samples.jsonl as it arrives. Re-running the same
command resumes: only missing samples are generated. At the end it writes
DIR/results.json and prints the results table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runEval(cmd, ef) },
	}
	f := cmd.Flags()
	ef.bf.register(f, "")
	ef.sf.register(f, 3)
	ef.pf.register(f)
	f.StringVar(&ef.data, "data", "", "benchmark file (JSON or JSONL)")
	f.StringVar(&ef.run, "run", "", "run folder (created if missing; resumed if present)")
	f.StringVar(&ef.modelList, "models", "", "comma-separated models")
	f.IntVar(&ef.limit, "limit", 0, "use only the first N items (0: all)")
	f.StringVar(&ef.order, "order", "model", "model (each model's samples together: few loads) or question (the authors' loop)")
	return cmd
}

func (a *App) runEval(cmd *cobra.Command, ef evalFlags) error {
	ctx := cmd.Context()
	items, b, meta, err := ef.prepare()
	if err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	ms, digests, err := resolveModels(ctx, c, splitList(ef.modelList))
	if err != nil {
		return err
	}
	for _, m := range ms {
		meta.Models = append(meta.Models, runstore.ModelMeta{Name: m, Digest: digests[m]})
	}
	waves, hook, err := a.schedule(ctx, c, ms, ef.pf, &ef.sf.s, sched.Work{Items: len(items), Samples: ef.sf.s.Samples})
	if err != nil {
		return err
	}
	meta.NumThread = ef.sf.s.NumThread
	if err := openRun(ef.run, meta, items); err != nil {
		return err
	}
	w, err := runstore.OpenWriter(ef.run)
	if err != nil {
		return err
	}
	defer w.Close()
	eng, err := engine.New(engine.Config{Generator: c, Slots: ef.pf.slots, Logger: a.log()})
	if err != nil {
		return err
	}
	bar := newProgress(a.Stderr, len(items), len(ms)*ef.sf.s.Samples)
	stats, err := eng.Eval(ctx, b, items, w, engine.EvalConfig{
		Models: ms, Sampling: ef.sf.s, Order: engine.Order(ef.order), Progress: bar.update,
		Waves: waves, WaveDone: hook,
	})
	bar.finish()
	if err != nil {
		return err
	}
	for m, why := range stats.Dropped {
		fmt.Fprintf(a.Stderr, "model %s was dropped from this run: %s\n", m, why)
	}
	if ef.order == string(engine.ModelMajor) && stats.Loads > len(ms) {
		fmt.Fprintf(a.Stderr, "thrashing: %d model loads for %d models (each should load once): another client or a low OLLAMA_MAX_LOADED_MODELS evicts models mid-wave\n", stats.Loads, len(ms))
	}
	if stats.Failed > 0 {
		fmt.Fprintf(a.Stderr, "%d sample(s) failed and were not stored: run the same command again to retry them\n", stats.Failed)
	}
	return a.writeResults(ef.run, ms, stats)
}

// prepare validates the flags and loads the benchmark; it writes nothing.
func (ef *evalFlags) prepare() ([]benchmark.Item, benchmark.Benchmark, runstore.Meta, error) {
	var meta runstore.Meta
	switch {
	case ef.bf.name == "":
		return nil, nil, meta, usagef("eval: --bench is required (%v)", benchmark.Names())
	case ef.data == "":
		return nil, nil, meta, usagef("eval: --data PATH is required (the benchmark file, e.g. ../shared/data/gsm8k_500.json)")
	case ef.run == "":
		return nil, nil, meta, usagef("eval: --run DIR is required (where samples are stored; the same DIR resumes)")
	case ef.order != string(engine.ModelMajor) && ef.order != string(engine.QuestionMajor):
		return nil, nil, meta, usagef("--order %q: use model or question", ef.order)
	case ef.limit < 0:
		return nil, nil, meta, usagef("--limit %d: must be 0 (all) or more", ef.limit)
	}
	if err := ef.sf.validate(); err != nil {
		return nil, nil, meta, err
	}
	b, err := ef.bf.build()
	if err != nil {
		return nil, nil, meta, err
	}
	items, err := b.Load(ef.data)
	if err != nil {
		return nil, nil, meta, usagef("--data: %v", err)
	}
	if ef.limit > 0 && ef.limit < len(items) {
		items = items[:ef.limit]
	}
	if len(items) == 0 {
		return nil, nil, meta, usagef("--data %s holds no items", ef.data)
	}
	p := b.Prompt(items[0])
	h := sha256.Sum256([]byte(p.System + "\x00" + p.User))
	abs, _ := filepath.Abs(ef.data)
	meta = runstore.Meta{
		Benchmark: b.Name(), Data: abs, Samples: ef.sf.s.Samples, Seed: ef.sf.s.Seed,
		Temperature: ef.sf.s.Temperature, NumPredict: ef.sf.s.NumPredict, NumCtx: ef.sf.s.NumCtx,
		RepeatPenalty: ef.sf.s.RepeatPenalty,
		Limit:         ef.limit, PromptStyle: ef.bf.style, PromptHash: hex.EncodeToString(h[:8]),
		Created: time.Now().UTC(), Version: buildVersion(),
	}
	return items, b, meta, nil
}

// openRun creates the run folder, or checks that an existing one was made
// with the same settings (so a resume never mixes runs).
func openRun(dir string, meta runstore.Meta, items []benchmark.Item) error {
	var old runstore.Meta
	err := runstore.ReadJSON(dir, runstore.MetaFile, &old)
	switch {
	case err == nil:
		if diff := metaDiff(old, meta); diff != "" {
			return usagef("--run %s was made with other settings (%s): use another --run folder, or the same settings to resume", dir, diff)
		}
		for _, m := range old.Models { // keep models of earlier calls
			if !slices.ContainsFunc(meta.Models, func(x runstore.ModelMeta) bool { return x.Name == m.Name }) {
				meta.Models = append(meta.Models, m)
			}
		}
		meta.Created = old.Created
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--run: %w", err)
	}
	if err := writeItems(dir, items); err != nil {
		return err
	}
	return runstore.WriteJSON(dir, runstore.MetaFile, meta)
}

func metaDiff(old, cur runstore.Meta) string {
	switch {
	case old.Benchmark != cur.Benchmark:
		return fmt.Sprintf("benchmark %s, not %s", old.Benchmark, cur.Benchmark)
	case old.Seed != cur.Seed:
		return fmt.Sprintf("seed %d, not %d", old.Seed, cur.Seed)
	case old.Temperature != cur.Temperature:
		return fmt.Sprintf("temperature %v, not %v", old.Temperature, cur.Temperature)
	case old.NumPredict != cur.NumPredict:
		return fmt.Sprintf("num-predict %d, not %d", old.NumPredict, cur.NumPredict)
	case old.NumCtx != cur.NumCtx:
		return fmt.Sprintf("num-ctx %d, not %d", old.NumCtx, cur.NumCtx)
	case fmt.Sprint(deref(old.RepeatPenalty)) != fmt.Sprint(deref(cur.RepeatPenalty)):
		return fmt.Sprintf("repeat-penalty %v, not %v", deref(old.RepeatPenalty), deref(cur.RepeatPenalty))
	case old.PromptHash != cur.PromptHash:
		return "another prompt (prompt style or data)"
	}
	return ""
}

func writeItems(dir string, items []benchmark.Item) error {
	recs := make([]runstore.Item, len(items))
	for i, it := range items {
		recs[i] = runstore.Item{ID: it.ID, Question: it.Question, Reference: it.Reference, Subject: it.Subject}
	}
	return runstore.WriteJSONL(dir, runstore.ItemsFile, recs)
}

// writeResults scores the run's samples of these models and writes
// results.json, then prints the table.
func (a *App) writeResults(dir string, ms []string, stats engine.EvalStats) error {
	ds, err := loadDataset(dir, ms)
	if err != nil {
		return err
	}
	res, err := mux.Simulate(ds, mux.SimConfig{Trials: 1})
	if err != nil {
		return err
	}
	out := struct {
		muxJSON
		Generated int               `json:"generated"`
		Failed    int               `json:"failed"`
		Dropped   map[string]string `json:"dropped,omitempty"`
		Loads     int               `json:"loads"`
		WallS     float64           `json:"wall_seconds"`
	}{toMuxJSON(res, ms, mux.Paper), stats.Generated, stats.Failed, stats.Dropped, stats.Loads, stats.Wall.Seconds()}
	if err := runstore.WriteJSON(dir, runstore.ResultsFile, out); err != nil {
		return err
	}
	printResults(a.Stdout, res, ms)
	fmt.Fprintf(a.Stdout, "generated %d sample(s) in %.1fs; results in %s\n", stats.Generated, stats.Wall.Seconds(), filepath.Join(dir, runstore.ResultsFile))
	return nil
}

// deref shows an optional setting: its value, or 0 for the default.
func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
