package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/slmmux/slmmux/models"
)

// failover gives host hq up after it stayed unreachable: each of its
// models moves to another live host that has it (the one with the fewest
// models placed), planned there with that host's budget, or is dropped
// with the reason; a model with work left is reported moved. A host that
// does not answer the planning runs the model unplanned, its requests
// waiting out the outage as every request does.
func (s *Scheduler) failover(hq *hostQueue, cause error) {
	defer s.wg.Done()
	s.mu.Lock()
	var ms []string
	for m, h := range s.where {
		if h == hq.i {
			ms = append(ms, m)
		}
	}
	slices.Sort(ms)
	hq.loaded = map[string]*resident{}
	s.mu.Unlock()
	for _, m := range ms {
		s.mu.Lock()
		to, work := s.target(hq.i, m), s.hasWork(m)
		s.mu.Unlock()
		if to < 0 {
			s.drop(hq, m, fmt.Sprintf("host %s stayed unreachable (%v) and no other host has the model: run the same command again once the host is back", hq.name, cause))
			continue
		}
		bytes, why := s.planOn(to, m)
		s.mu.Lock()
		if work {
			s.moved[m] = hq.name + " -> " + s.host[to].name
			s.log.Info("model moved", "from", hq.name, "to", s.host[to].name, "model", m)
		}
		if why == "" {
			s.move(hq, s.host[to], m, bytes)
		}
		s.mu.Unlock()
		if why != "" {
			s.drop(hq, m, fmt.Sprintf("moved to host %s, which cannot hold it: %s", s.host[to].name, why))
		}
	}
	s.schedule()
}

// hasWork reports whether a question has samples of m left (s.mu held).
func (s *Scheduler) hasWork(m string) bool {
	for q := range s.queued {
		if q.pending[m] > 0 {
			return true
		}
	}
	return false
}

// target is the live host, other than from, that has m and the fewest
// models placed; -1 for none (s.mu held).
func (s *Scheduler) target(from int, m string) int {
	placed := map[int]int{}
	for _, h := range s.where {
		placed[h]++
	}
	to := -1
	for j, hq := range s.host {
		if j == from || hq.gone || !s.hosts.hosts[j].has(m) {
			continue
		}
		if to < 0 || placed[j] < placed[to] {
			to = j
		}
	}
	return to
}

// planOn plans m alone on host j: its footprint, or why j cannot hold it.
func (s *Scheduler) planOn(j int, m string) (uint64, string) {
	if s.hosts.hosts[j].Inventory == nil {
		return 0, ""
	}
	pl, err := s.hosts.planHost(context.Background(), j, []string{m}, s.plan.work)
	switch {
	case errors.Is(err, models.ErrUnavailable):
		return 0, "" // unplanned: its requests wait out the outage
	case err != nil:
		return 0, err.Error()
	case len(pl.Refused) > 0:
		return 0, pl.Refused[0].Reason
	}
	return pl.Footprints[0].Bytes, ""
}

// move places m on host to, with its waiting samples (s.mu held).
func (s *Scheduler) move(from, to *hostQueue, m string, bytes uint64) {
	s.where[m] = to.i
	to.bytes[m] = bytes
	s.rank[m] = len(s.rank)
	to.waiting[m] = append(to.waiting[m], from.waiting[m]...)
	delete(from.waiting, m)
}

// drop ends m's work in every question that has some, with the reason;
// its samples still in flight on the gone host are dropped when they come
// back (run).
func (s *Scheduler) drop(hq *hostQueue, m, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.where, m)
	for q := range s.queued {
		if q.pending[m] > 0 {
			q.dropped[m] = why
			s.purge(q, func(t *task) bool { return t.m == m })
		}
	}
	delete(hq.waiting, m)
}

// stats sums q's per-host stats, with the scheduler's moves and gone
// hosts.
func (s *Scheduler) stats(q *query) HostsStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := HostsStats{EvalStats: EvalStats{Dropped: map[string]string{}, Errs: map[string]error{}},
		Ran: map[string][]string{}, Moved: map[string]string{}, Gone: map[string]error{}}
	for _, r := range q.runs {
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
	for m, why := range q.dropped {
		if _, ok := st.Dropped[m]; !ok {
			st.Dropped[m] = why
		}
	}
	for h, ms := range q.ran {
		for _, m := range q.cfg.Models {
			if ms[m] {
				st.Ran[s.host[h].name] = append(st.Ran[s.host[h].name], m)
			}
		}
	}
	for m, mv := range s.moved {
		if slices.Contains(q.cfg.Models, m) {
			st.Moved[m] = mv
		}
	}
	for h, err := range s.gone {
		st.Gone[h] = err
	}
	return st
}

// Pin holds model loaded for a passthrough request: it waits until the
// model is loaded (evicting idle ones as a question's model would) and
// returns a release to call when the request ends. A model outside the
// plan holds nothing.
func (s *Scheduler) Pin(ctx context.Context, model string) (release func(), err error) {
	model = CanonicalName(model)
	s.mu.Lock()
	h, ok := s.where[model]
	if !ok || s.closed || s.host[h].gone {
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
			hq.waiting[model] = slices.DeleteFunc(hq.waiting[model], func(o *task) bool { return o == t })
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

// Generate runs one request as a passthrough would: its model pinned
// (loaded, evicting idle ones as the plan allows) while it runs on the
// model's host. The discussion methods served as ensembles generate
// through it, so the scheduler keeps the daemon's memory.
func (s *Scheduler) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	m := CanonicalName(req.Model)
	s.mu.Lock()
	h, ok := s.where[m]
	s.mu.Unlock()
	if !ok {
		return s.hosts.Generate(ctx, req)
	}
	release, err := s.Pin(ctx, m)
	if err != nil {
		return models.Result{}, err
	}
	defer release()
	return s.hosts.hosts[h].Generator.Generate(ctx, req)
}
