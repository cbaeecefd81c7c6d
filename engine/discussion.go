package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// Generate sends req to the first host that has its model: Hosts is a
// Generator over its hosts (the discussion methods address models, not
// hosts).
func (p *Hosts) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	m := CanonicalName(req.Model)
	for i := range p.hosts {
		if p.hosts[i].has(m) {
			return p.hosts[i].Generator.Generate(ctx, req)
		}
	}
	return models.Result{}, fmt.Errorf("%w: %q is on no host (%s)", models.ErrModelNotInstalled, m, describeHosts(p.hosts))
}

// DiscussConfig configures Discuss.
type DiscussConfig struct {
	Discussion discuss.Config
	Models     []string
	Bench      benchmark.Benchmark
	Items      []benchmark.Item
	Sampling   Sampling
	// Dir is the run folder; its discuss.jsonl gets every reply as it
	// comes, and the replies it holds already are reused. "" keeps the
	// replies in memory only (serve's method ensembles).
	Dir string
	// Workers bounds the questions discussed at once (0: 1); a round's
	// agents always run at once.
	Workers  int
	Progress func(done, total int)
}

// DiscussStats counts a Discuss call's work.
type DiscussStats struct {
	Generated, Reused, Failed int
	// Turns are this call's replies, the final lines among them, in the
	// order they came (what Dir's discuss.jsonl gains).
	Turns []runstore.Turn
}

// Discuss runs a discussion method over the items, question by question,
// round by round, storing each reply in the run folder as it comes: an
// interrupted run resumes mid-round without redoing a generation. Each
// question ends with a final line (the method's answer and whether it is
// correct under the benchmark's checker). A generation that fails for
// good (its prompt exceeds the context, say) is stored with its error and
// counts as an empty reply; an unreachable backend or a cancelled context
// stops the run.
func Discuss(ctx context.Context, gen Generator, cfg DiscussConfig) (DiscussStats, error) {
	var st DiscussStats
	dc := cfg.Discussion.WithDefaults(cfg.Models)
	if err := dc.Validate(cfg.Models); err != nil {
		return st, err
	}
	var first map[string]map[string]runstore.Sample
	if dc.Mux {
		if cfg.Dir == "" {
			return st, errors.New("engine: a composition with SLM-MUX reads the run folder's samples: it needs Dir")
		}
		var err error
		if first, err = MuxFirstRound(cfg.Dir, cfg.Models); err != nil {
			return st, err
		}
	}
	stored := map[runstore.TurnKey]runstore.Turn{}
	var log *runstore.Log[runstore.TurnKey, runstore.Turn]
	if cfg.Dir != "" {
		turns, err := runstore.ReadTurns(cfg.Dir)
		if err != nil {
			return st, err
		}
		for _, t := range turns {
			stored[t.Key()] = t
		}
		if log, err = runstore.OpenTurns(cfg.Dir); err != nil {
			return st, err
		}
		defer log.Close()
	}
	d := &discussion{cfg: cfg, dc: dc, gen: gen, stored: stored, log: log, grader: benchmark.Grading(cfg.Bench), first: first}
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(max(cfg.Workers, 1))
	var done atomic.Int64
	for _, it := range cfg.Items {
		eg.Go(func() error {
			if err := d.item(ctx, it); err != nil {
				return err
			}
			if n := done.Add(1); cfg.Progress != nil {
				cfg.Progress(int(n), len(cfg.Items))
			}
			return nil
		})
	}
	err := eg.Wait()
	st.Generated, st.Reused, st.Failed, st.Turns = int(d.generated.Load()), int(d.reused.Load()), int(d.failed.Load()), d.added
	return st, err
}

type discussion struct {
	cfg    DiscussConfig
	dc     discuss.Config
	gen    Generator
	grader benchmark.Grader
	log    *runstore.Log[runstore.TurnKey, runstore.Turn]

	// first is a composition's first round: each item's SLM-MUX reply of
	// each model (MuxFirstRound).
	first map[string]map[string]runstore.Sample

	mu     sync.Mutex
	stored map[runstore.TurnKey]runstore.Turn
	added  []runstore.Turn

	generated, reused, failed atomic.Int64
}

// call is one turn to run.
type call struct {
	round, agent int
	role, model  string
	p            discuss.Prompt
}

// turns runs calls and returns their replies in order: different models
// at once, one model's calls one after another, so that no two requests
// share a model's runner (batched decoding would make a reply depend on
// its neighbours, and the same request answer differently).
func (d *discussion) turns(ctx context.Context, it benchmark.Item, calls []call) ([]runstore.Turn, error) {
	out := make([]runstore.Turn, len(calls))
	byModel := map[string][]int{}
	var order []string
	for i, c := range calls {
		if _, ok := byModel[c.model]; !ok {
			order = append(order, c.model)
		}
		byModel[c.model] = append(byModel[c.model], i)
	}
	eg, ctx := errgroup.WithContext(ctx)
	for _, m := range order {
		eg.Go(func() (err error) {
			for _, i := range byModel[m] {
				if out[i], err = d.turn(ctx, it, calls[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return out, eg.Wait()
}

// turn returns the stored reply of a turn, or generates and stores it.
func (d *discussion) turn(ctx context.Context, it benchmark.Item, c call) (runstore.Turn, error) {
	t := runstore.Turn{Method: d.dc.Name(), Item: it.ID, Round: c.round, Role: c.role, Agent: c.agent, Model: c.model}
	d.mu.Lock()
	old, ok := d.stored[t.Key()]
	d.mu.Unlock()
	if ok {
		d.reused.Add(1)
		return old, nil
	}
	if s, ok := d.first[it.ID][c.model]; ok && c.round == 1 {
		// The composition with SLM-MUX: the model's selected sample is its
		// first-round reply.
		t.Response, t.Answer, t.OutputTokens, t.DurationMS, t.Error = s.Response, s.Answer, s.OutputTokens, s.DurationMS, s.Error
		d.reused.Add(1)
		return t, d.store(t)
	}
	// Each turn has its own seed: the item, method, role and round name it.
	key := it.ID + "\x00" + t.Method + "\x00" + c.role + "\x00" + strconv.Itoa(c.round)
	req := d.cfg.Sampling.request(c.model, c.p.System, c.p.User, key, c.agent)
	res, err := d.gen.Generate(ctx, req)
	switch {
	case err != nil && (ctx.Err() != nil || errors.Is(err, models.ErrUnavailable)):
		return t, err
	case err != nil:
		t.Error = err.Error()
		d.failed.Add(1)
	default:
		t.Response, t.OutputTokens, t.DurationMS = res.Text, res.OutputTokens, float64(res.Total.Microseconds())/1000
		t.Answer = d.cfg.Bench.Extract(res.Text, it)
		d.generated.Add(1)
	}
	return t, d.store(t)
}

// store appends t to the log (when there is one) and keeps it for the
// rounds after.
func (d *discussion) store(t runstore.Turn) error {
	if d.log != nil {
		if err := d.log.Append(t); err != nil {
			return err
		}
	}
	d.mu.Lock()
	d.stored[t.Key()] = t
	d.added = append(d.added, t)
	d.mu.Unlock()
	return nil
}

// finished reports whether item's final line is stored.
func (d *discussion) finished(k runstore.TurnKey) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.stored[k]
	return ok
}

// item runs the method on one question and stores its final line.
func (d *discussion) item(ctx context.Context, it benchmark.Item) error {
	fk := runstore.FinalKey(d.dc.Name(), it.ID)
	if d.finished(fk) {
		d.reused.Add(1)
		return nil
	}
	start := time.Now()
	bp := d.cfg.Bench.Prompt(it)
	q := discuss.Prompt{System: bp.System, User: bp.User}
	var win *runstore.Turn
	var err error
	switch d.dc.Method {
	case discuss.Debate:
		win, err = d.debate(ctx, it, q)
	case discuss.MoA:
		win, err = d.moa(ctx, it, q)
	case discuss.MAV:
		win, err = d.mav(ctx, it, q)
	}
	if err != nil {
		return err
	}
	// A final line's duration is the question's wall time in this call
	// (turns an earlier call stored cost nothing here).
	final := runstore.Turn{Method: fk.Method, Item: it.ID, Role: "final", DurationMS: float64(time.Since(start).Microseconds()) / 1000}
	if win != nil {
		final.Model, final.Response, final.Answer = win.Model, win.Response, win.Answer
		v, err := GradeOne(ctx, d.grader, win.Response, win.Error, it)
		if err != nil {
			return err
		}
		final.Correct = v.Pass
	}
	return d.store(final)
}

// debate: every agent answers, then answers again seeing the others, for
// the rounds; the majority of the last round's answers wins.
func (d *discussion) debate(ctx context.Context, it benchmark.Item, q discuss.Prompt) (*runstore.Turn, error) {
	ms := d.cfg.Models
	var prev []runstore.Turn
	for r := 1; r <= d.dc.Rounds; r++ {
		calls := make([]call, len(ms))
		for a, m := range ms {
			var own string
			var others []string
			for b, t := range prev {
				if b == a {
					own = t.Response
				} else {
					others = append(others, t.Response)
				}
			}
			calls[a] = call{round: r, agent: a, role: "agent", model: m, p: discuss.DebateTurn(q, r, own, others)}
		}
		ts, err := d.turns(ctx, it, calls)
		if err != nil {
			return nil, err
		}
		prev = ts
	}
	answers := make([]string, len(prev))
	for i, t := range prev {
		answers[i] = t.Answer
	}
	if i := discuss.Majority(answers); i >= 0 {
		return &prev[i], nil
	}
	return nil, nil
}

// moa: the layers of proposers, each after the first synthesizing the
// previous layer's replies, then the aggregator synthesizing the last.
func (d *discussion) moa(ctx context.Context, it benchmark.Item, q discuss.Prompt) (*runstore.Turn, error) {
	ms := d.cfg.Models
	var prev []string
	for l := 1; l <= d.dc.Layers; l++ {
		p := q
		if l > 1 {
			p = discuss.Synthesize(q, prev)
		}
		calls := make([]call, len(ms))
		for a, m := range ms {
			calls[a] = call{round: l, agent: a, role: "agent", model: m, p: p}
		}
		ts, err := d.turns(ctx, it, calls)
		if err != nil {
			return nil, err
		}
		prev = prev[:0]
		for _, t := range ts {
			prev = append(prev, t.Response)
		}
	}
	agg, err := d.turn(ctx, it, call{round: d.dc.Layers + 1, agent: 0, role: "aggregator", model: d.dc.Aggregator, p: discuss.Synthesize(q, prev)})
	if err != nil {
		return nil, err
	}
	return &agg, nil
}

// mav: candidates from every model, each judged by every model on every
// aspect; the most approved candidate wins.
func (d *discussion) mav(ctx context.Context, it benchmark.Item, q discuss.Prompt) (*runstore.Turn, error) {
	ms := d.cfg.Models
	var calls []call
	for m, model := range ms {
		for c := range d.dc.Candidates {
			calls = append(calls, call{round: 1, agent: m*d.dc.Candidates + c, role: "candidate", model: model, p: q})
		}
	}
	cands, err := d.turns(ctx, it, calls)
	if err != nil {
		return nil, err
	}
	calls = calls[:0]
	for i, c := range cands {
		for v, model := range ms {
			for _, a := range d.dc.Aspects {
				calls = append(calls, call{round: 2, agent: v, role: fmt.Sprintf("verify:%s:%d", a, i), model: model, p: discuss.Verify(q, a, c.Response)})
			}
		}
	}
	verdicts, err := d.turns(ctx, it, calls)
	if err != nil {
		return nil, err
	}
	approvals := make([]int, len(cands))
	per := len(ms) * len(d.dc.Aspects)
	for j, t := range verdicts {
		if cands[j/per].Response != "" && discuss.Approves(t.Response) {
			approvals[j/per]++
		}
	}
	if i := discuss.MostApproved(approvals); i >= 0 {
		return &cands[i], nil
	}
	return nil, nil
}

// MuxFirstRound reads the SLM-MUX samples of models in the run folder dir
// and returns, per item and model, the model's sample that gives its most
// frequent answer (the first such in sample order; the first sample when
// it has no answer): what SLM-MUX's selection feeds a composed discussion.
// A model without samples is an error wrapping ErrNotInRun.
func MuxFirstRound(dir string, ms []string) (map[string]map[string]runstore.Sample, error) {
	samples, err := runstore.ReadSamples(dir)
	if err != nil {
		return nil, err
	}
	by := map[string]map[string][]runstore.Sample{}
	for _, s := range samples {
		if by[s.Item] == nil {
			by[s.Item] = map[string][]runstore.Sample{}
		}
		by[s.Item][s.Model] = append(by[s.Item][s.Model], s)
	}
	out := map[string]map[string]runstore.Sample{}
	for item, per := range by {
		out[item] = map[string]runstore.Sample{}
		for _, m := range ms {
			ss := per[m]
			if len(ss) == 0 {
				continue
			}
			slices.SortFunc(ss, func(a, b runstore.Sample) int { return a.Sample - b.Sample })
			answers := make([]string, len(ss))
			for i, s := range ss {
				answers[i] = s.Answer
			}
			pick := ss[0]
			if i := discuss.Majority(answers); i >= 0 {
				pick = ss[i]
			}
			out[item][m] = pick
		}
	}
	for _, m := range ms {
		found := false
		for _, per := range out {
			if _, ok := per[m]; ok {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("model %q %w: a composition with SLM-MUX reads its SLM-MUX samples", m, ErrNotInRun)
		}
	}
	return out, nil
}
