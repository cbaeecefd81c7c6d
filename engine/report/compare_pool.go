package report

import (
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/search"
)

// PoolConfig says what ComparePool compares: SLM-MUX over the models of
// Pool, the pool's best pair, and the Large model alone.
type PoolConfig struct {
	Pool   []string           // the models SLM-MUX selects among
	Large  string             // a model to set against them; "" for none
	K      int                // samples per model in every replay (0: all stored)
	ValAcc map[string]float64 // validation accuracies: ties, and best_support
	// Pair, when set, is the pair to report, chosen elsewhere (on a
	// validation set); else the best pair by search on this run.
	Pair []string
}

// PoolComparison is ComparePool's result. Every replay is one trial of
// K samples per model.
type PoolComparison struct {
	Paper mux.SimResult // the pool under the paper profile, with its baselines
	// Official is the pool under the official profile, whose Agent Forest
	// breaks pooled ties by best_support.
	Official mux.SimResult
	// Pair is cfg.Pair, else the pool's best pair by search (paper
	// objective), nil when the search found none; PairResult is SLM-MUX
	// over it.
	Pair       []string
	PairResult mux.SimResult
	Large      *mux.SimResult // Large alone; nil without one
}

// ComparePool replays SLM-MUX over a pool of models against its baselines,
// its best pair and a large model alone. dataset returns the run's samples
// of the given models, in that order (engine.Run.Subset), so the run is
// read once.
func ComparePool(cfg PoolConfig, dataset func(models []string) (*mux.Dataset, error)) (*PoolComparison, error) {
	sim := func(ds *mux.Dataset, p mux.Profile) (mux.SimResult, error) {
		return mux.Simulate(ds, mux.SimConfig{K: cfg.K, Trials: 1, ValAcc: cfg.ValAcc, Profile: p})
	}
	simModels := func(ms []string) (mux.SimResult, error) {
		ds, err := dataset(ms)
		if err != nil {
			return mux.SimResult{}, err
		}
		return sim(ds, mux.Paper)
	}
	pool, err := dataset(cfg.Pool)
	if err != nil {
		return nil, err
	}
	var c PoolComparison
	if c.Paper, err = sim(pool, mux.Paper); err != nil {
		return nil, err
	}
	if c.Official, err = sim(pool, mux.Official); err != nil {
		return nil, err
	}
	c.Pair = cfg.Pair
	if c.Pair == nil {
		sc := search.DefaultConfig(search.Paper)
		sc.KMin, sc.KMax, sc.ValAcc = 2, 2, cfg.ValAcc
		// A pool the search cannot run on (fewer than two models) has no pair.
		if sr, err := search.Search(pool, sc); err == nil && len(sr.BestByK) > 0 {
			c.Pair = sr.BestByK[0].Models
		}
	}
	if c.Pair != nil {
		if c.PairResult, err = simModels(c.Pair); err != nil {
			return nil, err
		}
	}
	if cfg.Large != "" {
		lr, err := simModels([]string{cfg.Large})
		if err != nil {
			return nil, err
		}
		c.Large = &lr
	}
	return &c, nil
}
