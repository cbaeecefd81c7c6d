package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models/ollama"
)

// schedule plans ms into waves for a live run. It fails up front, with the
// numbers, when a model cannot fit alone. The returned hook measures what
// each wave really occupies (remembered for later plans) and reports a
// model evicted mid-wave (thrashing).
func (a *App) schedule(ctx context.Context, c *ollama.Client, ms []string, pf planFlags, numCtx int, work sched.Work) ([][]string, func(context.Context, []string), error) {
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
