// Package engine runs SLM-MUX live: [Engine.Ask] answers one question with
// several models, [Engine.Eval] collects a benchmark's samples into a run
// folder, resumably. It talks to models only through the [Generator]
// interface, so it never sees a backend's types.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slmmux/slmmux/models"
)

// Generator produces one complete sample from one model. Implementations
// are safe for concurrent use, return ctx.Err() promptly when ctx ends, and
// wrap models.ErrModelNotInstalled for an unknown model.
type Generator interface {
	Generate(ctx context.Context, req models.Request) (models.Result, error)
}

// Unloader is implemented by backends that can free a model's memory on
// demand. The engine unloads each model when its work is done.
type Unloader interface {
	Unload(ctx context.Context, model string) error
}

// Preloader is implemented by backends that can load a model ahead of its
// first request, with the request's runner options, keeping it for
// req.KeepAlive (negative: until unloaded).
type Preloader interface {
	Preload(ctx context.Context, req models.Request) error
}

// Config configures an Engine.
type Config struct {
	Generator Generator
	// Slots is how many requests per model are in flight at once; match
	// the daemon's OLLAMA_NUM_PARALLEL. Zero means 1.
	Slots int
	// Logger receives debug events; nil discards them.
	Logger *slog.Logger
}

// Engine runs SLM-MUX against a Generator. It is safe for concurrent use.
type Engine struct {
	gen   Generator
	slots int
	log   *slog.Logger
}

// New returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Generator == nil {
		return nil, errors.New("engine: no generator")
	}
	if cfg.Slots <= 0 {
		cfg.Slots = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{gen: cfg.Generator, slots: cfg.Slots, log: cfg.Logger}, nil
}

// Sampling holds the per-sample options shared by Ask and Eval.
type Sampling struct {
	Samples     int     // k, samples per model
	Temperature float64 // the paper uses 0.3
	Seed        int     // sample j uses seed Seed+j
	NumPredict  int     // output cap in tokens; 0 = backend default
	NumCtx      int     // context window; 0 = backend default
	NumThread   int     // CPU threads per loaded model; 0 = backend default
	// RepeatPenalty, when set, overrides the backend's repeat penalty (1 =
	// off). Ollama's default 1.1 also penalises digits seen in the prompt.
	RepeatPenalty *float64
}

// Validate checks the settings, naming the flag to fix.
func (s Sampling) Validate() error {
	if s.Samples < 1 {
		return fmt.Errorf("--samples %d: need at least 1 sample per model", s.Samples)
	}
	if s.Temperature < 0 {
		return fmt.Errorf("--temperature %v: must not be negative", s.Temperature)
	}
	return nil
}

func (s Sampling) request(model, system, prompt string, j int) models.Request {
	return models.Request{
		Model: model, System: system, Prompt: prompt,
		Options: models.Options{
			Temperature: models.Float(s.Temperature), Seed: models.Int(s.Seed + j),
			NumPredict: s.NumPredict, NumCtx: s.NumCtx, NumThread: s.NumThread,
			RepeatPenalty: s.RepeatPenalty,
		},
	}
}
