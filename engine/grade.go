package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
)

// GradeStats counts what GradeRun did.
type GradeStats struct {
	Graded  int // verdicts written now
	Already int // samples graded by an earlier call
	Passed  int // of those written now
}

// GradeRun grades every sample of the run folder dir that exec.jsonl does
// not hold yet with g, writing each verdict as it comes, so an interrupted
// grading resumes where it stopped and nothing is executed twice. A sample
// whose generation failed, or whose reply is empty, fails without being
// run. The error is the first grading failure (the sandbox could not
// start; benchmark.ErrExecutionNotAllowed when code may not run), never a
// wrong answer.
func GradeRun(ctx context.Context, dir string, g benchmark.Grader, items []benchmark.Item) (GradeStats, error) {
	var st GradeStats
	samples, err := runstore.ReadSamples(dir)
	if err != nil {
		return st, err
	}
	byID := ItemsByID(items)
	w, err := runstore.OpenVerdicts(dir)
	if err != nil {
		return st, err
	}
	defer w.Close()
	var todo []runstore.Sample
	for _, s := range samples {
		if w.Done(s.Key()) {
			st.Already++
		} else if _, ok := byID[s.Item]; ok {
			todo = append(todo, s)
		}
	}
	eg, ctx := GradeGroup(ctx, 0)
	var done, passed atomic.Int64
	var isolation sync.Once
	for _, s := range todo {
		eg.Go(func() error {
			v, err := GradeOne(ctx, g, s.Response, s.Error, byID[s.Item])
			if err != nil {
				return err
			}
			if sb, ok := SandboxOf(v); ok {
				isolation.Do(func() { err = runstore.SetSandbox(dir, sb) })
				if err != nil {
					return err
				}
			}
			if err := w.Append(StoreVerdict(s.Key(), v)); err != nil {
				return err
			}
			if v.Pass {
				passed.Add(1)
			}
			done.Add(1)
			return nil
		})
	}
	err = eg.Wait()
	st.Graded, st.Passed = int(done.Load()), int(passed.Load())
	return st, err
}

// GradeOne grades one reply; genErr is the generation's failure, if any
// (the sample then fails ungraded). An empty reply is graded like any
// other (IFEval: no instruction followed; code: the tests run on nothing),
// so a code grader without permission to run refuses it too.
func GradeOne(ctx context.Context, g benchmark.Grader, reply, genErr string, it benchmark.Item) (benchmark.Verdict, error) {
	if genErr != "" {
		return benchmark.Verdict{Reason: "no reply: " + genErr}, nil
	}
	v, err := g.Grade(ctx, reply, it)
	if err != nil {
		return v, fmt.Errorf("grade item %s: %w", it.ID, err)
	}
	return v, nil
}

// StoreVerdict is a verdict as exec.jsonl stores it.
func StoreVerdict(k runstore.Key, v benchmark.Verdict) runstore.Verdict {
	out := runstore.Verdict{Item: k.Item, Model: k.Model, Sample: k.Sample, Pass: v.Pass, Reason: v.Reason}
	if v.Detail != nil {
		out.Detail, _ = json.Marshal(v.Detail)
	}
	return out
}

// SandboxOf reads how a code verdict's run was isolated (its
// benchmark.CodeDetail's network and filesystem), when it says. Verdicts
// are graded in-process, so their detail is the grader's own type (those
// read back from exec.jsonl are runstore.Verdicts, never seen here).
func SandboxOf(v benchmark.Verdict) (runstore.SandboxMeta, bool) {
	d, ok := v.Detail.(benchmark.CodeDetail)
	if !ok || d.Network == "" {
		return runstore.SandboxMeta{}, false
	}
	return runstore.SandboxMeta{Network: d.Network, Filesystem: d.Filesystem}, true
}

// ItemsByID indexes items by their ID.
func ItemsByID(items []benchmark.Item) map[string]benchmark.Item {
	byID := make(map[string]benchmark.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	return byID
}

// GradeGroup is the errgroup gradings run in: up to workers at once (0 or
// less: the machine's cores, as each code verdict runs a sandboxed
// process), its context cancelled at the first failure.
func GradeGroup(ctx context.Context, workers int) (*errgroup.Group, context.Context) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(workers)
	return eg, ctx
}

// BehaveRun runs, for every sample of the run folder dir that
// behaviour.jsonl does not hold yet, its code on its question's visible
// examples (b.Behaviour), in parallel, each result written as it comes:
// what LoadRunByBehaviour groups answers by. It returns how many ran.
func BehaveRun(ctx context.Context, dir string, b benchmark.Behaviour, items []benchmark.Item) (int, error) {
	samples, err := runstore.ReadSamples(dir)
	if err != nil {
		return 0, err
	}
	byID := ItemsByID(items)
	w, err := runstore.OpenBehaviours(dir)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	eg, ctx := GradeGroup(ctx, 0)
	var done atomic.Int64
	for _, s := range samples {
		it, ok := byID[s.Item]
		if !ok || w.Done(s.Key()) {
			continue
		}
		eg.Go(func() error {
			out := ""
			if s.Error == "" {
				var err error
				if out, err = b.Behaviour(ctx, s.Response, it); err != nil {
					return err
				}
			}
			done.Add(1)
			return w.Append(runstore.Behaviour{Item: s.Item, Model: s.Model, Sample: s.Sample, Output: out})
		})
	}
	err = eg.Wait()
	return int(done.Load()), err
}

// Judge finishes a collected run of b: a benchmark that judges whole
// replies grades every sample (GradeRun), and with byBehaviour a code
// benchmark with visible examples runs each sample on them (BehaveRun).
// A benchmark of short answers needs neither. The error wraps
// benchmark.ErrExecutionNotAllowed when code may not run.
func Judge(ctx context.Context, dir string, b benchmark.Benchmark, items []benchmark.Item, byBehaviour bool) error {
	g, ok := b.(benchmark.Grader)
	if !ok {
		return nil
	}
	if _, err := GradeRun(ctx, dir, g, items); err != nil {
		return err
	}
	if bb, ok := b.(benchmark.Behaviour); ok && byBehaviour {
		_, err := BehaveRun(ctx, dir, bb, items)
		return err
	}
	return nil
}
