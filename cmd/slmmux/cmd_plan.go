package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/hardware"
)

// planOptions are plan's flags.
type planOptions struct {
	pf             planFlags
	bk             backendFlags
	models         []string
	samples, items int
	numCtx         int
	asJSON         bool
	config         string
}

func (a *App) planCmd() *cobra.Command {
	var (
		o         = planOptions{pf: defaultPlanFlags()}
		modelList string
	)
	cmd := &cobra.Command{
		Use:   "plan --models a,b,c --samples k [--items N] [--json]",
		Short: "Show which models load together (waves), their footprints, the budget and the expected loads",
		Long: `plan groups the models of a run into waves that fit memory together. Each wave
runs all its models' samples (model-major), so each model loads once. Without a
daemon, give whole footprints with --footprint and a --budget to plan for
another machine.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.models = splitList(modelList)
			if err := o.validate(); err != nil {
				return err
			}
			return a.runPlan(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.pf.register(f)
	o.bk.register(f)
	f.StringVar(&modelList, "models", "", "comma-separated models (--backend openai: default every model of /v1/models)")
	f.IntVar(&o.samples, "samples", 3, "samples per model")
	f.IntVar(&o.items, "items", 1, "number of items (for the expected loads)")
	f.IntVar(&o.numCtx, "num-ctx", 0, fmt.Sprintf("context window per slot the footprints assume (0: %d, what requests then send)", engine.DefaultNumCtx))
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object (documented in docs/formats.md)")
	f.StringVar(&o.config, "config", "", configHelp)
	return cmd
}

func (o *planOptions) validate() error {
	switch {
	case o.samples < 1 || o.samples > engine.MaxSamples:
		return usagef("--samples %d: need 1 to %d", o.samples, engine.MaxSamples)
	case o.items < 1 || o.items > 1<<24:
		return usagef("--items %d: need 1 to %d", o.items, 1<<24)
	case o.numCtx < 0 || o.numCtx > 1<<24:
		return usagef("--num-ctx %d: must be 0 (default) to %d", o.numCtx, 1<<24)
	}
	if err := o.bk.validate(); err != nil {
		return err
	}
	if o.bk.openAI() {
		if o.config != "" {
			return usagef("plan: give --backend openai or --config with backends, not both (a pool's hosts name their kind)")
		}
		return nil
	}
	if len(o.models) == 0 && len(o.pf.footprints) == 0 && o.config == "" {
		return usagef("plan: --models is required (or --footprint name=size,..., or --config with backends)")
	}
	return o.pf.validate()
}

func (a *App) runPlan(ctx context.Context, o planOptions) error {
	if len(o.pf.footprints) > 0 && o.config == "" {
		return a.runPlanFootprints(ctx, o)
	}
	// Thread count 1: a plan shows memory only.
	lh, err := a.openHosts(ctx, hostOptions{bk: o.bk, config: o.config, pf: o.pf, numCtx: o.numCtx, numThread: 1, assumeEmpty: true})
	if err != nil {
		return err
	}
	if lh.single && lh.list[0].ollama != nil && len(o.models) == 0 {
		return usagef("plan: --models is required (or --footprint name=size,...): --config %s lists no backends", o.config)
	}
	ms, _, err := a.resolve(lh, o.models)
	if err != nil {
		return err
	}
	plan, err := a.plan(ctx, lh, ms, sched.Work{Items: o.items, Samples: o.samples}, true)
	if err != nil {
		return err
	}
	if !lh.single {
		labels := make([]engine.HostLabel, len(lh.list))
		for i, h := range lh.list {
			labels[i] = engine.HostLabel{Kind: h.backend.Kind, URL: h.backend.URL, BudgetSource: h.budgetSource}
		}
		v := lh.View(plan, labels)
		if o.asJSON {
			return writeJSON(a.Stdout, v)
		}
		return report.WriteHostsPlan(a.Stdout, v)
	}
	h := lh.list[0]
	if h.openai != nil {
		note := noPlanLine(h.who, len(ms), h.openai.MaxConcurrency())
		if o.asJSON {
			return writeJSON(a.Stdout, engine.UnplannedView("openai", note, ms, h.openai.MaxConcurrency()))
		}
		fmt.Fprintln(a.Stdout, note)
		fmt.Fprintf(a.Stdout, "wave 1  %s\n", strings.Join(ms, ", "))
		return nil
	}
	return a.printPlan(o, plan.Hosts[0].Plan.View())
}

// runPlanFootprints plans --footprint's sizes for another machine: no
// daemon is asked; the budget is --budget, else this machine's probe.
func (a *App) runPlanFootprints(ctx context.Context, o planOptions) error {
	cfg := engine.PlanConfig{Models: o.models, Work: sched.Work{Items: o.items, Samples: o.samples}, MaxLoaded: o.pf.maxLoaded,
		Slots: o.pf.slots, NumCtx: o.numCtx, NumThread: 1, KVCacheType: o.pf.kvCache, AssumeEmpty: true, Footprints: o.pf.given}
	if o.pf.budget != "" {
		cfg.BudgetBytes = o.pf.budgetBytes
	} else {
		info, err := hardware.Probe(ctx, hardware.DefaultConfig())
		if err != nil {
			return err
		}
		cfg.BudgetBytes = info.BudgetBytes(o.pf.margin)
	}
	p, err := engine.NewPlan(ctx, nil, cfg)
	if err != nil {
		return settingErr(err)
	}
	return a.printPlan(o, p.View())
}

func (a *App) printPlan(o planOptions, p report.PlanView) error {
	if o.asJSON {
		return writeJSON(a.Stdout, p)
	}
	return report.WritePlan(a.Stdout, p)
}
