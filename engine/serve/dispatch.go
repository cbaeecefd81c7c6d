package serve

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
)

// The dispatcher owns the daemon's memory for the ensembles. An ensemble
// whose members fit together (one wave) answers each request at once,
// concurrently. One whose members do not is served in rounds: every
// request pending when a round starts joins it, and the round runs each
// wave of models over all of its requests before the next wave loads
// (model-major across requests), so each model loads once per round, not
// once per request. Requests that arrive meanwhile wait for the next
// round, which starts as soon as this one ends: rounds are first come,
// first served, so none starves.

// job is one pending request.
type job struct {
	ctx          context.Context
	e            *Ensemble
	samp         engine.Sampling
	system, user string
	start        time.Time
	done         chan jobResult
}

type jobResult struct {
	ans engine.Answer
	err error
}

// maxRound bounds the requests of one round.
const maxRound = 256

// ask answers one question of ensemble e: at once when e fits in memory,
// else in the next round.
func (s *Server) ask(ctx context.Context, e *Ensemble, samp engine.Sampling, system, user string) (engine.Answer, error) {
	cfg := engine.AskConfig{Models: e.Models, Sampling: samp, Profile: e.Profile, ValAcc: e.ValAcc, Waves: e.Waves, WaveDone: e.WaveDone,
		Adaptive: e.Adaptive, Confidence: e.Confidence, EmbedModel: e.EmbedModel}
	if len(e.Waves) <= 1 {
		b, err := chatBenchFor(e, map[string]string{engine.AskItemID: system})
		if err != nil {
			return engine.Answer{}, err
		}
		return s.runner(e).Ask(ctx, b, benchmark.Item{Question: user}, cfg)
	}
	j := &job{ctx: ctx, e: e, samp: samp, system: system, user: user, start: time.Now(), done: make(chan jobResult, 1)}
	s.pendMu.Lock()
	s.pending = append(s.pending, j)
	s.pendMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case r := <-j.done:
		return r.ans, r.err
	case <-ctx.Done():
		return engine.Answer{}, ctx.Err() // the round skips its remaining waves
	}
}

// Run runs the dispatcher's rounds until ctx ends. Serve the Handler only
// while Run runs.
func (s *Server) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			s.failPending(ctx.Err())
			return nil
		case <-s.wake:
		}
		for {
			round := s.takeRound()
			if len(round) == 0 {
				break
			}
			s.runRound(ctx, round)
		}
	}
}

func (s *Server) takeRound() []*job {
	s.pendMu.Lock()
	defer s.pendMu.Unlock()
	n := min(len(s.pending), maxRound)
	round := s.pending[:n:n]
	s.pending = append([]*job(nil), s.pending[n:]...)
	return round
}

func (s *Server) failPending(err error) {
	s.pendMu.Lock()
	defer s.pendMu.Unlock()
	for _, j := range s.pending {
		j.done <- jobResult{err: err}
	}
	s.pending = nil
}

// runRound groups the round's requests by ensemble and sampling settings
// and runs each group as one Eval over its questions.
func (s *Server) runRound(ctx context.Context, round []*job) {
	type key struct {
		e    *Ensemble
		samp string
	}
	groups := map[key][]*job{}
	var order []key
	for _, j := range round {
		if j.ctx.Err() != nil {
			continue // the client left before its round
		}
		k := key{j.e, fmt.Sprintf("%+v", j.samp)}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], j)
	}
	s.rounds.Add(1)
	for _, k := range order {
		s.runGroup(ctx, groups[k])
	}
}

func (s *Server) runGroup(ctx context.Context, js []*job) {
	e, samp := js[0].e, js[0].samp
	items := make([]benchmark.Item, len(js))
	systems := map[string]string{}
	sink := &roundSink{samples: map[runstore.Key]runstore.Sample{}, cancelled: map[string]context.Context{}}
	for i, j := range js {
		id := fmt.Sprintf("r%d", i)
		items[i] = benchmark.Item{ID: id, Question: j.user}
		systems[id] = j.system
		sink.cancelled[id] = j.ctx
	}
	b, err := chatBenchFor(e, systems)
	var stats engine.EvalStats
	if err == nil {
		ec := engine.EvalConfig{Models: e.Models, Sampling: samp, Waves: e.Waves, WaveDone: e.WaveDone, Needs: e.needs(), EmbedModel: e.EmbedModel}
		if e.Adaptive {
			ec.Adaptive = engine.NewAdaptive(samp.Samples, engine.Priority(e.Models, e.ValAcc))
		}
		stats, err = s.runner(e).Eval(ctx, b, items, sink, ec)
		s.metrics.loads.Add(float64(stats.Loads))
	}
	cfg := engine.AskConfig{Models: e.Models, Sampling: samp, Profile: e.Profile, ValAcc: e.ValAcc, Adaptive: e.Adaptive, Confidence: e.Confidence}
	for i, j := range js {
		if err != nil {
			j.done <- jobResult{err: err}
			continue
		}
		ans, terr := engine.Tally(items[i].ID, cfg, sink.get, stats.Errs, j.start)
		j.done <- jobResult{ans: ans, err: terr}
	}
}

// roundSink keeps a round's samples; a question whose client has left
// counts as done, so later waves skip it.
type roundSink struct {
	mu        sync.Mutex
	samples   map[runstore.Key]runstore.Sample
	cancelled map[string]context.Context
}

func (r *roundSink) Done(k runstore.Key) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.cancelled[k.Item]; c != nil && c.Err() != nil {
		return true
	}
	_, ok := r.samples[k]
	return ok
}

func (r *roundSink) Append(s runstore.Sample) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples[s.Key()] = s
	return nil
}

func (r *roundSink) get(k runstore.Key) (runstore.Sample, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.samples[k]
	return s, ok
}
