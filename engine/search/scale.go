package search

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/slmmux/slmmux/engine/mux"
)

// ScaleConfig configures Scale. The zero value is valid: every sample
// count from 1 to the most stored, one trial, seed 0, models curve up to
// min(5, pool size).
type ScaleConfig struct {
	Samples   []int  // samples per model for the samples curve; nil: 1..max stored
	Trials    int    // seeded repetitions per point; 0 means 1
	Seed      uint64 // seeds the trials' draws (the same trial seeds at every point)
	KMax      int    // largest model count on the models curve; 0: min(5, pool)
	ModelsK   int    // samples per model on the models curve; 0: the largest of Samples
	Profile   mux.Profile
	ValAcc    map[string]float64
	Agreement *mux.Agreement // set: ties by the agreement estimate (over the whole pool)
	Costs     Costs          // zero: tokens and seconds are NaN
}

// Stat is a mean over trials and its standard error (sample standard
// deviation / √trials; 0 for one trial).
type Stat struct {
	Mean, SE float64
}

// SamplePoint is the samples curve at K samples per model, all models.
// Tokens and Seconds are spent per item (NaN when not recorded).
type SamplePoint struct {
	K                int
	Mux, AgentForest Stat
	Tokens, Seconds  float64
}

// ModelPoint is the models curve at N models: the best N-model subset by
// the Paper objective (λ = 1), its SLM-MUX and Agent Forest accuracy at
// Scaling.ModelsK samples per model, and its union accuracy (items some
// model's own answer gets right, all samples).
type ModelPoint struct {
	N                int
	Models           []string
	Score, Union     float64
	Mux, AgentForest Stat
	Tokens, Seconds  float64
}

// Scaling holds the paper's two scaling curves.
type Scaling struct {
	Models    []string
	Items     int
	Trials    int
	Seed      uint64
	ModelsK   int
	BySamples []SamplePoint
	ByModels  []ModelPoint
}

// Scale computes SLM-MUX and Agent Forest accuracy as samples per model
// grow (all models), and the best subset's as models are added. The same
// config gives the same numbers. Errors wrap ErrConfig when the input
// cannot be scaled.
func Scale(ds *mux.Dataset, cfg ScaleConfig) (*Scaling, error) {
	maxN := ds.MaxSamples()
	if len(ds.Items) == 0 || len(ds.Models) == 0 || maxN == 0 {
		return nil, configErr("the run holds no samples for these models")
	}
	ks, err := sampleCounts(cfg.Samples, maxN)
	if err != nil {
		return nil, err
	}
	if cfg.Trials < 0 {
		return nil, configErr("trials %d: need at least 1", cfg.Trials)
	}
	trials := max(cfg.Trials, 1)
	modelsK := cfg.ModelsK
	if modelsK == 0 {
		modelsK = ks[len(ks)-1]
	}
	if modelsK < 1 || modelsK > maxN {
		return nil, configErr("models curve at %d samples per model: must be between 1 and %d, the most stored", modelsK, maxN)
	}
	kmax := cfg.KMax
	if kmax == 0 {
		kmax = min(5, len(ds.Models))
	}
	seeds := trialSeeds(cfg.Seed, trials)
	sc := &Scaling{Models: ds.Models, Items: len(ds.Items), Trials: trials, Seed: cfg.Seed, ModelsK: modelsK}
	for _, k := range ks {
		m, af, err := replay(ds, k, seeds, cfg)
		if err != nil {
			return nil, err
		}
		tok, sec := cfg.Costs.PerItem(ds.Models, k)
		sc.BySamples = append(sc.BySamples, SamplePoint{K: k, Mux: m, AgentForest: af, Tokens: tok, Seconds: sec})
	}
	best, err := search(ds, Config{Objective: Paper, KMin: 1, KMax: kmax, Lambda: 1, Profile: cfg.Profile, ValAcc: cfg.ValAcc, Agreement: cfg.Agreement}, 1)
	if err != nil {
		return nil, err
	}
	for _, b := range best.BestByK {
		sub := Restrict(ds, b.idx)
		m, af, err := replay(sub, min(modelsK, sub.MaxSamples()), seeds, cfg)
		if err != nil {
			return nil, err
		}
		tok, sec := cfg.Costs.PerItem(b.Models, modelsK)
		sc.ByModels = append(sc.ByModels, ModelPoint{N: len(b.Models), Models: b.Models, Score: b.Score,
			Union: b.UnionAcc, Mux: m, AgentForest: af, Tokens: tok, Seconds: sec})
	}
	return sc, nil
}

// sampleCounts validates the samples curve's x values (nil: 1..maxN) and
// returns them sorted without repeats.
func sampleCounts(want []int, maxN int) ([]int, error) {
	if len(want) == 0 {
		out := make([]int, maxN)
		for i := range out {
			out[i] = i + 1
		}
		return out, nil
	}
	out := slices.Clone(want)
	slices.Sort(out)
	out = slices.Compact(out)
	if out[0] < 1 || out[len(out)-1] > maxN {
		return nil, configErr("samples %v: each must be between 1 and %d, the most stored per model and item", want, maxN)
	}
	return out, nil
}

// trialSeeds derives one seed per trial from seed.
func trialSeeds(seed uint64, trials int) []uint64 {
	r := rand.New(rand.NewPCG(seed, 0x5ca1e))
	out := make([]uint64, trials)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

// replay runs one mux.Simulate trial per seed at k samples per model.
func replay(ds *mux.Dataset, k int, seeds []uint64, cfg ScaleConfig) (muxStat, afStat Stat, err error) {
	m := make([]float64, len(seeds))
	af := make([]float64, len(seeds))
	for t, s := range seeds {
		r, err := mux.Simulate(ds, mux.SimConfig{K: k, Trials: 1, Seed: s, Profile: cfg.Profile, ValAcc: cfg.ValAcc, Agreement: cfg.Agreement})
		if err != nil {
			return Stat{}, Stat{}, err
		}
		m[t], af[t] = r.Accuracy, r.AgentForest
	}
	return stat(m), stat(af), nil
}

func stat(xs []float64) Stat {
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return Stat{Mean: mean}
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(len(xs)-1))
	return Stat{Mean: mean, SE: sd / math.Sqrt(float64(len(xs)))}
}
