// Package engine runs SLM-MUX live: [Engine.Ask] answers one question with
// several models, [Engine.Eval] collects a benchmark's samples into a run
// folder, resumably. It talks to models only through the [Generator]
// interface, so it never sees a backend's types.
package engine

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"strconv"

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
	Seed        int     // base seed S; see SeedMode
	// SeedMode says how sample j of an item gets its seed: SeedPerItem
	// (the default, "" too) or SeedLegacy.
	SeedMode   string
	NumPredict int // output cap in tokens; 0 = backend default
	NumCtx     int // context window; 0 = backend default
	NumThread  int // CPU threads per loaded model; 0 = backend default
	// RepeatPenalty, when set, overrides the backend's repeat penalty (1 =
	// off). Ollama's default 1.1 also penalises digits seen in the prompt.
	RepeatPenalty *float64
	// TopP, when set, is the nucleus-sampling threshold sent with every
	// request (nil: the backend's default, 0.9 in Ollama).
	TopP *float64
	// Pins, set from an Ollama host's plan, are each model's own sampling
	// options (its Modelfile's). A request to a model with pins sends every
	// option slmmux relies on (models.Options.Pinned): the value set here,
	// else the model's, else models.DefaultPins, so a run samples the same
	// way whatever the daemon's defaults (v0.32.10 changed one). A model
	// without pins (an OpenAI-compatible host) gets what is set here only.
	Pins map[string]models.Options
}

// withPins adds pins for the models that have none yet.
func (s Sampling) withPins(pins map[string]models.Options) Sampling {
	if len(pins) == 0 {
		return s
	}
	out := make(map[string]models.Options, len(s.Pins)+len(pins))
	for m, o := range s.Pins {
		out[m] = o
	}
	for m, o := range pins {
		if _, ok := out[m]; !ok {
			out[m] = o
		}
	}
	s.Pins = out
	return s
}

// Sent returns the options every request to model sends, the seed aside
// (each sample has its own: SampleSeed): what run.json records.
func (s Sampling) Sent(model string) models.Options {
	o := s.request(model, "", "", "", 0).Options
	o.Seed = nil
	return o
}

// ErrInvalid reports a setting out of its range.
var ErrInvalid = errors.New("invalid setting")

// SettingError is a setting out of its range; it wraps ErrInvalid. Setting
// is the setting's name in run.json (samples, temperature, ...), which the
// command line turns into its flag.
type SettingError struct {
	Setting string
	Value   any
	Reason  string
}

func (e *SettingError) Error() string { return fmt.Sprintf("%s %v: %s", e.Setting, e.Value, e.Reason) }
func (e *SettingError) Unwrap() error { return ErrInvalid }

// MaxSamples bounds k: more samples per model than any run could use, and
// small enough that k x models x items stays far from overflowing.
const MaxSamples = 1 << 16

// MaxSeed bounds the base seed so that seed + j stays in the 32 bits
// llama.cpp's sampler takes.
const MaxSeed = 1<<31 - 1 - MaxSamples

// MaxTokens bounds num_ctx and num_predict.
const MaxTokens = 1 << 24

// MaxThreads bounds the CPU threads per model a request may ask for.
const MaxThreads = 256

// Validate checks the settings.
func (s Sampling) Validate() error {
	switch {
	case s.Samples < 1 || s.Samples > MaxSamples:
		return &SettingError{"samples", s.Samples, fmt.Sprintf("need 1 to %d samples per model", MaxSamples)}
	case math.IsNaN(s.Temperature) || math.IsInf(s.Temperature, 0) || s.Temperature < 0 || s.Temperature > 100:
		return &SettingError{"temperature", s.Temperature, "must be a number from 0 to 100"}
	case s.SeedMode != "" && s.SeedMode != SeedPerItem && s.SeedMode != SeedLegacy:
		return &SettingError{"seed_mode", s.SeedMode, fmt.Sprintf("use %s (the default) or %s (seed S+j, as runs made before it)", SeedPerItem, SeedLegacy)}
	case s.Seed < 0 || s.Seed > MaxSeed:
		return &SettingError{"seed", s.Seed, fmt.Sprintf("must be 0 to %d (a negative seed makes Ollama sample randomly)", MaxSeed)}
	case s.NumPredict < 0 || s.NumPredict > MaxTokens:
		return &SettingError{"num_predict", s.NumPredict, fmt.Sprintf("must be 0 (the backend's default) to %d", MaxTokens)}
	case s.NumCtx < 0 || s.NumCtx > MaxTokens:
		return &SettingError{"num_ctx", s.NumCtx, fmt.Sprintf("must be 0 (the default) to %d", MaxTokens)}
	case s.NumThread < 0 || s.NumThread > MaxThreads:
		return &SettingError{"num_thread", s.NumThread, fmt.Sprintf("must be 0 (auto) to %d", MaxThreads)}
	case s.RepeatPenalty != nil && (math.IsNaN(*s.RepeatPenalty) || *s.RepeatPenalty <= 0 || *s.RepeatPenalty > 100):
		return &SettingError{"repeat_penalty", *s.RepeatPenalty, "must be a positive number up to 100 (1: off)"}
	case s.TopP != nil && (math.IsNaN(*s.TopP) || *s.TopP <= 0 || *s.TopP > 1):
		return &SettingError{"top_p", *s.TopP, "must be above 0 and at most 1"}
	}
	return nil
}

// Seed modes (Sampling.SeedMode).
const (
	// SeedPerItem derives each sample's seed from (S, item id, j), so the
	// j-th draws of different questions do not share one random stream.
	SeedPerItem = "item"
	// SeedLegacy is seed S+j for sample j of every question (runs made
	// before seed modes existed).
	SeedLegacy = "legacy"
)

// SampleSeed is the seed of sample j of an item: S+j in legacy mode, else
// FNV-1a (64 bit) of the text "S\x00ITEM\x00j" (decimal numbers, the item
// id as stored), modulo 2^31-1, so it stays in the 32 bits llama.cpp takes.
func (s Sampling) SampleSeed(item string, j int) int {
	if s.SeedMode == SeedLegacy {
		return s.Seed + j
	}
	h := fnv.New64a()
	h.Write([]byte(strconv.Itoa(s.Seed)))
	h.Write([]byte{0})
	h.Write([]byte(item))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(j)))
	return int(h.Sum64() % (1<<31 - 1))
}

// Mode is SeedMode with the default spelled out.
func (s Sampling) Mode() string {
	if s.SeedMode == "" {
		return SeedPerItem
	}
	return s.SeedMode
}

func (s Sampling) request(model, system, prompt, item string, j int) models.Request {
	o := models.Options{
		Temperature: models.Float(s.Temperature), Seed: models.Int(s.SampleSeed(item, j)),
		NumPredict: s.NumPredict, NumCtx: s.NumCtx, NumThread: s.NumThread,
		RepeatPenalty: s.RepeatPenalty, TopP: s.TopP,
	}
	if own, ok := s.Pins[model]; ok {
		o = o.Pinned(own)
	}
	return models.Request{Model: model, System: system, Prompt: prompt, Options: o}
}
