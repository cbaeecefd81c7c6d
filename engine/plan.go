package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

// Inventory is what the planner asks a backend about its models. The
// Ollama adapter satisfies it; tests use a fake.
type Inventory interface {
	// Show describes an installed model (size, digest, architecture).
	Show(ctx context.Context, model string) (models.Info, error)
	// Running lists the models loaded now.
	Running(ctx context.Context) ([]models.Running, error)
}

// DefaultNumCtx is the context window a run uses when none is asked for.
// The plan assumes it and every request sends it, so a daemon whose own
// default is larger (4096 after v0.6) cannot load more KV cache than was
// planned.
const DefaultNumCtx = 2048

// ErrInsufficientMemory reports models that cannot fit the budget even
// alone.
var ErrInsufficientMemory = errors.New("models cannot fit in memory, even alone")

// RefusedError lists the refused models with the numbers; it wraps
// ErrInsufficientMemory.
type RefusedError struct{ Refused []sched.Refusal }

func (e *RefusedError) Error() string {
	lines := make([]string, len(e.Refused))
	for i, r := range e.Refused {
		lines[i] = fmt.Sprintf("%s: %s", r.Model, r.Reason)
	}
	return fmt.Sprintf("%v:\n  %s", ErrInsufficientMemory, strings.Join(lines, "\n  "))
}

func (e *RefusedError) Unwrap() error { return ErrInsufficientMemory }

// PlanConfig is what a live run is planned from: the models and work, the
// daemon's limits, the runner settings and the hardware facts, probed once
// by the caller.
type PlanConfig struct {
	Models      []string
	Work        sched.Work
	BudgetBytes uint64
	MaxLoaded   int // the daemon's OLLAMA_MAX_LOADED_MODELS; 0 = no limit
	Slots       int // the daemon's OLLAMA_NUM_PARALLEL; 0 = 1
	NumCtx      int // context window per slot; 0 = DefaultNumCtx
	NumThread   int // CPU threads per loaded model; 0 = auto
	// KVCacheType is the daemon's OLLAMA_KV_CACHE_TYPE ("" = f16, q8_0,
	// q4_0): the estimates size the KV cache by it and the measured
	// footprints are kept per type.
	KVCacheType string
	// PhysicalCores and HasGPU drive the automatic thread count.
	PhysicalCores int
	HasGPU        bool
	// Footprints, when set, are whole footprints given by hand: the
	// inventory is not asked (plan for another machine). They may hold
	// other models than Models, which defaults to their names; a model of
	// Models without one is a *FootprintMissingError.
	Footprints []sched.Footprint
	// CachePath is the measured-footprint cache (JSON); "" keeps none.
	CachePath string
	// AssumeEmpty plans as if no model were loaded now: a run's own loads,
	// as `slmmux plan` shows them.
	AssumeEmpty bool
}

// Plan is a live run's memory plan: which models load together, and the
// runner settings every request must send for the plan to hold.
type Plan struct {
	sched.Result
	Footprints []sched.Footprint `json:"footprints"`
	Settings   sched.Settings    `json:"settings"`
	// NumThread is the CPU threads per model the requests send (0: the
	// daemon's default).
	NumThread int `json:"num_thread,omitempty"`
	// Evicted, when set, is told of each model that was no longer loaded
	// at the end of its wave (the daemon evicted it: thrashing).
	Evicted func(model string) `json:"-"`

	inv       Inventory
	keys      map[string]string // model → footprint cache key
	params    map[string]models.Options
	cachePath string
	resident  []string
}

// Resident returns the models that were loaded when the plan was made.
func (p *Plan) Resident() []string { return append([]string(nil), p.resident...) }

// NewPlan plans cfg.Models into waves that fit cfg.BudgetBytes, using
// measured footprints from the cache where it has them and estimates from
// the inventory otherwise. Models that cannot fit alone are listed in
// Refused; Err reports them as an error.
func NewPlan(ctx context.Context, inv Inventory, cfg PlanConfig) (*Plan, error) {
	kvType, err := sched.ParseKVCacheType(cfg.KVCacheType)
	if err != nil {
		return nil, err
	}
	p := &Plan{inv: inv, cachePath: cfg.CachePath, keys: map[string]string{}, params: map[string]models.Options{},
		Settings: sched.Settings{NumCtx: cfg.NumCtx, Slots: max(cfg.Slots, 1), KVCacheType: kvType, GPU: cfg.HasGPU}}
	if p.Settings.NumCtx == 0 {
		p.Settings.NumCtx = DefaultNumCtx
	}
	fps, err := p.footprints(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p.Footprints = fps
	var resident []string
	if inv != nil && len(cfg.Footprints) == 0 && !cfg.AssumeEmpty {
		if run, err := inv.Running(ctx); err == nil {
			for _, r := range run {
				resident = append(resident, CanonicalName(r.Name))
			}
		}
	}
	p.resident = resident
	p.Result = sched.Plan(fps, sched.Budget{Bytes: cfg.BudgetBytes, MaxLoaded: cfg.MaxLoaded}, cfg.Work, resident)
	p.NumThread = cfg.NumThread
	if p.NumThread == 0 && !cfg.HasGPU && cfg.PhysicalCores > 0 {
		p.NumThread = autoThreads(cfg.PhysicalCores, p.ModelWaves())
	}
	return p, nil
}

// FootprintMissingError is a model to plan that the footprints given by
// hand have no size for; it wraps ErrInvalid.
type FootprintMissingError struct{ Model string }

func (e *FootprintMissingError) Error() string {
	return fmt.Sprintf("no footprint is given for %q", e.Model)
}

func (e *FootprintMissingError) Unwrap() error { return ErrInvalid }

// givenFootprints keeps the given footprints of ms, in ms's order (all of
// them when ms is empty).
func givenFootprints(given []sched.Footprint, ms []string) ([]sched.Footprint, error) {
	if len(ms) == 0 {
		return given, nil
	}
	by := map[string]sched.Footprint{}
	for _, f := range given {
		by[f.Model] = f
	}
	out := make([]sched.Footprint, 0, len(ms))
	for _, m := range ms {
		f, ok := by[m]
		if !ok {
			return nil, &FootprintMissingError{Model: m}
		}
		out = append(out, f)
	}
	return out, nil
}

// autoThreads shares the CPU among the models loaded together when there
// is no GPU, keeping one core for everything else: llama.cpp's threads spin
// at barriers, so runners whose threads outnumber the free cores slow
// each other down many times over. Measured on 2 cores: 20 requests to two
// co-loaded tiny models took 13 s with the daemon's default threads and
// 0.3 s with one thread each; and one loaded model serving slmmux serve's
// 144 generations took 36.6 s with 2 threads and 2.1 s with 1, because the
// server and the client need the second core.
func autoThreads(cores int, waves [][]string) int {
	widest := 1
	for _, w := range waves {
		widest = max(widest, len(w))
	}
	return max(1, (cores-1)/widest)
}

func (p *Plan) footprints(ctx context.Context, cfg PlanConfig) ([]sched.Footprint, error) {
	if len(cfg.Footprints) > 0 {
		return givenFootprints(cfg.Footprints, cfg.Models)
	}
	if inv := p.inv; inv == nil {
		return nil, errors.New("engine: plan needs an inventory or given footprints")
	}
	cache := loadFootprintCache(p.cachePath)
	out := make([]sched.Footprint, 0, len(cfg.Models))
	for _, m := range cfg.Models {
		info, err := p.inv.Show(ctx, m)
		if err != nil {
			return nil, err
		}
		info.Name = m
		p.params[m] = info.Params
		f := sched.Estimate(info, p.Settings)
		if info.Digest != "" {
			key := footprintKey(info.Digest, info.Quantization, p.Settings)
			p.keys[m] = key
			if n, ok := cache[key]; ok {
				f = f.WithMeasurement(n)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// Err is a *RefusedError when some model cannot fit even alone, else nil.
func (p *Plan) Err() error {
	if len(p.Refused) == 0 {
		return nil
	}
	return &RefusedError{Refused: p.Refused}
}

// ModelWaves returns the models of each wave, in order.
func (p *Plan) ModelWaves() [][]string {
	out := make([][]string, len(p.Waves))
	for i, w := range p.Waves {
		out[i] = w.Models
	}
	return out
}

// Sampling returns s with the runner settings the plan assumed, so the
// requests send exactly what was planned: the context window, and the
// thread count when s leaves it to the plan; and each model's own
// sampling options (its Modelfile's), which requests pin where s leaves
// an option unset (see Sampling.Pins).
func (p *Plan) Sampling(s Sampling) Sampling {
	s.NumCtx = p.Settings.NumCtx
	s = s.withPins(p.params)
	if s.NumThread == 0 {
		s.NumThread = p.NumThread
	}
	return s
}

// WaveDone measures what each model of a finished wave occupies (kept in
// the footprint cache for later plans) and reports models evicted before
// the wave ended. It is EvalConfig.WaveDone's shape.
func (p *Plan) WaveDone(ctx context.Context, wave []string) {
	if p.inv == nil {
		return
	}
	run, err := p.inv.Running(ctx)
	if err != nil {
		return
	}
	sizes := map[string]uint64{}
	for _, r := range run {
		sizes[CanonicalName(r.Name)] = uint64(max(r.SizeBytes, 0))
	}
	measured := map[string]uint64{}
	for _, m := range wave {
		n, ok := sizes[CanonicalName(m)]
		if !ok {
			if p.Evicted != nil {
				p.Evicted(m)
			}
			continue
		}
		if key := p.keys[m]; key != "" {
			measured[key] = n
		}
	}
	_ = saveFootprints(p.cachePath, measured) // a cache: losing an update only costs an estimate
}

// CanonicalName is a model's name without Ollama's default ":latest" tag,
// so that "demo-mul" and "demo-mul:latest" are one model.
func CanonicalName(name string) string { return strings.TrimSuffix(name, ":latest") }
