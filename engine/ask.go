package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/mux"
)

// AskConfig configures Ask.
type AskConfig struct {
	Models   []string
	Sampling Sampling
	Profile  mux.Profile
	ValAcc   map[string]float64 // tie-break accuracies; nil = model order
	// Waves groups the models that may be loaded together: each wave runs
	// its models concurrently, waves run in sequence. Nil means one wave
	// per model (sequential), the safe choice when sizes are unknown.
	Waves [][]string
	// Progress, when set, is called after each sample.
	Progress func(model string, done, total int)
	// WaveDone, when set, is called after a wave and before its unload.
	WaveDone func(ctx context.Context, wave []string)
}

// Answer is the outcome of Ask.
type Answer struct {
	Answer     string
	Model      string // the winner; "" when no model answered
	Confidence float64
	Models     []ModelAnswer
	Wall       time.Duration
}

// ModelAnswer is one model's part of an Answer.
type ModelAnswer struct {
	Model      string   `json:"model"`
	Answer     string   `json:"answer"`
	Votes      int      `json:"votes"`
	Samples    int      `json:"samples"`
	Confidence float64  `json:"confidence"`
	Answers    []string `json:"answers"`
	Responses  []string `json:"responses,omitempty"`
	Tokens     int      `json:"output_tokens"`
	Error      string   `json:"error,omitempty"`
}

// Ask samples every model k times on one question and applies SLM-MUX. A
// model whose requests fail is reported with its error and left out of the
// vote; Ask fails only when every model fails or ctx ends.
func (e *Engine) Ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, cfg AskConfig) (Answer, error) {
	if err := cfg.Sampling.Validate(); err != nil {
		return Answer{}, err
	}
	if len(cfg.Models) == 0 {
		return Answer{}, fmt.Errorf("no models to ask: pass --models or install a model")
	}
	start := time.Now()
	p := b.Prompt(it)
	k := cfg.Sampling.Samples
	res := make([]ModelAnswer, len(cfg.Models))
	index := map[string]int{}
	for i, m := range cfg.Models {
		index[m] = i
		res[i] = ModelAnswer{Model: m, Samples: k, Answers: make([]string, k), Responses: make([]string, k)}
	}
	waves := cfg.Waves
	if waves == nil {
		for _, m := range cfg.Models {
			waves = append(waves, []string{m})
		}
	}
	var mu sync.Mutex
	done := 0
	for _, wave := range waves {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(e.slots * len(wave))
		for _, m := range wave {
			mi := index[m]
			for j := range k {
				g.Go(func() error {
					r, err := e.gen.Generate(gctx, cfg.Sampling.request(m, p.System, p.User, j))
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						if ctx.Err() != nil {
							return ctx.Err()
						}
						res[mi].Error = err.Error()
						return nil
					}
					res[mi].Responses[j] = r.Text
					res[mi].Answers[j] = b.Extract(r.Text, it)
					res[mi].Tokens += r.OutputTokens
					done++
					if cfg.Progress != nil {
						cfg.Progress(m, done, k*len(cfg.Models))
					}
					return nil
				})
			}
		}
		if err := g.Wait(); err != nil {
			return Answer{}, err
		}
		if cfg.WaveDone != nil {
			cfg.WaveDone(ctx, wave)
		}
		e.unload(ctx, wave)
	}
	return e.choose(res, cfg, start)
}

func (e *Engine) choose(res []ModelAnswer, cfg AskConfig, start time.Time) (Answer, error) {
	var samples []mux.Samples
	var kept []int
	for i, r := range res {
		if r.Error != "" {
			continue
		}
		samples = append(samples, mux.Samples{Model: r.Model, Answers: r.Answers})
		kept = append(kept, i)
	}
	if len(kept) == 0 {
		return Answer{Models: res}, fmt.Errorf("every model failed; first error: %s", res[0].Error)
	}
	ch := mux.Select(samples, cfg.ValAcc, cfg.Profile)
	out := Answer{Answer: ch.Answer, Models: res, Wall: time.Since(start)}
	for vi, v := range ch.Votes {
		r := &res[kept[vi]]
		r.Answer, r.Votes, r.Confidence = v.Answer, v.Count, v.Confidence()
		if vi == ch.Winner {
			out.Model, out.Confidence = v.Model, v.Confidence()
		}
	}
	return out, nil
}

// unload frees the wave's models when the backend can, so that nothing
// stays resident by accident.
func (e *Engine) unload(ctx context.Context, wave []string) {
	u, ok := e.gen.(Unloader)
	if !ok {
		return
	}
	for _, m := range wave {
		if err := u.Unload(ctx, m); err != nil {
			e.log.Debug("unload failed", "model", m, "err", err)
		}
	}
}
