package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// HostsStats summarises one Hosts.Eval: EvalStats over all hosts, and what
// each host did.
type HostsStats struct {
	EvalStats
	// Ran maps each host to the models it generated samples of.
	Ran map[string][]string
	// Moved maps each model moved off a failed host to "FROM -> TO".
	Moved map[string]string
	// Gone maps each host that stayed unreachable mid-run to its error.
	Gone map[string]error
}

// hostTask is work queued on one host: models, with their plan when it
// was made ahead (nil: plan when the task starts).
type hostTask struct {
	models []string
	plan   *Plan
	ready  bool // plan is final (also nil for a host without Inventory)
}

type hostsRun struct {
	p     *Hosts
	b     benchmark.Benchmark
	items []benchmark.Item
	w     Sink
	cfg   EvalConfig
	work  HostsPlan

	mu     sync.Mutex
	cond   *sync.Cond
	queue  [][]hostTask
	active int
	failed []bool
	load   []int // models placed on each host
	err    error
	cancel context.CancelFunc
	stats  HostsStats
	ran    []map[string]bool

	pmu      sync.Mutex // progress
	done     int
	total    int
	failedBy map[int]int
	tasks    int
}

// Eval generates every missing (item, model, sample) of cfg.Models on the
// pool, as Engine.Eval does on one backend: each host runs plan's models
// in its own waves, all hosts at once, into w. cfg.Waves and cfg.WaveDone
// are ignored (each host's plan has its own); cfg.Sampling's runner
// settings are each host plan's. A host that stays unreachable for longer
// than cfg.BackendWait is given up: its models that lack samples move to
// another host that has them (planned there), or are dropped with the
// reason, and Eval goes on with the other hosts. Eval fails only on a
// sink error or when ctx ends.
func (p *Hosts) Eval(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, plan *HostsPlan, cfg EvalConfig) (HostsStats, error) {
	if err := cfg.Sampling.Validate(); err != nil {
		return HostsStats{}, err
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &hostsRun{p: p, b: b, items: items, w: w, cfg: cfg, work: *plan, cancel: cancel,
		queue: make([][]hostTask, len(p.hosts)), failed: make([]bool, len(p.hosts)), load: make([]int, len(p.hosts)),
		ran: make([]map[string]bool, len(p.hosts)), failedBy: map[int]int{},
		stats: HostsStats{EvalStats: EvalStats{Dropped: map[string]string{}, Errs: map[string]error{}},
			Ran: map[string][]string{}, Moved: map[string]string{}, Gone: map[string]error{}}}
	r.cond = sync.NewCond(&r.mu)
	r.total = len(items) * len(cfg.Models) * cfg.Sampling.Samples
	for _, m := range cfg.Models {
		if _, ok := plan.Host[m]; !ok {
			return HostsStats{}, fmt.Errorf("engine: model %s is not in the pool's plan", m)
		}
		n := r.stored(m)
		r.done += n
		r.stats.Skipped += n
	}
	for i, hp := range plan.Hosts {
		r.ran[i] = map[string]bool{}
		var ms []string
		for _, m := range hp.Models {
			if contains(cfg.Models, m) {
				ms = append(ms, m)
			}
		}
		r.load[i] = len(ms)
		if len(ms) > 0 {
			r.queue[i] = []hostTask{{models: ms, plan: hp.Plan, ready: true}}
		}
	}
	var wg sync.WaitGroup
	for i := range p.hosts {
		wg.Add(1)
		go func() { defer wg.Done(); r.worker(ctx, i) }()
	}
	wg.Wait()
	for i, h := range p.hosts {
		for _, m := range cfg.Models {
			if r.ran[i][m] {
				r.stats.Ran[h.Name] = append(r.stats.Ran[h.Name], m)
			}
		}
	}
	r.stats.Wall = time.Since(start)
	if r.err != nil {
		return r.stats, r.err
	}
	return r.stats, ctx.Err()
}

func contains(ms []string, m string) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// stored counts m's samples already in the sink.
func (r *hostsRun) stored(m string) int {
	n := 0
	for _, it := range r.items {
		for j := range r.cfg.Sampling.Samples {
			if r.w.Done(runstore.Key{Item: it.ID, Model: m, Sample: j}) {
				n++
			}
		}
	}
	return n
}

// worker runs host h's queue until no host can give it more work.
func (r *hostsRun) worker(ctx context.Context, h int) {
	for {
		r.mu.Lock()
		for len(r.queue[h]) == 0 && r.active > 0 && r.err == nil && ctx.Err() == nil {
			r.cond.Wait()
		}
		if len(r.queue[h]) == 0 || r.err != nil || ctx.Err() != nil || r.failed[h] {
			r.mu.Unlock()
			return
		}
		t := r.queue[h][0]
		r.queue[h] = r.queue[h][1:]
		r.active++
		r.tasks++
		id := r.tasks
		r.mu.Unlock()

		st, err := r.run(ctx, h, id, t)

		r.mu.Lock()
		r.active--
		r.merge(st)
		switch {
		case err == nil:
		case errors.Is(err, ErrBackendGone) && ctx.Err() == nil:
			r.giveUp(h, t, err)
		case r.err == nil && ctx.Err() == nil:
			r.err = err
			r.cancel()
		}
		r.cond.Broadcast()
		stop := r.failed[h]
		r.mu.Unlock()
		if stop {
			return
		}
	}
}

// run runs one task on host h: plans it when it was not planned ahead,
// then Eval over its models with the host's waves.
func (r *hostsRun) run(ctx context.Context, h, id int, t hostTask) (EvalStats, error) {
	host := &r.p.hosts[h]
	r.mu.Lock()
	var ms []string
	for _, m := range t.models {
		if _, dropped := r.stats.Dropped[m]; !dropped && r.stored(m) < len(r.items)*r.cfg.Sampling.Samples {
			ms = append(ms, m)
		}
	}
	r.mu.Unlock()
	if len(ms) == 0 {
		return EvalStats{}, nil
	}
	pl := t.plan
	if !t.ready && host.Inventory != nil {
		var err error
		pl, err = r.p.planHost(ctx, h, ms, r.work.work)
		switch {
		case errors.Is(err, models.ErrUnavailable):
			// The host does not answer now: run the models one at a
			// time, unplanned, so that the requests wait out the outage
			// (up to BackendWait) as every request does.
			waves := make([][]string, len(ms))
			for i, m := range ms {
				waves[i] = []string{m}
			}
			return r.eval(ctx, h, id, ms, waves, nil, r.cfg.Sampling)
		case err != nil:
			return r.dropAll(ms, err), nil
		}
		for _, ref := range pl.Refused {
			r.mu.Lock()
			r.stats.Dropped[ref.Model] = fmt.Sprintf("moved to host %s, which cannot hold it: %s", host.Name, ref.Reason)
			r.mu.Unlock()
		}
	}
	if pl == nil {
		return r.eval(ctx, h, id, ms, [][]string{ms}, nil, r.cfg.Sampling)
	}
	waves := pl.ModelWaves()
	var planned []string
	for _, wave := range waves {
		planned = append(planned, wave...)
	}
	return r.eval(ctx, h, id, planned, waves, pl.WaveDone, pl.Sampling(r.cfg.Sampling))
}

// eval runs Eval on host h over ms in these waves.
func (r *hostsRun) eval(ctx context.Context, h, id int, ms []string, waves [][]string, waveDone func(context.Context, []string), s Sampling) (EvalStats, error) {
	host := &r.p.hosts[h]
	cfg := r.cfg
	cfg.Models, cfg.Waves, cfg.WaveDone, cfg.Sampling = ms, waves, waveDone, s
	if host.Waiting != nil {
		cfg.Waiting = host.Waiting
	}
	cfg.Progress = func(pr Progress) {
		r.pmu.Lock()
		r.done++
		r.failedBy[id] = pr.Failed
		r.ran[h][pr.Model] = true
		out := Progress{Done: r.done, Total: r.total, Model: pr.Model}
		for _, f := range r.failedBy {
			out.Failed += f
		}
		r.pmu.Unlock()
		if r.cfg.Progress != nil {
			r.cfg.Progress(out)
		}
	}
	return r.p.engines[h].Eval(ctx, r.b, r.items, r.w, cfg)
}

// dropAll drops models a host could not plan.
func (r *hostsRun) dropAll(ms []string, err error) EvalStats {
	st := EvalStats{Dropped: map[string]string{}}
	for _, m := range ms {
		st.Dropped[m] = err.Error()
	}
	return st
}

// merge adds one task's stats (r.mu held). Skipped is counted once, at
// the start, so a moved model's samples are not counted twice.
func (r *hostsRun) merge(st EvalStats) {
	r.stats.Generated += st.Generated
	r.stats.Failed += st.Failed
	r.stats.Loads += st.Loads
	r.stats.NotNeeded += st.NotNeeded
	for m, why := range st.Dropped {
		r.stats.Dropped[m] = why
	}
	for m, err := range st.Errs {
		r.stats.Errs[m] = err
	}
}

// giveUp marks host h failed and moves its unfinished models, the
// failed task's and the queued ones, to other hosts that have them, else
// drops them with the reason (r.mu held).
func (r *hostsRun) giveUp(h int, t hostTask, err error) {
	from := r.p.hosts[h].Name
	r.failed[h] = true
	r.stats.Gone[from] = err
	r.p.log.Info("host gone: moving its models", "host", from, "err", err)
	rest := append([]string(nil), t.models...)
	for _, q := range r.queue[h] {
		rest = append(rest, q.models...)
	}
	r.queue[h] = nil
	moved := map[int][]string{}
	for _, m := range rest {
		if _, dropped := r.stats.Dropped[m]; dropped || r.stored(m) == len(r.items)*r.cfg.Sampling.Samples {
			continue
		}
		to := -1
		for j := range r.p.hosts {
			if j == h || r.failed[j] || !r.p.hosts[j].has(m) {
				continue
			}
			if to < 0 || r.load[j] < r.load[to] {
				to = j
			}
		}
		if to < 0 {
			r.stats.Dropped[m] = fmt.Sprintf("host %s stayed unreachable (%v) and no other host has the model: run the same command again once the host is back", from, err)
			continue
		}
		r.load[to]++
		r.load[h]--
		moved[to] = append(moved[to], m)
		r.stats.Moved[m] = from + " -> " + r.p.hosts[to].Name
	}
	keys := make([]int, 0, len(moved))
	for j := range moved {
		keys = append(keys, j)
	}
	sort.Ints(keys)
	for _, j := range keys {
		r.queue[j] = append(r.queue[j], hostTask{models: moved[j]})
		r.p.log.Info("models moved", "from", from, "to", r.p.hosts[j].Name, "models", strings.Join(moved[j], ","))
	}
}

// Ask answers one question on the hosts: an Eval over the one item with
// plan, then SLM-MUX over its samples (as Engine.Ask, on the same path).
// cfg.Waves and cfg.WaveDone are ignored: each host's plan has its own.
func (p *Hosts) Ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, plan *HostsPlan, cfg AskConfig) (Answer, HostsStats, error) {
	var st HostsStats
	ans, _, err := ask(ctx, b, it, cfg, func(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, ec EvalConfig) (EvalStats, error) {
		var err error
		st, err = p.Eval(ctx, b, items, w, plan, ec)
		return st.EvalStats, err
	})
	return ans, st, err
}

// MaxWaves is the most waves any host of the plan has.
func (pp *HostsPlan) MaxWaves() int {
	n := 0
	for _, h := range pp.Hosts {
		n = max(n, len(h.Waves()))
	}
	return n
}
