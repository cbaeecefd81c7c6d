package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/hardware"
	"github.com/slmmux/slmmux/models/ollama"
)

// schedule plans ms into waves for a live run and sets s.NumThread when it
// is 0 (auto). It fails up front, with the numbers, when a model cannot fit
// alone. The returned hook measures what each wave really occupies
// (remembered for later plans) and reports a model evicted mid-wave
// (thrashing).
func (a *App) schedule(ctx context.Context, c *ollama.Client, ms []string, pf planFlags, s *engine.Sampling, work sched.Work) ([][]string, func(context.Context, []string), error) {
	waves, hook, err := a.plan(ctx, c, ms, pf, s.NumCtx, work)
	if err == nil && s.NumThread == 0 {
		s.NumThread = autoThreads(ctx, waves)
	}
	return waves, hook, err
}

// autoThreads shares the CPU among the models loaded together when there
// is no GPU: llama.cpp's threads spin at barriers, so two runners with a
// thread per core each slow each other down many times over (measured: 20
// requests to two tiny models took 13 s with the default threads, 0.3 s with
// one thread each). With a GPU it leaves the daemon's default.
func autoThreads(ctx context.Context, waves [][]string) int {
	info, err := hardware.Probe(ctx, hardware.DefaultConfig())
	if err != nil || len(info.GPUs) > 0 {
		return 0
	}
	widest := 1
	for _, w := range waves {
		widest = max(widest, len(w))
	}
	return max(1, info.CPU.PhysicalCores/widest)
}

func (a *App) plan(ctx context.Context, c *ollama.Client, ms []string, pf planFlags, numCtx int, work sched.Work) ([][]string, func(context.Context, []string), error) {
	s := sched.Settings{NumCtx: orInt(numCtx, 2048), Slots: pf.slots}
	fps, err := pf.footprintsFor(ctx, c, ms, s)
	if err != nil {
		return nil, nil, err
	}
	b, err := pf.resolveBudget(ctx)
	if err != nil {
		return nil, nil, err
	}
	var resident []string
	if run, err := c.Running(ctx); err == nil {
		for _, r := range run {
			resident = append(resident, strings.TrimSuffix(r.Name, ":latest"))
		}
	}
	plan := sched.Plan(fps, b, work, resident)
	if len(plan.Refused) > 0 {
		var lines []string
		for _, r := range plan.Refused {
			lines = append(lines, fmt.Sprintf("%s: %s", r.Model, r.Reason))
		}
		return nil, nil, usagef("these models cannot fit in memory, even alone:\n  %s\n(or pass a larger --budget if the probe is too cautious)", strings.Join(lines, "\n  "))
	}
	waves := make([][]string, len(plan.Waves))
	for i, w := range plan.Waves {
		waves[i] = w.Models
	}
	a.log().Info("plan", "waves", len(waves), "budget_bytes", b.Bytes, "loads", plan.Loads)
	digests := map[string]string{}
	if list, err := c.Installed(ctx); err == nil {
		for _, m := range list {
			digests[strings.TrimSuffix(m.Name, ":latest")] = m.Digest
		}
	}
	hook := func(ctx context.Context, wave []string) {
		run, err := c.Running(ctx)
		if err != nil {
			return
		}
		sizes := map[string]uint64{}
		for _, r := range run {
			sizes[strings.TrimSuffix(r.Name, ":latest")] = uint64(r.SizeBytes)
		}
		measured := map[string]uint64{}
		for _, m := range wave {
			n, ok := sizes[m]
			if !ok {
				fmt.Fprintf(a.Stderr, "thrashing: %s was no longer loaded at the end of its wave (evicted by the daemon): lower --max-loaded to the daemon's OLLAMA_MAX_LOADED_MODELS or give a smaller --budget\n", m)
				continue
			}
			if d := digests[m]; d != "" {
				measured[cacheKey(d, s)] = n
			}
		}
		if err := saveFootprints(measured); err != nil {
			a.log().Debug("footprint cache not saved", "err", err)
		}
	}
	return waves, hook, nil
}
