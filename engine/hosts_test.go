package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

func infos(names ...string) []models.Info {
	out := make([]models.Info, len(names))
	for i, n := range names {
		out[i] = models.Info{Name: n + ":latest", SizeBytes: 100}
	}
	return out
}

func TestAssignBalancesDeterministically(t *testing.T) {
	hosts := []engine.Host{
		{Name: "a", Installed: infos("x", "y", "z", "w")},
		{Name: "b", Installed: infos("y", "z", "w", "v")},
		{Name: "c", Installed: infos("u")},
	}
	ms := []string{"x", "y", "z", "w", "v", "u"}
	want := ""
	for range 20 {
		at, err := engine.Assign(ms, hosts)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(at)
		if want != "" && got != want {
			t.Fatalf("not deterministic: %s then %s", want, got)
		}
		want = got
	}
	at, _ := engine.Assign(ms, hosts)
	// x only on a, v only on b, u only on c; y, z, w balance a and b.
	if at["x"] != "a" || at["v"] != "b" || at["u"] != "c" {
		t.Fatalf("single-host models misplaced: %v", at)
	}
	// y, z, w alternate between a and b, ties going to the first listed.
	if fmt.Sprint(at) != "map[u:c v:b w:a x:a y:a z:b]" {
		t.Fatalf("placement %v", at)
	}
	_, err := engine.Assign([]string{"nowhere"}, hosts)
	if !errors.Is(err, models.ErrModelNotInstalled) || !strings.Contains(err.Error(), "a has x, y, z, w") {
		t.Fatalf("missing model: %v", err)
	}
}

// hostGen is a fake host whose daemon can go away: then every request is
// unreachable.
type hostGen struct {
	enginetest.FakeGenerator
	down  atomic.Bool
	after atomic.Int32 // goes down after this many requests (0: never)
	n     atomic.Int32
}

func (h *hostGen) Generate(ctx context.Context, req models.Request) (models.Result, error) {
	if k := h.after.Load(); k > 0 && h.n.Add(1) > k {
		h.down.Store(true)
	}
	if h.down.Load() {
		return models.Result{}, fmt.Errorf("%w: connection refused", models.ErrUnavailable)
	}
	return h.FakeGenerator.Generate(ctx, req)
}

func newHost(name string, have ...string) (*hostGen, engine.Host) {
	g := &hostGen{FakeGenerator: enginetest.FakeGenerator{GenerateFn: answerer, Delay: time.Millisecond}}
	return g, engine.Host{Name: name, Generator: g, Installed: infos(have...)}
}

func poolEval(t *testing.T, dir string, hosts []engine.Host, ms []string) (engine.HostsStats, error) {
	t.Helper()
	b, items := arith(t, 4)
	p, err := engine.NewHosts(hosts, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := p.Plan(t.Context(), ms, sched.Work{Items: len(items), Samples: 2})
	if err != nil {
		t.Fatal(err)
	}
	w, err := runstore.OpenWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var mu sync.Mutex
	last := 0
	return p.Eval(t.Context(), b, items, w, plan, engine.EvalConfig{Models: ms, Sampling: engine.Sampling{Samples: 2, Seed: 1},
		BackendWait: 30 * time.Millisecond, Progress: func(pr engine.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if pr.Done <= last || pr.Total != len(items)*len(ms)*2 {
				t.Errorf("progress %+v after %d", pr, last)
			}
			last = pr.Done
		}})
}

func TestPoolEvalRunsEachModelWhereItIs(t *testing.T) {
	ga, a := newHost("a", "good", "bad")
	gb, b := newHost("b", "noisy", "bad")
	dir := t.TempDir()
	st, err := poolEval(t, dir, []engine.Host{a, b}, []string{"good", "noisy", "bad"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Generated != 24 || len(st.Dropped) != 0 || len(st.Gone) != 0 {
		t.Fatalf("stats %+v", st)
	}
	// good only on a, noisy only on b; bad goes to the host with fewer.
	if ga.Calls("noisy") != 0 || gb.Calls("good") != 0 || ga.Calls("good") != 8 || gb.Calls("noisy") != 8 || ga.Calls("bad")+gb.Calls("bad") != 8 {
		t.Fatalf("calls a %d/%d/%d b %d/%d/%d", ga.Calls("good"), ga.Calls("noisy"), ga.Calls("bad"), gb.Calls("good"), gb.Calls("noisy"), gb.Calls("bad"))
	}
	if fmt.Sprint(st.Ran) != "map[a:[good bad] b:[noisy]]" && fmt.Sprint(st.Ran) != "map[a:[good] b:[noisy bad]]" {
		t.Fatalf("ran %v", st.Ran)
	}
	ss, _ := runstore.ReadSamples(dir)
	ref := t.TempDir()
	if _, err := evalOnce(t, t.Context(), ref, &enginetest.FakeGenerator{GenerateFn: answerer}, engine.ModelMajor); err != nil {
		t.Fatal(err)
	}
	if len(ss) != 24 {
		t.Fatalf("%d samples", len(ss))
	}
	// Resuming does nothing.
	st, err = poolEval(t, dir, []engine.Host{a, b}, []string{"good", "noisy", "bad"})
	if err != nil || st.Generated != 0 || st.Skipped != 24 {
		t.Fatalf("resume: %+v %v", st, err)
	}
}

func TestPoolFailover(t *testing.T) {
	// Host a dies after 3 requests; "both" moves to b, "only-a" is dropped.
	ga, a := newHost("a", "good", "both")
	ga.GenerateFn = func(ctx context.Context, req models.Request) (models.Result, error) {
		return models.Result{Text: "1"}, nil
	}
	ga.after.Store(3)
	_, b := newHost("b", "noisy", "both")
	// both is placed on a: a has 1 model (good), b has 1 (noisy); tie → a.
	dir := t.TempDir()
	ms := []string{"good", "noisy", "both"}
	st, err := poolEval(t, dir, []engine.Host{a, b}, ms)
	if err != nil {
		t.Fatal(err)
	}
	if st.Gone["a"] == nil || !errors.Is(st.Gone["a"], engine.ErrBackendGone) {
		t.Fatalf("gone %v", st.Gone)
	}
	if st.Moved["both"] != "a -> b" || !strings.Contains(st.Dropped["good"], "host a stayed unreachable") || len(st.Dropped) != 1 {
		t.Fatalf("moved %v dropped %v", st.Moved, st.Dropped)
	}
	per := map[string]int{}
	ss, _ := runstore.ReadSamples(dir)
	for _, s := range ss {
		per[s.Model]++
	}
	if per["noisy"] != 8 || per["both"] != 8 || per["good"] >= 8 {
		t.Fatalf("stored %v", per)
	}
	// The host is back: the rerun completes the dropped model there.
	ga.down.Store(false)
	ga.after.Store(0)
	st, err = poolEval(t, dir, []engine.Host{a, b}, ms)
	if err != nil || len(st.Dropped) != 0 || st.Generated != 8-per["good"] {
		t.Fatalf("rerun: %+v %v", st, err)
	}
	if ss, _ := runstore.ReadSamples(dir); len(ss) != 24 {
		t.Fatalf("%d samples after the rerun", len(ss))
	}
}

func TestPoolAsk(t *testing.T) {
	_, a := newHost("a", "good")
	_, b := newHost("b", "noisy", "bad")
	p, _ := engine.NewHosts([]engine.Host{a, b}, nil)
	ms := []string{"good", "noisy", "bad"}
	plan, err := p.Plan(t.Context(), ms, sched.Work{Items: 1, Samples: 3})
	if err != nil {
		t.Fatal(err)
	}
	bm, items := arith(t, 4)
	ans, st, err := p.Ask(t.Context(), bm, items[3], plan, engine.AskConfig{Models: ms, Sampling: engine.Sampling{Samples: 3}})
	if err != nil || ans.Answer != "6" || ans.Model != "good" || st.Generated != 9 {
		t.Fatalf("ask: %+v %+v %v", ans, st, err)
	}
}

// Each host plans its own models with its own budget; a model moved to a
// host whose budget cannot hold it is dropped with that reason.
func TestPoolPlansPerHost(t *testing.T) {
	ga, a := newHost("a", "a", "b", "c")
	_, b := newHost("b", "c")
	a.Inventory, b.Inventory = inventory(), inventory()
	a.Plan = engine.PlanConfig{BudgetBytes: 1 << 30, MaxLoaded: 3}
	b.Plan = engine.PlanConfig{BudgetBytes: 350 * mib, MaxLoaded: 3} // b fits, c (300 MiB of weights) does not
	p, _ := engine.NewHosts([]engine.Host{a, b}, nil)
	ms := []string{"a", "b", "c"}
	plan, err := p.Plan(t.Context(), ms, sched.Work{Items: 4, Samples: 2})
	if err == nil {
		err = plan.Err()
	}
	var re *engine.RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "c: on host b:") {
		t.Fatalf("c placed on b (fewer models) must be refused there: %v", err)
	}
	// c on a and b, placed on a; a dies: c moves to b, which cannot hold it.
	a.Installed, b.Installed = infos("a", "c"), infos("b", "c")
	ga.after.Store(1)
	dir := t.TempDir()
	st, err := poolEval(t, dir, []engine.Host{a, b}, ms)
	if err != nil {
		t.Fatal(err)
	}
	if st.Moved["c"] != "a -> b" || !strings.Contains(st.Dropped["c"], "moved to host b, which cannot hold it") ||
		!strings.Contains(st.Dropped["a"], "no other host has the model") || st.Ran["b"][0] != "b" {
		t.Fatalf("moved %v dropped %v ran %v", st.Moved, st.Dropped, st.Ran)
	}
}

// downInventory answers Show as a host that does not answer.
type downInventory struct{ *fakeInventory }

func (downInventory) Show(context.Context, string) (models.Info, error) {
	return models.Info{}, fmt.Errorf("%w: connection refused", models.ErrUnavailable)
}

// A model moved to a host that does not answer its planning is not given
// up at once: it runs there unplanned, one model at a time, its requests
// waiting out the outage as every request does.
func TestPoolMoveToAHostThatCannotPlanNow(t *testing.T) {
	ga, a := newHost("a", "a", "c")
	gb, b := newHost("b", "b", "c")
	a.Inventory, b.Inventory = inventory(), inventory()
	a.Plan = engine.PlanConfig{BudgetBytes: 1 << 30, MaxLoaded: 3}
	b.Plan = engine.PlanConfig{BudgetBytes: 1 << 30, MaxLoaded: 3}
	ga.after.Store(1)
	p, _ := engine.NewHosts([]engine.Host{a, b}, nil)
	ms := []string{"a", "b", "c"}
	plan, err := p.Plan(t.Context(), ms, sched.Work{Items: 4, Samples: 2})
	if err != nil || plan.Host["c"] != "a" {
		t.Fatalf("plan %v %v", plan.Host, err)
	}
	// b's inventory stops answering after the plan; its generator works.
	b.Inventory = downInventory{inventory()}
	p, _ = engine.NewHosts([]engine.Host{a, b}, nil)
	bm, items := arith(t, 4)
	w, err := runstore.OpenWriter(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	st, err := p.Eval(t.Context(), bm, items, w, plan, engine.EvalConfig{Models: ms,
		Sampling: engine.Sampling{Samples: 2}, BackendWait: 30 * time.Millisecond})
	if err != nil || st.Moved["c"] != "a -> b" || gb.Calls("c") == 0 || st.Dropped["c"] != "" {
		t.Fatalf("stats %+v calls %d %v", st, gb.Calls("c"), err)
	}
}

// ResolveModels: every model sorted when none is asked for; asked models
// canonical and once each, those no host has named; a size that differs
// between hosts reported, the first host's digest kept.
func TestResolveModels(t *testing.T) {
	hs := []engine.Host{
		{Name: "a", Installed: []models.Info{{Name: "m2:latest", Digest: "d2", SizeBytes: 2}, {Name: "m1", Digest: "d1", SizeBytes: 1}}},
		{Name: "b", Installed: []models.Info{{Name: "m1", Digest: "other", SizeBytes: 3}}},
	}
	r := engine.ResolveModels(hs, nil)
	if fmt.Sprintf("%v %v %s %v", r.Names, r.All, r.Digests["m1"], r.Differ) != "[m1 m2] [m2 m1] d1 [{m1 a b 1 3}]" {
		t.Fatalf("all: %+v", r)
	}
	r = engine.ResolveModels(hs, []string{"m2:latest", "x", "m2", "x"})
	if fmt.Sprint(r.Names, r.Missing) != "[m2 x] [x]" {
		t.Fatalf("want: %+v", r)
	}
}

func TestGoneErrNamesEachHostInOrder(t *testing.T) {
	down := errors.New("down")
	st := engine.HostsStats{Gone: map[string]error{"b": down, "a": models.ErrUnavailable}}
	err := st.GoneErr()
	if !errors.Is(err, down) || !errors.Is(err, models.ErrUnavailable) || err.Error() != "host a: "+models.ErrUnavailable.Error()+"\nhost b: down" {
		t.Fatalf("%q", err)
	}
	if (engine.HostsStats{}).GoneErr() != nil {
		t.Fatal("no host gone, an error")
	}
}

func TestHostsStatsNotes(t *testing.T) {
	s := engine.HostsStats{EvalStats: engine.EvalStats{Loads: 3, Failed: 2, Dropped: map[string]string{"c": "it failed 5 times"}},
		Ran: map[string][]string{"b": {"y"}, "a": {"x", "z"}}, Gone: map[string]error{"b": errors.New("down")}}
	want := []string{"host a ran x, z", "host b ran y", "host b was given up mid-run: down", "model c was dropped from this run: it failed 5 times",
		"thrashing: 3 model loads for 2 models (each should load once): another client or a low OLLAMA_MAX_LOADED_MODELS evicts models mid-wave",
		"2 sample(s) failed and were not stored: run the same command again to retry them"}
	if got := s.Notes(true, 2, engine.ModelMajor); !slices.Equal(got, want) {
		t.Fatalf("pool notes:\n%q\nwant\n%q", got, want)
	}
	// One host: nothing per host; question-major order reloads by design,
	// and a moved model accounts for its extra loads.
	if got := s.Notes(false, 2, engine.QuestionMajor); !slices.Equal(got, []string{want[3], want[5]}) {
		t.Fatalf("one host, question-major: %q", got)
	}
	s.Moved = map[string]string{"x": "a -> b"}
	if got := s.Notes(true, 2, engine.ModelMajor); slices.Contains(got, want[4]) || !slices.Contains(got, "model x moved: a -> b") {
		t.Fatalf("moved: %q", got)
	}
}
