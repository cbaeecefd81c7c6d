package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

// fakeInventory is an engine.Inventory over fixed models.
type fakeInventory struct {
	mu      sync.Mutex
	infos   map[string]models.Info
	running []models.Running
	shows   int
}

func (f *fakeInventory) Show(_ context.Context, m string) (models.Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shows++
	info, ok := f.infos[m]
	if !ok {
		return models.Info{}, models.ErrModelNotInstalled
	}
	return info, nil
}

func (f *fakeInventory) Running(context.Context) ([]models.Running, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.running, nil
}

const mib = 1 << 20

// inventory has three models of 100, 200 and 300 MiB of weights (no
// architecture numbers: KV = 10 % of weights, compute 64 MiB + 5 %).
func inventory() *fakeInventory {
	inv := &fakeInventory{infos: map[string]models.Info{}}
	for i, m := range []string{"a", "b", "c"} {
		inv.infos[m] = models.Info{Name: m, Digest: "d-" + m, SizeBytes: int64(i+1) * 100 * mib}
	}
	return inv
}

func TestPlanFitsInOneWave(t *testing.T) {
	p, err := engine.NewPlan(t.Context(), inventory(), engine.PlanConfig{
		Models: []string{"a", "b", "c"}, Work: sched.Work{Items: 10, Samples: 3},
		BudgetBytes: 2 << 30, MaxLoaded: 3, PhysicalCores: 4})
	if err != nil || p.Err() != nil {
		t.Fatal(err, p.Err())
	}
	if got := p.ModelWaves(); len(got) != 1 || len(got[0]) != 3 {
		t.Errorf("waves %v, want all three together", got)
	}
	if p.Settings.NumCtx != engine.DefaultNumCtx || p.Settings.Slots != 1 {
		t.Errorf("settings %+v, want the default context and one slot", p.Settings)
	}
	if p.NumThread != 1 {
		t.Errorf("threads %d: 4 cores among 3 co-loaded models is 1 each", p.NumThread)
	}
	s := p.Sampling(engine.Sampling{Samples: 3})
	if s.NumCtx != engine.DefaultNumCtx || s.NumThread != 1 {
		t.Errorf("sampling %+v: the requests must send what was planned", s)
	}
}

func TestPlanSplitsIntoWavesUnderBudget(t *testing.T) {
	// Footprints: a 179 MiB, b 294 MiB, c 409 MiB; 500 MiB holds a+b only.
	p, err := engine.NewPlan(t.Context(), inventory(), engine.PlanConfig{
		Models: []string{"a", "b", "c"}, BudgetBytes: 500 * mib, HasGPU: true, PhysicalCores: 8})
	if err != nil || p.Err() != nil {
		t.Fatal(err, p.Err())
	}
	if got := p.ModelWaves(); len(got) != 2 {
		t.Errorf("waves %v, want 2", got)
	}
	if p.NumThread != 0 {
		t.Errorf("threads %d with a GPU: want the daemon's default (0)", p.NumThread)
	}
}

func TestPlanRefusesWhatCannotFitAlone(t *testing.T) {
	p, err := engine.NewPlan(t.Context(), inventory(), engine.PlanConfig{
		Models: []string{"a", "c"}, BudgetBytes: 300 * mib, NumCtx: 4096})
	if err != nil {
		t.Fatal(err)
	}
	var re *engine.RefusedError
	if err := p.Err(); !errors.As(err, &re) || !errors.Is(err, engine.ErrInsufficientMemory) || len(re.Refused) != 1 || re.Refused[0].Model != "c" {
		t.Fatalf("err %v, want c refused", err)
	}
	if p.Settings.NumCtx != 4096 {
		t.Errorf("num_ctx %d, want the asked 4096", p.Settings.NumCtx)
	}
}

func TestPlanUsesMeasuredFootprints(t *testing.T) {
	inv := inventory()
	cache := filepath.Join(t.TempDir(), "footprints.json")
	cfg := engine.PlanConfig{Models: []string{"a", "b"}, BudgetBytes: 8 << 30, CachePath: cache}
	p, err := engine.NewPlan(t.Context(), inv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Footprints[0].Measured {
		t.Fatal("measured before any load")
	}
	// After a wave the daemon reports a (loaded, 150 MiB); b was evicted.
	inv.running = []models.Running{{Name: "a:latest", SizeBytes: 150 * mib}}
	var evicted []string
	p.Evicted = func(m string) { evicted = append(evicted, m) }
	p.WaveDone(t.Context(), []string{"a", "b"})
	if !slices.Equal(evicted, []string{"b"}) {
		t.Errorf("evicted %v, want [b]", evicted)
	}
	p2, err := engine.NewPlan(t.Context(), inv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if f := p2.Footprints[0]; !f.Measured || f.Bytes != 150*mib {
		t.Errorf("a's footprint %+v, want the measured 150 MiB", f)
	}
	if slices.Contains(p2.Resident(), "a") == false {
		t.Errorf("resident %v: a is loaded", p2.Resident())
	}
	// Other settings are another key: the measurement does not apply.
	cfg.NumCtx = 8192
	p3, _ := engine.NewPlan(t.Context(), inv, cfg)
	if p3.Footprints[0].Measured {
		t.Error("a measurement at num_ctx 2048 was used for 8192")
	}
	// Nor for another KV cache type, nor another quantization with the
	// same digest.
	cfg.NumCtx = 0
	cfg.KVCacheType = "q8_0"
	if p4, _ := engine.NewPlan(t.Context(), inv, cfg); p4.Footprints[0].Measured {
		t.Error("a measurement with an f16 KV cache was used for q8_0")
	}
	cfg.KVCacheType = "F16" // the default, in any case
	if p5, _ := engine.NewPlan(t.Context(), inv, cfg); !p5.Footprints[0].Measured {
		t.Error("f16 is the default KV cache type: the measurement applies")
	}
	a := inv.infos["a"]
	a.Quantization = "Q4_K_M"
	inv.infos["a"] = a
	if p6, _ := engine.NewPlan(t.Context(), inv, cfg); p6.Footprints[0].Measured {
		t.Error("a measurement of one quantization was used for another")
	}
	cfg.KVCacheType = "q5_1"
	if _, err := engine.NewPlan(t.Context(), inv, cfg); err == nil || !strings.Contains(err.Error(), "q4_0") {
		t.Errorf("KV cache type q5_1: err %v, want the choices", err)
	}
}

func TestPlanWithGivenFootprintsAsksNoInventory(t *testing.T) {
	p, err := engine.NewPlan(t.Context(), nil, engine.PlanConfig{
		Footprints:  []sched.Footprint{{Model: "x", Bytes: 4 << 30}, {Model: "y", Bytes: 3 << 30}},
		BudgetBytes: 6 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Waves) != 2 {
		t.Errorf("waves %v", p.ModelWaves())
	}
	if _, err := engine.NewPlan(t.Context(), nil, engine.PlanConfig{Models: []string{"x"}}); err == nil {
		t.Error("no inventory and no footprints: planned anyway")
	}
	given := []sched.Footprint{{Model: "x", Bytes: 4 << 30}, {Model: "y", Bytes: 3 << 30}, {Model: "z", Bytes: 1 << 30}}
	if p, err := engine.NewPlan(t.Context(), nil, engine.PlanConfig{Models: []string{"z", "x"}, Footprints: given, BudgetBytes: 6 << 30}); err != nil || len(p.Footprints) != 2 || p.Footprints[0].Model != "z" {
		t.Errorf("the given footprints of z, x: %v, %v", p, err)
	}
	var fe *engine.FootprintMissingError
	if _, err := engine.NewPlan(t.Context(), nil, engine.PlanConfig{Models: []string{"x", "w"}, Footprints: given}); !errors.As(err, &fe) || fe.Model != "w" || !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("no footprint of w: %v", err)
	}
	if _, err := engine.NewPlan(t.Context(), inventory(), engine.PlanConfig{Models: []string{"zz"}}); !errors.Is(err, models.ErrModelNotInstalled) {
		t.Errorf("unknown model: %v", err)
	}
}

func TestAskKeepsSlotsPerModel(t *testing.T) {
	b, items := arith(t, 1)
	fake := &enginetest.FakeGenerator{GenerateFn: answerer, Delay: 20 * time.Millisecond}
	e, _ := engine.New(engine.Config{Generator: fake, Slots: 2})
	_, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{
		Models: []string{"good", "bad"}, Sampling: engine.Sampling{Samples: 6},
		Waves: [][]string{{"good", "bad"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"good", "bad"} {
		if got := fake.MaxInFlight(m); got != 2 {
			t.Errorf("%s: %d requests in flight at most, want 2 (--slots 2)", m, got)
		}
	}
}

func TestAskFailsWithTheModelsErrors(t *testing.T) {
	b, items := arith(t, 1)
	fake := &enginetest.FakeGenerator{GenerateFn: func(context.Context, models.Request) (models.Result, error) {
		return models.Result{}, models.ErrUnavailable
	}}
	e, _ := engine.New(engine.Config{Generator: fake})
	ans, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{Models: []string{"a", "b"}, Sampling: engine.Sampling{Samples: 2},
		BackendWait: 50 * time.Millisecond})
	if !errors.Is(err, models.ErrUnavailable) {
		t.Fatalf("err %v, want it to wrap ErrUnavailable (exit code 3)", err)
	}
	if _, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{Sampling: engine.Sampling{Samples: 2}}); !errors.Is(err, engine.ErrNoModels) {
		t.Errorf("no models: %v", err)
	}
	_ = ans
}

func TestAskRequestsCarryThePlan(t *testing.T) {
	b, items := arith(t, 1)
	var mu sync.Mutex
	var ctxs []int
	fake := &enginetest.FakeGenerator{GenerateFn: func(_ context.Context, req models.Request) (models.Result, error) {
		mu.Lock()
		ctxs = append(ctxs, req.Options.NumCtx)
		mu.Unlock()
		return models.Result{Text: "0"}, nil
	}}
	p, err := engine.NewPlan(t.Context(), inventory(), engine.PlanConfig{Models: []string{"a"}, BudgetBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := engine.New(engine.Config{Generator: fake})
	if _, err := e.Ask(t.Context(), b, items[0], engine.AskConfig{Models: []string{"a"},
		Sampling: p.Sampling(engine.Sampling{Samples: 2}), Waves: p.ModelWaves()}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ctxs, []int{engine.DefaultNumCtx, engine.DefaultNumCtx}) {
		t.Errorf("num_ctx sent %v, want the planned %d each time", ctxs, engine.DefaultNumCtx)
	}
}

// TestPlanPinsEveryOption: a request sends every option slmmux relies on,
// the model's own (its Modelfile's) where the run sets none, else the
// defaults older daemons applied, whatever the daemon's defaults now.
func TestPlanPinsEveryOption(t *testing.T) {
	inv := inventory()
	a := inv.infos["a"]
	a.Params = models.Options{TopK: 20, TopP: models.Float(0.8), RepeatPenalty: models.Float(1.05)}
	inv.infos["a"] = a
	p, err := engine.NewPlan(t.Context(), inv, engine.PlanConfig{
		Models: []string{"a", "b"}, Work: sched.Work{Items: 1, Samples: 1}, BudgetBytes: 2 << 30, PhysicalCores: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Sampling(engine.Sampling{Samples: 1, Temperature: 0.3, TopP: models.Float(0.95)})
	ga, gb := s.Sent("a"), s.Sent("b")
	if *ga.Temperature != 0.3 || ga.TopK != 20 || *ga.TopP != 0.95 || *ga.RepeatPenalty != 1.05 || ga.NumPredict != -1 || ga.NumCtx != engine.DefaultNumCtx {
		t.Errorf("a sends %+v: the run's top_p, the model's top_k and repeat_penalty, no output cap, the plan's context", ga)
	}
	if gb.TopK != 40 || *gb.TopP != 0.95 || *gb.RepeatPenalty != 1.1 || gb.NumPredict != -1 {
		t.Errorf("b sends %+v: a model that sets nothing gets the old daemons' defaults", gb)
	}
	if o := (engine.Sampling{Temperature: 0.3}).Sent("a"); o.TopK != 0 || o.RepeatPenalty != nil {
		t.Errorf("without a plan (an OpenAI-compatible host) only the run's own options are sent: %+v", o)
	}
	ms := engine.RunModels(s, []string{"a"}, map[string]string{"a": "d-a"})
	if ms[0].Digest != "d-a" || ms[0].Options == nil || ms[0].Options.TopK != 20 {
		t.Errorf("run.json's models: %+v", ms[0])
	}
}
