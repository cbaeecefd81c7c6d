package main

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/models"
)

// benchFlags choose a benchmark: its name, prompt style, extractor and
// extraction mode.
type benchFlags struct {
	name, style, extractor, extract string
	mbpp                            string
	allowExec                       bool
	execTimeout                     time.Duration
}

// registerExec adds the flags that let model-written code run.
func (b *benchFlags) registerExec(f *pflag.FlagSet) {
	f.BoolVar(&b.allowExec, "allow-code-execution", false, "run model-written code (humaneval, mbpp) in the sandbox to score it")
	f.DurationVar(&b.execTimeout, "exec-timeout", 0, "time limit per execution (default: max(4s, 4x the reference solution's time), as EvalPlus)")
}

func (b *benchFlags) register(f *pflag.FlagSet, def string) {
	f.StringVar(&b.name, "bench", def, "benchmark: "+strings.Join(benchmark.Names(), "|"))
	f.StringVar(&b.style, "prompt-style", "paper", "paper, or official for the authors' exact prompts")
	f.StringVar(&b.extractor, "extractor", "", "jsonl only: auto (default), number, math, letter or general")
	f.StringVar(&b.mbpp, "mbpp", "full", "mbpp only: full (the test split, tasks 11-510) or sanitized (the 427 hand-checked tasks of sanitized-mbpp.json)")
	f.StringVar(&b.extract, "extract", "strict", "which answers votes read: strict (a boxed answer, the #### number, a marked letter) or flexible (also a final answer in prose)")
}

// validateExec checks --exec-timeout.
func (b *benchFlags) validateExec() error {
	if b.execTimeout < 0 || b.execTimeout > time.Hour {
		return usagef("--exec-timeout %v: use 0 (the default rule) up to 1h", b.execTimeout)
	}
	return nil
}

func (b *benchFlags) build() (benchmark.Benchmark, error) {
	style, err := benchmark.ParsePromptStyle(b.style)
	if err != nil {
		return nil, usagef("--prompt-style: %w", err)
	}
	mode, err := benchmark.ParseExtractMode(b.extract)
	if err != nil {
		return nil, usagef("--extract: %w", err)
	}
	set, err := benchmark.ParseMBPPSet(b.mbpp)
	if err != nil {
		return nil, usagef("--mbpp: %w", err)
	}
	cfg := benchmark.Config{PromptStyle: style, Extractor: b.extractor, Extract: mode, MBPP: set}
	if b.allowExec {
		cfg.Exec = &benchmark.Execution{Timeout: b.execTimeout}
	}
	bm, err := benchmark.New(b.name, cfg)
	if err != nil {
		return nil, usagef("--bench: %w", err)
	}
	return bm, nil
}

// modes returns the benchmark under strict and under flexible extraction
// (so that a run records how many samples each could not read).
func (b benchFlags) modes() (strict, flexible benchmark.Benchmark, err error) {
	s, f := b, b
	s.extract, f.extract = "strict", "flexible"
	if strict, err = s.build(); err != nil {
		return nil, nil, err
	}
	flexible, err = f.build()
	return strict, flexible, err
}

// extractMeta is the mode as run.json records it ("" for strict).
func (b benchFlags) extractMeta() string {
	if b.extract == "flexible" {
		return "flexible"
	}
	return ""
}

// samplingFlags are the per-sample settings.
type samplingFlags struct {
	s             engine.Sampling
	repeatPenalty float64
	topP          float64
}

// validate checks the settings and applies --repeat-penalty.
func (sf *samplingFlags) validate() error {
	if sf.repeatPenalty != 0 {
		sf.s.RepeatPenalty = models.Float(sf.repeatPenalty)
	}
	if sf.topP != 0 {
		sf.s.TopP = models.Float(sf.topP)
	}
	return settingErr(sf.s.Validate())
}

func (sf *samplingFlags) register(f *pflag.FlagSet, k int) {
	f.IntVar(&sf.s.Samples, "samples", k, "samples per model (k)")
	f.Float64Var(&sf.s.Temperature, "temperature", 0.3, "sampling temperature (the paper uses 0.3)")
	f.IntVar(&sf.s.Seed, "seed", 0, "base seed S: sample j of an item uses a seed hashed from (S, item id, j), so runs reproduce")
	f.StringVar(&sf.s.SeedMode, "seed-mode", engine.SeedPerItem, "item: seeds per (S, item, j); legacy: seed S+j for every item (runs made before seed modes)")
	f.IntVar(&sf.s.NumPredict, "num-predict", 0, "maximum tokens per answer (0: the daemon's default)")
	f.IntVar(&sf.s.NumCtx, "num-ctx", 0, "context window (0: the daemon's default); fixed for the whole run so models are not reloaded")
	f.Float64Var(&sf.repeatPenalty, "repeat-penalty", 0, "penalty on tokens seen in the last 64, prompt included (0: the daemon's default, 1.1 in Ollama; 1: off)")
	f.Float64Var(&sf.topP, "top-p", 0, "nucleus sampling: sample from the likeliest tokens whose probabilities add up to this (0: the backend's default, 0.9 in Ollama, 1 through --backend openai)")
	f.IntVar(&sf.s.NumThread, "threads", 0, "CPU threads per loaded model (0: auto: without a GPU, the physical cores shared among the models loaded together)")
}
