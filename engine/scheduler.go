package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

// Scheduler is the one implementation of model-major execution. It runs
// the samples of every question it is given, an eval's whole benchmark
// known in advance or serve's requests arriving at any time, on one queue
// per model, on the hosts of a plan. Each model is placed on one host;
// what a host keeps loaded is decided from the plan's footprints and
// budget (sched.Admit), waiting models taken oldest question first, then
// in the plan's wave order. A loaded model runs every waiting sample of
// every question that needs it, up to the host's slots at once, so a
// question whose models are loaded starts at once; a model stays loaded
// until a waiting model needs its memory. Passthrough requests hold their
// model loaded too (Pin). A host that stays unreachable is given up: its
// models move to another host that has them, planned there, or are
// dropped with the reason. Samples depend only on the question (its item
// id, options and seed), never on what else was queued. It is safe for
// concurrent use.
type Scheduler struct {
	hosts *Hosts
	plan  *HostsPlan
	log   *slog.Logger

	mu     sync.Mutex
	seq    uint64
	clock  uint64
	closed bool
	host   []*hostQueue
	where  map[string]int // model → host index
	rank   map[string]int // model → its place in the plan's wave order
	queued map[*query]bool
	gone   map[string]error  // host → why it was given up
	moved  map[string]string // model → "FROM -> TO"
	wg     sync.WaitGroup    // samples in flight, unloads, failovers
	loads  atomic.Int64
}

// hostQueue is one host's loaded models and waiting samples.
type hostQueue struct {
	i        int
	name     string
	budget   sched.Budget
	bytes    map[string]uint64
	slots    int
	loaded   map[string]*resident
	waiting  map[string][]*task
	gone     bool
	waveDone func(ctx context.Context, models []string) // measures models before their unload
	// hold, when not 0, is the last arrival the loaded models take work
	// of: set when holdFor began to wait for memory, so that they drain
	// and make room for it (0: nothing waits, they take everything).
	hold    uint64
	holdFor string
}

// resident is a model the scheduler has loaded on a host.
type resident struct {
	inFlight, pins int
	slots          int // requests at once (one after the model ran out of memory with more)
	used           uint64
	ready          bool // the evictions before its load have ended
}

// task is one sample of one question, or a passthrough's hold (pin).
type task struct {
	q    *query
	m    string
	jb   job
	lane *lane
	pin  chan struct{} // a passthrough waiting for its model: closed when loaded
	// shared: it ran beside others of its model (an out-of-memory failure
	// then retries it with one slot).
	shared bool
}

// lane runs groups of a question's tasks one group after another (the
// tasks of a group at once): adaptive sampling's one sample at a time in
// tie-break order, or question-major order.
type lane struct {
	groups [][]*task // the groups not yet queued
	left   int       // tasks of the queued group not finished
}

// query is one Eval (a question, a batch, a benchmark) in the scheduler.
type query struct {
	ctx     context.Context
	seq     uint64
	b       benchmark.Benchmark
	w       Sink
	cfg     EvalConfig
	n       *counts
	runs    map[int]*evalRun // per host, made when first needed
	left    int              // tasks not finished
	pending map[string]int   // tasks not finished, per model
	dropped map[string]string
	streak  map[string]*int
	ran     map[int]map[string]bool
	lanes   []*lane
	fatal   error
	done    chan struct{}
}

// NewScheduler returns a scheduler for plan's models on the hosts. Each
// host with a memory plan is held to its budget and max loaded models;
// one without (a server that manages its own memory) takes every model. A
// model that cannot fit its host even alone is left out (a passthrough
// request for it is not held; the daemon decides).
func (p *Hosts) NewScheduler(plan *HostsPlan) *Scheduler {
	s := &Scheduler{hosts: p, plan: plan, log: p.log, where: map[string]int{}, rank: map[string]int{},
		queued: map[*query]bool{}, gone: map[string]error{}, moved: map[string]string{}}
	for i, hp := range plan.Hosts {
		hq := &hostQueue{i: i, name: hp.Name, bytes: map[string]uint64{}, slots: max(p.hosts[i].Slots, 1),
			loaded: map[string]*resident{}, waiting: map[string][]*task{}}
		if pl := hp.Plan; pl != nil {
			hq.budget, hq.slots, hq.waveDone = pl.Budget, max(pl.Settings.Slots, 1), pl.WaveDone
			for _, f := range pl.Footprints {
				hq.bytes[f.Model] = f.Bytes
			}
			for _, w := range pl.ModelWaves() {
				for _, m := range w {
					s.rank[m] = len(s.rank)
				}
			}
		}
		for _, m := range hp.Models {
			if hp.Plan == nil || !slices.ContainsFunc(hp.Plan.Refused, func(r sched.Refusal) bool { return r.Model == m }) {
				s.where[m] = i
			}
		}
		s.host = append(s.host, hq)
	}
	return s
}

// Loads is how many model loads the scheduler has started.
func (s *Scheduler) Loads() int64 { return s.loads.Load() }

// Run blocks until ctx ends, then stops taking questions, ends the
// waiting ones with ctx's error and waits for the samples in flight.
// Models stay loaded (the daemon's keep-alive frees them).
func (s *Scheduler) Run(ctx context.Context) error {
	<-ctx.Done()
	s.mu.Lock()
	s.closed = true
	for q := range s.queued {
		s.cancel(q, ctx.Err())
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// close waits for what is in flight, then measures and unloads every
// model the scheduler loaded (an eval's end), on a fresh context so that
// a cancelled run still frees the daemon's memory.
func (s *Scheduler) close(ctx context.Context) {
	s.wg.Wait()
	s.mu.Lock()
	s.closed = true
	type unload struct {
		hq     *hostQueue
		models []string
	}
	var all []unload
	for _, hq := range s.host {
		if hq.gone || len(hq.loaded) == 0 {
			continue
		}
		ms := make([]string, 0, len(hq.loaded))
		for m := range hq.loaded {
			ms = append(ms, m)
		}
		slices.SortFunc(ms, func(a, b string) int { return cmp.Compare(s.rank[a], s.rank[b]) })
		hq.loaded = map[string]*resident{}
		all = append(all, unload{hq, ms})
	}
	s.mu.Unlock()
	for _, u := range all {
		s.release(ctx, u.hq, u.models)
	}
}

// release measures models about to be unloaded (the plan's WaveDone:
// footprints, and models the daemon evicted on its own), then unloads
// them.
func (s *Scheduler) release(ctx context.Context, hq *hostQueue, ms []string) {
	if hq.waveDone != nil {
		hq.waveDone(ctx, ms)
	}
	s.hosts.engines[hq.i].unload(ctx, ms)
}

// ErrSchedulerClosed reports a question asked after Run ended.
var ErrSchedulerClosed = errors.New("the scheduler has stopped")

// Ask answers one question on the queue, on Ask's path (an Eval over the
// one item, then SLM-MUX). Give the item an ID from its content (ItemID)
// so that its samples depend on nothing else.
func (s *Scheduler) Ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, cfg AskConfig) (Answer, error) {
	ans, _, err := ask(ctx, b, it, cfg, s.Eval)
	return ans, err
}

// Eval queues every (item, model, sample) that w lacks, waits for them and
// returns what happened. cfg.Waves and WaveDone do not apply: the plan
// decides what is loaded. Under adaptive sampling each item's samples run
// one after another in tie-break order, so which are generated depends
// only on the item; question-major order runs (item, model) after (item,
// model). When ctx ends, the waiting samples are dropped and Eval returns
// ctx's error, every finished sample stored.
func (s *Scheduler) Eval(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, cfg EvalConfig) (EvalStats, error) {
	st, err := s.eval(ctx, b, items, w, cfg)
	return st.EvalStats, err
}

func (s *Scheduler) eval(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, cfg EvalConfig) (HostsStats, error) {
	if err := cfg.Sampling.Validate(); err != nil {
		return HostsStats{}, err
	}
	if cfg.Adaptive != nil && cfg.Adaptive.k != cfg.Sampling.Samples {
		return HostsStats{}, fmt.Errorf("engine: adaptive sampling tracks %d samples per model, the run has %d", cfg.Adaptive.k, cfg.Sampling.Samples)
	}
	start := time.Now()
	q := &query{ctx: ctx, b: b, w: w, cfg: cfg, n: &counts{total: len(items) * len(cfg.Models) * cfg.Sampling.Samples},
		runs: map[int]*evalRun{}, pending: map[string]int{}, dropped: map[string]string{}, streak: map[string]*int{}, ran: map[int]map[string]bool{},
		done: make(chan struct{})}
	skipped, err := s.resumed(q, items)
	if err != nil {
		return HostsStats{}, err
	}
	tasks, lanes := s.tasks(q, items)
	if err := s.submit(q, tasks, lanes); err != nil {
		return HostsStats{}, err
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		s.mu.Lock()
		s.cancel(q, ctx.Err())
		s.mu.Unlock()
		s.schedule()
	}
	st := s.stats(q)
	st.Skipped, st.Wall = skipped, time.Since(start)
	s.mu.Lock()
	err = q.fatal
	s.mu.Unlock()
	if err == nil {
		err = ctx.Err()
	}
	return st, err
}

// resumed counts the samples w already has (recording their answers for
// adaptive sampling) and checks that every model is in the plan.
func (s *Scheduler) resumed(q *query, items []benchmark.Item) (int, error) {
	src, _ := q.w.(answerSource)
	n := 0
	for _, m := range q.cfg.Models {
		if _, ok := s.where[m]; !ok {
			return 0, fmt.Errorf("%w: %s is not in the scheduler's plan", models.ErrModelNotInstalled, m)
		}
		q.streak[m] = new(int)
		for _, it := range items {
			for j := range q.cfg.Sampling.Samples {
				k := runstore.Key{Item: it.ID, Model: m, Sample: j}
				if !q.w.Done(k) {
					continue
				}
				n++
				if q.cfg.Adaptive != nil && src != nil {
					a, _ := src.Answer(k)
					q.cfg.Adaptive.Record(runstore.Sample{Item: it.ID, Model: m, Sample: j, Answer: a})
				}
			}
		}
	}
	q.n.done = n
	return n, nil
}

// tasks are q's samples to generate: free tasks, all queued at once
// (model-major), or lanes of groups run in turn (adaptive: per item, one
// sample at a time in tie-break order; question-major: per (item, model)).
func (s *Scheduler) tasks(q *query, items []benchmark.Item) ([]*task, []*lane) {
	ms := slices.Clone(q.cfg.Models)
	if a := q.cfg.Adaptive; a != nil {
		slices.SortStableFunc(ms, func(x, y string) int { return cmp.Compare(a.rank[x], a.rank[y]) })
	}
	var free []*task
	var lanes []*lane
	question := q.cfg.Order == QuestionMajor
	var ql *lane
	if question {
		ql = &lane{}
		lanes = append(lanes, ql)
	}
	for _, it := range items {
		p := q.b.Prompt(it)
		var il *lane
		if q.cfg.Adaptive != nil && !question {
			il = &lane{}
		}
		for _, m := range ms {
			var group []*task
			for j := range q.cfg.Sampling.Samples {
				if q.w.Done(runstore.Key{Item: it.ID, Model: m, Sample: j}) {
					continue
				}
				t := &task{q: q, m: m, jb: job{it, p, j}}
				switch {
				case il != nil:
					t.lane = il
					il.groups = append(il.groups, []*task{t})
				case question:
					t.lane = ql
					group = append(group, t)
				default:
					free = append(free, t)
				}
			}
			if len(group) > 0 {
				ql.groups = append(ql.groups, group)
			}
		}
		if il != nil && len(il.groups) > 0 {
			lanes = append(lanes, il)
		}
	}
	return free, lanes
}

// submit queues a question's free tasks and each lane's first group.
func (s *Scheduler) submit(q *query, free []*task, lanes []*lane) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrSchedulerClosed
	}
	s.seq++
	q.seq = s.seq
	for _, t := range free {
		q.count(t)
	}
	for _, l := range lanes {
		for _, g := range l.groups {
			for _, t := range g {
				q.count(t)
			}
		}
	}
	if q.left == 0 {
		close(q.done)
		s.mu.Unlock()
		return nil
	}
	s.queued[q] = true
	q.lanes = lanes
	for _, t := range free {
		s.enqueue(t)
	}
	for _, l := range lanes {
		s.advance(l)
	}
	s.mu.Unlock()
	s.schedule()
	return nil
}

// count adds t to q's unfinished tasks; settled takes it off.
func (q *query) count(t *task) {
	q.left++
	if q.pending != nil {
		q.pending[t.m]++
	}
}

func (q *query) settled(t *task) {
	q.left--
	if q.pending != nil {
		q.pending[t.m]--
	}
}

func (s *Scheduler) enqueue(t *task) {
	hq := s.host[s.where[t.m]]
	hq.waiting[t.m] = append(hq.waiting[t.m], t)
}

// advance queues a lane's next group, skipping the tasks of dropped
// models (s.mu held).
func (s *Scheduler) advance(l *lane) {
	for l.left == 0 && len(l.groups) > 0 {
		g := l.groups[0]
		l.groups = l.groups[1:]
		for _, t := range g {
			if _, dropped := t.q.dropped[t.m]; dropped || t.q.fatal != nil {
				t.q.settled(t)
				continue
			}
			l.left++
			s.enqueue(t)
		}
	}
}

// finish accounts one task as done (s.mu held): its lane moves on, and the
// question ends when none is left.
func (s *Scheduler) finish(t *task) {
	q := t.q
	q.settled(t)
	if l := t.lane; l != nil {
		l.left--
		s.advance(l)
	}
	if q.left == 0 {
		delete(s.queued, q)
		close(q.done)
	}
}

// cancel drops q's waiting tasks and ends it with err (s.mu held); its
// samples in flight end with its context.
func (s *Scheduler) cancel(q *query, err error) {
	if q.fatal == nil {
		q.fatal = err
	}
	s.purge(q, func(*task) bool { return true })
}

// purge removes q's waiting and lane tasks that drop says (s.mu held).
func (s *Scheduler) purge(q *query, drop func(*task) bool) {
	if q.left == 0 {
		return
	}
	for _, hq := range s.host {
		for m, ts := range hq.waiting {
			hq.waiting[m] = slices.DeleteFunc(ts, func(t *task) bool {
				if t.q != q || !drop(t) {
					return false
				}
				q.settled(t)
				if t.lane != nil {
					t.lane.left--
				}
				return true
			})
		}
	}
	// Lanes: drop their later groups' tasks too, then let them move on.
	for _, l := range q.lanes {
		for gi, g := range l.groups {
			l.groups[gi] = slices.DeleteFunc(g, func(t *task) bool {
				if drop(t) {
					q.settled(t)
					return true
				}
				return false
			})
		}
		s.advance(l)
	}
	if q.left == 0 {
		delete(s.queued, q)
		close(q.done)
	}
}

// eligible reports whether t may run now: it arrived before the hold. A
// request thus waits at most for the wave loaded when it arrived to drain,
// then one wave per model of its host: every later wave takes it.
func (hq *hostQueue) eligible(t *task) bool { return hq.hold == 0 || t.q.seq <= hq.hold }

// schedule applies sched.Admit on every live host (evicting, loading),
// then starts every sample a loaded model may take now.
func (s *Scheduler) schedule() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hq := range s.host {
		if !hq.gone {
			s.admit(hq)
			s.dispatch(hq)
		}
	}
}

func (s *Scheduler) admit(hq *hostQueue) {
	var loaded []sched.Loaded
	for m, r := range hq.loaded {
		busy := r.inFlight > 0 || r.pins > 0 || !r.ready || slices.ContainsFunc(hq.waiting[m], hq.eligible)
		loaded = append(loaded, sched.Loaded{Model: m, Bytes: hq.bytes[m], Busy: busy, Used: r.used})
	}
	var want []sched.Want
	for m, ts := range hq.waiting {
		if _, ok := hq.loaded[m]; ok || len(ts) == 0 {
			continue
		}
		oldest := ts[0].q.seq
		for _, t := range ts {
			oldest = min(oldest, t.q.seq)
		}
		want = append(want, sched.Want{Model: m, Bytes: hq.bytes[m], Oldest: oldest, Rank: s.rank[m], Work: len(ts)})
	}
	a := sched.Admit(hq.budget, loaded, want)
	switch {
	case a.Waiting == "":
		hq.hold, hq.holdFor = 0, ""
	case a.Waiting != hq.holdFor:
		hq.hold, hq.holdFor = s.seq, a.Waiting
	}
	ready := len(a.Evict) == 0
	for _, m := range a.Load {
		hq.loaded[m] = &resident{slots: hq.slots, ready: ready}
		s.loads.Add(1)
		s.log.Debug("load", "host", hq.name, "model", m, "evicts", a.Evict)
	}
	if ready {
		return
	}
	for _, m := range a.Evict {
		delete(hq.loaded, m)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.release(context.Background(), hq, a.Evict)
		s.mu.Lock()
		for _, m := range a.Load {
			if r := hq.loaded[m]; r != nil {
				r.ready = true
			}
		}
		s.mu.Unlock()
		s.schedule()
	}()
}

// dispatch starts the samples the host's loaded models may take now, up
// to their slots (s.mu held).
func (s *Scheduler) dispatch(hq *hostQueue) {
	for m, r := range hq.loaded {
		for r.ready && r.inFlight < r.slots {
			t := s.take(hq, m)
			if t == nil {
				break
			}
			s.clock++
			r.used = s.clock
			if t.pin != nil {
				r.pins++
				close(t.pin)
				continue
			}
			r.inFlight++
			t.shared = r.slots > 1
			s.wg.Add(1)
			go s.run(hq, m, r, t)
		}
	}
}

// take pops m's first task that may run now (s.mu held). A question
// whose context has ended is cancelled on the way.
func (s *Scheduler) take(hq *hostQueue, m string) *task {
	for {
		ts := hq.waiting[m]
		i := slices.IndexFunc(ts, hq.eligible)
		if i < 0 {
			return nil
		}
		t := ts[i]
		if t.pin == nil && t.q.ctx.Err() != nil {
			s.cancel(t.q, t.q.ctx.Err()) // purges t too
			continue
		}
		if i == 0 {
			hq.waiting[m] = ts[1:] // the usual case: no copy
		} else {
			hq.waiting[m] = slices.Delete(ts, i, i+1)
		}
		return t
	}
}

// runOn is q's state on host h, made when first needed: the host's runner
// settings (its plan's), its outage tracker.
func (s *Scheduler) runOn(q *query, h int) *evalRun {
	if r := q.runs[h]; r != nil {
		return r
	}
	cfg := q.cfg
	host := &s.hosts.hosts[h]
	if pl := s.plan.Hosts[h].Plan; pl != nil {
		cfg.Sampling = pl.Sampling(cfg.Sampling)
	}
	if host.Waiting != nil {
		cfg.Waiting = host.Waiting
	}
	r := &evalRun{e: s.hosts.engines[h], b: q.b, w: q.w, cfg: cfg, adapt: cfg.Adaptive, n: q.n,
		stats: EvalStats{Dropped: map[string]string{}, Errs: map[string]error{}},
		out:   newOutage(cfg.BackendWait, cfg.Waiting)}
	q.runs[h] = r
	return r
}

// run generates one sample and records what became of it.
func (s *Scheduler) run(hq *hostQueue, m string, r *resident, t *task) {
	defer s.wg.Done()
	q := t.q
	s.mu.Lock()
	er := s.runOn(q, hq.i)
	s.mu.Unlock()
	stored, failed, fatal := er.sample(q.ctx, m, t.jb)
	s.mu.Lock()
	r.inFlight--
	switch {
	case errors.Is(fatal, ErrBackendGone) && q.ctx.Err() == nil && s.others(hq):
		if _, dropped := q.dropped[m]; dropped {
			s.finish(t)
		} else {
			s.requeue(t)
		}
		if !hq.gone {
			hq.gone = true
			s.gone[hq.name] = fatal
			s.log.Info("host gone: moving its models", "host", hq.name, "err", fatal)
			s.wg.Add(1)
			go s.failover(hq, fatal)
		}
	case fatal != nil:
		s.cancel(q, fatal)
		s.finish(t)
	case stored:
		er.succeeded(q.streak[m])
		if q.ran[hq.i] == nil {
			q.ran[hq.i] = map[string]bool{}
		}
		q.ran[hq.i][m] = true
		s.finish(t)
	case failed != nil && q.ctx.Err() == nil && t.shared && errors.Is(failed, models.ErrOutOfMemory):
		if r.slots > 1 {
			r.slots = 1 // a smaller KV cache; the sample is tried again
			s.log.Info("out of memory: retrying with one slot", "model", m)
		}
		hq.waiting[m] = append([]*task{t}, hq.waiting[m]...)
	case failed == nil, q.ctx.Err() != nil:
		s.finish(t)
	default:
		er.fail(m, failed, q.streak[m], func() { q.dropped[m] = failed.Error() })
		s.finish(t)
		if _, dropped := q.dropped[m]; dropped {
			s.purge(q, func(o *task) bool { return o.m == m })
		}
	}
	s.mu.Unlock()
	s.schedule()
}

// others reports whether a host other than hq is live: only then is an
// unreachable host given up (its models move); a lone host's outage ends
// the questions instead, and a later question tries it again (s.mu held).
func (s *Scheduler) others(hq *hostQueue) bool {
	return slices.ContainsFunc(s.host, func(o *hostQueue) bool { return o != hq && !o.gone })
}

// requeue puts a task back on its model's queue, wherever the model is
// now (s.mu held).
func (s *Scheduler) requeue(t *task) {
	hq := s.host[s.where[t.m]]
	hq.waiting[t.m] = append([]*task{t}, hq.waiting[t.m]...)
}
