package search

import "math"

// Costs are each model's mean output tokens and mean wall seconds per
// sample, over the samples that recorded them (a zero output_tokens or
// duration_ms is "not recorded"). A model missing from a map recorded
// none. The zero value knows no costs.
type Costs struct {
	Tokens  map[string]float64
	Seconds map[string]float64
}

// CostSample is what one stored sample cost: samples.jsonl's model,
// output_tokens and duration_ms.
type CostSample struct {
	Model        string
	OutputTokens int
	DurationMS   float64
}

// CostsFromSamples averages the samples' output tokens and durations per
// model.
func CostsFromSamples(samples []CostSample) Costs {
	type acc struct {
		tok, sec   float64
		nTok, nSec int
	}
	per := map[string]*acc{}
	for _, s := range samples {
		a := per[s.Model]
		if a == nil {
			a = &acc{}
			per[s.Model] = a
		}
		if s.OutputTokens > 0 {
			a.tok += float64(s.OutputTokens)
			a.nTok++
		}
		if s.DurationMS > 0 {
			a.sec += s.DurationMS / 1000
			a.nSec++
		}
	}
	c := Costs{Tokens: map[string]float64{}, Seconds: map[string]float64{}}
	for m, a := range per {
		if a.nTok > 0 {
			c.Tokens[m] = a.tok / float64(a.nTok)
		}
		if a.nSec > 0 {
			c.Seconds[m] = a.sec / float64(a.nSec)
		}
	}
	return c
}

// PerItem returns what k samples from each of models spend per item:
// output tokens and wall seconds (model time, as if run one after
// another). Either is NaN when some model did not record it.
func (c Costs) PerItem(models []string, k int) (tokens, seconds float64) {
	return perItem(c.Tokens, models, k), perItem(c.Seconds, models, k)
}

func perItem(per map[string]float64, models []string, k int) float64 {
	t := 0.0
	for _, m := range models {
		v, ok := per[m]
		if !ok {
			return math.NaN()
		}
		t += v
	}
	return t * float64(k)
}
