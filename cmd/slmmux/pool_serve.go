package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/config"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/engine/serve"
)

// poolEnsembles opens the pool once and returns a builder of ensembles
// answered by it: each ensemble's members are placed and planned on the
// hosts (its own PoolPlan), and the pool bound to that plan answers it.
// Ordinary models still pass through to the daemon at OLLAMA_HOST.
func (a *App) poolEnsembles(ctx context.Context, o serveOptions, bs []config.Backend) (func(string, []string, engine.Sampling, mux.Profile, serve.EnsembleConfig) (serve.Ensemble, error), error) {
	pool, hosts, err := a.openPool(ctx, bs, poolOptions{pf: o.pf, numCtx: o.sf.s.NumCtx, numThread: o.sf.s.NumThread})
	if err != nil {
		return nil, err
	}
	return func(name string, want []string, s engine.Sampling, p mux.Profile, ec serve.EnsembleConfig) (serve.Ensemble, error) {
		ms, _ := a.poolModels(hosts, want)
		if len(ms) == 0 {
			return serve.Ensemble{}, fmt.Errorf("ensemble %s: %w: no host of the pool has a model", name, engine.ErrNoModels)
		}
		acc, err := ensembleTies(name, ec, ms)
		if err != nil {
			return serve.Ensemble{}, err
		}
		plan, err := pool.Plan(ctx, ms, sched.Work{Items: 1, Samples: s.Samples})
		if err != nil {
			return serve.Ensemble{}, fmt.Errorf("ensemble %s: %w", name, err)
		}
		if err := plan.Err(); err != nil {
			return serve.Ensemble{}, fmt.Errorf("ensemble %s: %w", name, err)
		}
		var parts []string
		for _, hp := range plan.Hosts {
			if len(hp.Models) > 0 {
				parts = append(parts, hp.Name+": "+strings.Join(hp.Models, ", "))
			}
		}
		fmt.Fprintf(a.Stderr, "slmmux serve: ensemble %s on the pool (%s)\n", name, strings.Join(parts, "; "))
		// Waves only chooses between answering at once (every host has
		// one wave) and rounds (some host loads its models in turns).
		waves := [][]string{ms}
		if plan.MaxWaves() > 1 {
			waves = make([][]string, plan.MaxWaves())
		}
		return serve.Ensemble{Name: name, Models: ms, Sampling: poolSampling(s), Profile: p, ValAcc: acc,
			Waves: waves, Runner: pool.Bind(plan)}, nil
	}, nil
}
