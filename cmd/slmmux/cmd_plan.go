package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/hardware"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/daemon"
)

// planFlags are the memory settings shared by plan, ask and eval.
type planFlags struct {
	footprints []string
	budget     string
	margin     float64
	maxLoaded  int
	slots      int
}

func (pf *planFlags) register(f *pflag.FlagSet) {
	f.StringSliceVar(&pf.footprints, "footprint", nil, "whole footprints by hand, e.g. a=4.7GiB,b=2GiB (repeatable); skips the daemon")
	f.StringVar(&pf.budget, "budget", "", "memory models may use, e.g. 8GiB (default: free VRAM, else available RAM, from the probe)")
	f.Float64Var(&pf.margin, "margin", 0.2, "share of the probed memory kept free (Ollama itself keeps 20 %)")
	f.IntVar(&pf.maxLoaded, "max-loaded", 3, "the daemon's OLLAMA_MAX_LOADED_MODELS (Ollama's default is 3 per GPU, 3 on CPU)")
	f.IntVar(&pf.slots, "slots", 1, "the daemon's OLLAMA_NUM_PARALLEL: requests per model in flight, each with its own KV cache")
}

// budget resolves the memory budget: --budget, else the probe.
func (pf *planFlags) resolveBudget(ctx context.Context) (sched.Budget, error) {
	b := sched.Budget{MaxLoaded: pf.maxLoaded}
	if pf.budget != "" {
		n, err := parseBytes(pf.budget)
		if err != nil {
			return b, usagef("--budget %q: %v (e.g. 8GiB, 512MiB, 2.5GB)", pf.budget, err)
		}
		b.Bytes = n
		return b, nil
	}
	if pf.margin < 0 || pf.margin >= 1 {
		return b, usagef("--margin %v: must be in [0, 1)", pf.margin)
	}
	info, err := hardware.Probe(ctx, hardware.DefaultConfig())
	if err != nil {
		return b, err
	}
	b.Bytes = info.BudgetBytes(pf.margin)
	return b, nil
}

// footprintsFor returns each model's footprint: from --footprint, else
// measured (cache) or estimated from the daemon's /api/show.
func (pf *planFlags) footprintsFor(ctx context.Context, c *ollama.Client, ms []string, s sched.Settings) ([]sched.Footprint, error) {
	if len(pf.footprints) > 0 {
		given := map[string]uint64{}
		var order []string
		for _, kv := range pf.footprints {
			name, size, ok := strings.Cut(kv, "=")
			n, err := parseBytes(size)
			if !ok || name == "" || err != nil {
				return nil, usagef("--footprint %q: want name=size, e.g. llama3.2=2.1GiB", kv)
			}
			given[name] = n
			order = append(order, name)
		}
		if len(ms) == 0 {
			ms = order
		}
		var out []sched.Footprint
		for _, m := range ms {
			n, ok := given[m]
			if !ok {
				return nil, usagef("--footprint has no size for %q: give every model of --models", m)
			}
			out = append(out, sched.Footprint{Model: m, Bytes: n, Source: "flag"})
		}
		return out, nil
	}
	cache := loadFootprintCache()
	var out []sched.Footprint
	for _, m := range ms {
		info, err := c.Show(ctx, m)
		if err != nil {
			return nil, err
		}
		info.Name = m
		f := sched.Estimate(info, s)
		if n, ok := cache[cacheKey(info.Digest, s)]; ok {
			f = f.WithMeasurement(n)
		}
		out = append(out, f)
	}
	return out, nil
}

func (a *App) planCmd() *cobra.Command {
	var (
		pf        planFlags
		modelList string
		samples   int
		items     int
		numCtx    int
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "plan --models a,b,c --samples k [--items N] [--json]",
		Short: "Show which models load together (waves), their footprints, the budget and the expected loads",
		Long: `plan groups the models of a run into waves that fit memory together. Each wave
runs all its models' samples (model-major), so each model loads once. Without a
daemon, give whole footprints with --footprint and a --budget to plan for
another machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if samples < 1 {
				return usagef("--samples %d: need at least 1", samples)
			}
			ms := splitList(modelList)
			if len(ms) == 0 && len(pf.footprints) == 0 {
				return usagef("plan: --models is required (or --footprint name=size,...)")
			}
			s := sched.Settings{NumCtx: orInt(numCtx, 2048), Slots: pf.slots}
			var c *ollama.Client
			if len(pf.footprints) == 0 {
				var err error
				if c, err = a.client(); err != nil {
					return err
				}
			}
			fps, err := pf.footprintsFor(ctx, c, ms, s)
			if err != nil {
				return err
			}
			b, err := pf.resolveBudget(ctx)
			if err != nil {
				return err
			}
			res := sched.Plan(fps, b, sched.Work{Items: items, Samples: samples}, nil)
			out := planJSON{BudgetBytes: b.Bytes, MaxLoaded: b.MaxLoaded, Waves: res.Waves, Loads: res.Loads,
				QuestionMajorLoads: res.QuestionMajorLoads, Refused: res.Refused, Footprints: fps, Settings: s}
			if asJSON {
				return writeJSON(a.Stdout, out)
			}
			printPlan(a, out)
			return nil
		},
	}
	f := cmd.Flags()
	pf.register(f)
	f.StringVar(&modelList, "models", "", "comma-separated models")
	f.IntVar(&samples, "samples", 3, "samples per model")
	f.IntVar(&items, "items", 1, "number of items (for the expected loads)")
	f.IntVar(&numCtx, "num-ctx", 0, "context window per slot the footprints assume (default 2048)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object (documented in the README)")
	return cmd
}

// planJSON is `plan --json`.
type planJSON struct {
	BudgetBytes        uint64            `json:"budget_bytes"`
	MaxLoaded          int               `json:"max_loaded"`
	Waves              []sched.Wave      `json:"waves"`
	Loads              int               `json:"loads"`
	QuestionMajorLoads int               `json:"question_major_loads"`
	Refused            []sched.Refusal   `json:"refused"`
	Footprints         []sched.Footprint `json:"footprints"`
	Settings           sched.Settings    `json:"settings"`
}

func printPlan(a *App, p planJSON) {
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "budget\t%s (max %d loaded)\n", human(int64(p.BudgetBytes)), p.MaxLoaded)
	fmt.Fprintln(w, "\nMODEL\tFOOTPRINT\tSOURCE\tNOTE")
	for _, f := range p.Footprints {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", f.Model, human(int64(f.Bytes)), f.Source, f.Note)
	}
	fmt.Fprintln(w)
	for i, wave := range p.Waves {
		fmt.Fprintf(w, "wave %d\t%s\t%s", i+1, strings.Join(wave.Models, ", "), human(int64(wave.Bytes)))
		if len(wave.Evicts) > 0 {
			fmt.Fprintf(w, "\tunloads %s first", strings.Join(wave.Evicts, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, r := range p.Refused {
		fmt.Fprintf(w, "refused\t%s\t%s\n", r.Model, r.Reason)
	}
	fmt.Fprintf(w, "\nloads\t%d model-major (each model once), about %d question-major\n", p.Loads, p.QuestionMajorLoads)
	w.Flush()
}

// parseBytes parses sizes like "8GiB", "512MiB", "2.5GB", "1000".
func parseBytes(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"B", 1}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suffix)) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, errors.New("not a positive size")
	}
	return uint64(v * mult), nil
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// The footprint cache remembers measured sizes by model digest and
// settings: $SLMMUX_CACHE/footprints.json.
func footprintCachePath() string { return filepath.Join(daemon.CacheDir(), "footprints.json") }

func cacheKey(digest string, s sched.Settings) string {
	return fmt.Sprintf("%s|ctx=%d|slots=%d", digest, s.NumCtx, s.Slots)
}

func loadFootprintCache() map[string]uint64 {
	m := map[string]uint64{}
	if b, err := os.ReadFile(footprintCachePath()); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func saveFootprints(updates map[string]uint64) error {
	m := loadFootprintCache()
	for k, v := range updates {
		m[k] = v
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(footprintCachePath()), 0o755); err != nil {
		return err
	}
	return os.WriteFile(footprintCachePath(), b, 0o644)
}
