package engine

import (
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

// Scheduler runs the samples of many questions that arrive at any time
// (serve's requests, of every ensemble) on one queue per model, on the
// hosts of a plan. Each model is placed on one host; what a host keeps
// loaded is decided from the plan's footprints and budget (sched.Admit):
// a loaded model runs every waiting sample of every question that needs
// it, up to the host's slots at once, so a question whose models are
// loaded starts at once; a model stays loaded between questions and is
// unloaded only when a waiting model needs its memory. Passthrough
// requests hold their model loaded too (Pin). Samples depend only on the
// question (its item id, options and seed), never on what else was
// queued. It is safe for concurrent use; Run must run while it is used.
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
	wg     sync.WaitGroup
	loads  atomic.Int64
	queued map[*query]bool
}

// hostQueue is one host's loaded models and waiting samples.
type hostQueue struct {
	i       int
	budget  sched.Budget
	bytes   map[string]uint64
	slots   int
	loaded  map[string]*resident
	waiting map[string][]*task
	// hold, when not 0, is the last arrival the loaded models take work
	// of: set when holdFor began to wait for memory, so that they drain
	// and make room for it (0: nothing waits, they take everything).
	hold    uint64
	holdFor string
}

// resident is a model the scheduler has loaded on a host.
type resident struct {
	inFlight int
	pins     int
	used     uint64
	working  bool          // a worker takes its samples
	ready    chan struct{} // closed once the evictions before its load ended
}

// task is one sample of one question, or a passthrough's hold (pin).
type task struct {
	q   *query
	run *evalRun
	m   string
	jb  job
	pin chan struct{} // a passthrough waiting for its model: closed when loaded
}

// query is one question (or batch) in the scheduler.
type query struct {
	ctx     context.Context
	seq     uint64
	left    int     // tasks not finished yet
	next    []*task // adaptive sampling: the tasks not yet queued, in order
	dropped map[string]bool
	streak  map[string]*int
	fatal   error
	done    chan struct{}
}

// NewScheduler returns a scheduler for plan's models on the hosts. Each
// host with a memory plan is held to its budget and max loaded models;
// one without (a server that manages its own memory) takes every model.
//
// A model that cannot fit its host's budget even alone is left out (a
// passthrough request for it is not held; the daemon decides).
func (p *Hosts) NewScheduler(plan *HostsPlan) *Scheduler {
	s := &Scheduler{hosts: p, plan: plan, log: p.log, where: map[string]int{}, queued: map[*query]bool{}}
	for i, hp := range plan.Hosts {
		hq := &hostQueue{i: i, bytes: map[string]uint64{}, slots: max(p.hosts[i].Slots, 1),
			loaded: map[string]*resident{}, waiting: map[string][]*task{}}
		if hp.Plan != nil {
			hq.budget = hp.Plan.Budget
			for _, f := range hp.Plan.Footprints {
				hq.bytes[f.Model] = f.Bytes
			}
			hq.slots = max(hp.Plan.Settings.Slots, 1)
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

// ErrSchedulerClosed reports a question asked after Run ended.
var ErrSchedulerClosed = errors.New("the scheduler has stopped")

// Ask answers one question on the queue, on Ask's path (an Eval over the
// one item, then SLM-MUX). Give the item an ID from its content (ItemID)
// so that its samples depend on nothing else.
func (s *Scheduler) Ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, cfg AskConfig) (Answer, error) {
	ans, _, err := ask(ctx, b, it, cfg, s.Eval)
	return ans, err
}

// Eval queues every (item, model, sample) that w lacks, waits for them
// and returns what happened, as Engine.Eval does; cfg.Waves, WaveDone and
// Order do not apply (the scheduler decides what is loaded). Under
// adaptive sampling the samples run one after another in tie-break order,
// so which are generated depends only on the question. When ctx ends, the
// question's waiting samples are dropped and Eval returns ctx's error.
func (s *Scheduler) Eval(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, cfg EvalConfig) (EvalStats, error) {
	if err := cfg.Sampling.Validate(); err != nil {
		return EvalStats{}, err
	}
	start := time.Now()
	q := &query{ctx: ctx, dropped: map[string]bool{}, streak: map[string]*int{}, done: make(chan struct{})}
	runs := map[int]*evalRun{}
	ms := slices.Clone(cfg.Models)
	if cfg.Adaptive != nil {
		slices.SortStableFunc(ms, func(a, b string) int { return cfg.Adaptive.rank[a] - cfg.Adaptive.rank[b] })
	}
	var tasks []*task
	for _, m := range ms {
		h, ok := s.where[m]
		if !ok {
			return EvalStats{}, fmt.Errorf("%w: %s is not in the scheduler's plan", models.ErrModelNotInstalled, m)
		}
		r := runs[h]
		if r == nil {
			r = s.newRun(h, b, w, cfg)
			runs[h] = r
		}
		q.streak[m] = new(int)
		for _, it := range items {
			p := b.Prompt(it)
			for j := range cfg.Sampling.Samples {
				if !w.Done(runstore.Key{Item: it.ID, Model: m, Sample: j}) {
					tasks = append(tasks, &task{q: q, run: r, m: m, jb: job{it, p, j}})
				}
			}
		}
	}
	if err := s.submit(q, tasks, cfg.Adaptive != nil); err != nil {
		return EvalStats{}, err
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		s.mu.Lock()
		s.cancel(q, ctx.Err())
		s.mu.Unlock()
		s.schedule()
	}
	st := EvalStats{Dropped: map[string]string{}, Errs: map[string]error{}}
	for _, r := range runs {
		r.mu.Lock()
		st.Generated += r.stats.Generated
		st.Failed += r.stats.Failed
		st.Loads += r.stats.Loads
		st.NotNeeded += r.stats.NotNeeded
		for m, why := range r.stats.Dropped {
			st.Dropped[m] = why
		}
		for m, err := range r.stats.Errs {
			st.Errs[m] = err
		}
		r.mu.Unlock()
	}
	st.Wall = time.Since(start)
	s.mu.Lock()
	err := q.fatal
	s.mu.Unlock()
	if err == nil {
		err = ctx.Err()
	}
	return st, err
}

// newRun is the per-host state of one question's samples: the host's
// runner settings, its outage tracker.
func (s *Scheduler) newRun(h int, b benchmark.Benchmark, w Sink, cfg EvalConfig) *evalRun {
	host := &s.hosts.hosts[h]
	if pl := s.plan.Hosts[h].Plan; pl != nil {
		cfg.Sampling = pl.Sampling(cfg.Sampling)
	}
	if host.Waiting != nil {
		cfg.Waiting = host.Waiting
	}
	return &evalRun{e: s.hosts.engines[h], b: b, w: w, cfg: cfg, adapt: cfg.Adaptive,
		stats: EvalStats{Dropped: map[string]string{}, Errs: map[string]error{}},
		out:   newOutage(cfg.BackendWait, cfg.Waiting)}
}

// submit queues a question's tasks (under adaptive sampling only the
// first; each finished task queues the next).
func (s *Scheduler) submit(q *query, tasks []*task, sequential bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrSchedulerClosed
	}
	s.seq++
	q.seq = s.seq
	q.left = len(tasks)
	if q.left == 0 {
		close(q.done)
		s.mu.Unlock()
		return nil
	}
	s.queued[q] = true
	if sequential {
		q.next = tasks[1:]
		tasks = tasks[:1]
	}
	for _, t := range tasks {
		s.enqueue(t)
	}
	s.mu.Unlock()
	s.schedule()
	return nil
}

func (s *Scheduler) enqueue(t *task) {
	hq := s.host[s.where[t.m]]
	hq.waiting[t.m] = append(hq.waiting[t.m], t)
}

// finish accounts one task of q as done (s.mu held): the question ends
// when none is left; under adaptive sampling the next one is queued.
func (s *Scheduler) finish(q *query) {
	q.left--
	for len(q.next) > 0 {
		t := q.next[0]
		q.next = q.next[1:]
		if q.dropped[t.m] {
			q.left--
			continue
		}
		s.enqueue(t)
		break
	}
	if q.left == 0 {
		delete(s.queued, q)
		close(q.done)
	}
}

// cancel drops q's waiting tasks and ends it with err (s.mu held); its
// samples in flight end with its context.
func (s *Scheduler) cancel(q *query, err error) {
	if q.left == 0 {
		return
	}
	if q.fatal == nil {
		q.fatal = err
	}
	s.purge(q, func(*task) bool { return true })
	n := len(q.next)
	q.next = nil
	q.left -= n
	if q.left == 0 {
		delete(s.queued, q)
		close(q.done)
	}
}

// purge removes q's waiting tasks that drop says (s.mu held).
func (s *Scheduler) purge(q *query, drop func(*task) bool) {
	for _, hq := range s.host {
		for m, ts := range hq.waiting {
			kept := ts[:0]
			for _, t := range ts {
				if t.q == q && drop(t) {
					q.left--
					continue
				}
				kept = append(kept, t)
			}
			hq.waiting[m] = kept
		}
	}
}

// eligible reports whether t may run now: it arrived before the hold. A
// request thus waits at most for the wave loaded when it arrived to drain,
// then one wave per model of its host: every later wave takes it.
func (hq *hostQueue) eligible(t *task) bool { return hq.hold == 0 || t.q.seq <= hq.hold }

// schedule applies sched.Admit on every host: evicts, loads, and starts a
// worker for every loaded model with samples it may take.
func (s *Scheduler) schedule() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hq := range s.host {
		s.admit(hq)
	}
}

func (s *Scheduler) admit(hq *hostQueue) {
	var loaded []sched.Loaded
	for m, r := range hq.loaded {
		busy := r.inFlight > 0 || r.pins > 0 || r.working || slices.ContainsFunc(hq.waiting[m], hq.eligible)
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
		want = append(want, sched.Want{Model: m, Bytes: hq.bytes[m], Oldest: oldest, Work: len(ts)})
	}
	a := sched.Admit(hq.budget, loaded, want)
	switch {
	case a.Waiting == "":
		hq.hold, hq.holdFor = 0, ""
	case a.Waiting != hq.holdFor:
		hq.hold, hq.holdFor = s.seq, a.Waiting
	}
	var evicted []string
	for _, m := range a.Evict {
		delete(hq.loaded, m)
		evicted = append(evicted, m)
	}
	ready := make(chan struct{})
	if len(evicted) > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.hosts.engines[hq.i].unload(context.Background(), evicted)
			close(ready)
		}()
	} else {
		close(ready)
	}
	for _, m := range a.Load {
		hq.loaded[m] = &resident{ready: ready}
		s.loads.Add(1)
		s.log.Debug("load", "host", hq.i, "model", m, "evicts", evicted)
	}
	for m, r := range hq.loaded {
		if !r.working && slices.ContainsFunc(hq.waiting[m], hq.eligible) {
			r.working = true
			s.wg.Add(1)
			go s.work(hq, m, r)
		}
	}
}

// work runs a loaded model's waiting tasks, up to the host's slots at
// once, until none it may take is left.
func (s *Scheduler) work(hq *hostQueue, m string, r *resident) {
	defer s.wg.Done()
	<-r.ready
	slots := make(chan struct{}, hq.slots)
	for {
		slots <- struct{}{}
		s.mu.Lock()
		t := s.take(hq, m)
		if t == nil {
			r.working = false
			s.mu.Unlock()
			<-slots
			s.schedule()
			return
		}
		s.clock++
		r.used = s.clock
		if t.pin != nil {
			r.pins++
			close(t.pin)
			s.mu.Unlock()
			<-slots
			continue
		}
		r.inFlight++
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.runTask(t)
			s.mu.Lock()
			r.inFlight--
			s.finish(t.q)
			s.mu.Unlock()
			<-slots
			s.schedule()
		}()
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
		hq.waiting[m] = slices.Delete(ts, i, i+1)
		return t
	}
}

// runTask generates one sample and records what became of it.
func (s *Scheduler) runTask(t *task) {
	q := t.q
	stored, failed, fatal := t.run.sample(q.ctx, t.m, t.jb)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case fatal != nil:
		s.cancel(q, fatal) // this task is still counted: finish ends q
	case stored:
		t.run.succeeded(q.streak[t.m])
	case failed == nil, q.ctx.Err() != nil:
	default:
		t.run.fail(t.m, failed, q.streak[t.m], func() { q.dropped[t.m] = true })
		if q.dropped[t.m] {
			s.purge(q, func(o *task) bool { return o.m == t.m })
		}
	}
}

// Pin holds model loaded for a passthrough request: it waits until the
// model is loaded (evicting idle ones as a question's model would) and
// returns a release to call when the request ends. A model outside the
// plan, or a scheduler without an Inventory host for it, holds nothing.
func (s *Scheduler) Pin(ctx context.Context, model string) (release func(), err error) {
	model = CanonicalName(model)
	s.mu.Lock()
	h, ok := s.where[model]
	if !ok || s.closed {
		s.mu.Unlock()
		return func() {}, nil
	}
	hq := s.host[h]
	s.seq++
	q := &query{ctx: ctx, seq: s.seq, left: 1, done: make(chan struct{})}
	t := &task{q: q, m: model, pin: make(chan struct{})}
	s.enqueue(t)
	s.mu.Unlock()
	s.schedule()
	select {
	case <-t.pin:
	case <-ctx.Done():
		s.mu.Lock()
		select {
		case <-t.pin: // loaded meanwhile: release it below
			s.mu.Unlock()
			s.unpin(hq, model)
		default:
			s.purge(q, func(*task) bool { return true })
			s.mu.Unlock()
			s.schedule()
		}
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { s.unpin(hq, model) }) }, nil
}

func (s *Scheduler) unpin(hq *hostQueue, model string) {
	s.mu.Lock()
	if r := hq.loaded[model]; r != nil {
		r.pins--
	}
	s.mu.Unlock()
	s.schedule()
}
