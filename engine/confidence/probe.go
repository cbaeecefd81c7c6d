package confidence

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ProbeFormat marks a probe file.
const ProbeFormat = "slmmux-probe/1"

// ProbeFile is what `slmmux calibrate` writes: one logistic probe per
// model, each predicting from a reply's embedding whether its answer is
// correct. EmbedModel is the model that embedded the replies ("" = each
// member model itself); the probe only applies to embeddings made the
// same way.
type ProbeFile struct {
	Format     string                `json:"format"`
	EmbedModel string                `json:"embed_model,omitempty"`
	Run        string                `json:"run,omitempty"` // the labelled run it was trained on
	Models     map[string]ModelProbe `json:"models"`
}

// ModelProbe is one model's logistic probe over standardised features:
// P(correct | x) = sigmoid(Bias + sum_i Weights[i] * (x[i]-Mean[i])/Scale[i]).
type ModelProbe struct {
	Digest  string    `json:"digest,omitempty"`
	Dim     int       `json:"dim"`
	Mean    []float64 `json:"mean"`
	Scale   []float64 `json:"scale"`
	Weights []float64 `json:"weights"`
	Bias    float64   `json:"bias"`
	// Training facts, for the record.
	Samples       int     `json:"train_samples"`
	PositiveRate  float64 `json:"train_positive_rate"`
	TrainAccuracy float64 `json:"train_accuracy"`
}

// Predict returns P(correct) for embedding x (0.5·0 = 0 for a wrong size).
func (p ModelProbe) Predict(x []float32) float64 {
	if len(x) != p.Dim {
		return 0
	}
	z := p.Bias
	for i, v := range x {
		z += p.Weights[i] * (float64(v) - p.Mean[i]) / p.Scale[i]
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// ErrProbe reports a probe file that cannot be used.
var ErrProbe = errors.New("probe")

// ParseProbe decodes and checks a probe file.
func ParseProbe(b []byte) (*ProbeFile, error) {
	var f ProbeFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w: not a probe file (%w)", ErrProbe, err)
	}
	if f.Format != ProbeFormat {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrProbe, f.Format, ProbeFormat)
	}
	if len(f.Models) == 0 {
		return nil, fmt.Errorf("%w: it holds no model", ErrProbe)
	}
	for m, p := range f.Models {
		if p.Dim < 1 || len(p.Mean) != p.Dim || len(p.Scale) != p.Dim || len(p.Weights) != p.Dim {
			return nil, fmt.Errorf("%w: model %s: dim %d with %d means, %d scales, %d weights", ErrProbe, m, p.Dim, len(p.Mean), len(p.Scale), len(p.Weights))
		}
		for i := range p.Dim {
			if !finite(p.Mean[i]) || !finite(p.Weights[i]) || !finite(p.Scale[i]) || p.Scale[i] <= 0 {
				return nil, fmt.Errorf("%w: model %s: a non-finite or non-positive value at %d", ErrProbe, m, i)
			}
		}
		if !finite(p.Bias) {
			return nil, fmt.Errorf("%w: model %s: bias %v", ErrProbe, m, p.Bias)
		}
	}
	return &f, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Check says whether f applies to models embedded by embedModel ("" =
// each model itself); digests, when both sides know one, must match.
func (f *ProbeFile) Check(models []string, embedModel string, digests map[string]string) error {
	if f.EmbedModel != embedModel {
		return &EmbedderError{Trained: f.EmbedModel, Given: embedModel}
	}
	var missing []string
	for _, m := range models {
		p, ok := f.Models[m]
		if !ok {
			missing = append(missing, m)
			continue
		}
		if d := digests[m]; d != "" && p.Digest != "" && strings.TrimPrefix(d, "sha256:") != strings.TrimPrefix(p.Digest, "sha256:") {
			return fmt.Errorf("%w: model %s has digest %s, the probe was trained on %s", ErrProbe, m, d, p.Digest)
		}
	}
	if len(missing) > 0 {
		have := make([]string, 0, len(f.Models))
		for m := range f.Models {
			have = append(have, m)
		}
		slices.Sort(have)
		return fmt.Errorf("%w: no probe for %s (it has %s)",
			ErrProbe, strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	return nil
}

func orSelf(m string) string {
	if m == "" {
		return "each model itself"
	}
	return m
}

// EmbedderError is a probe trained on another embedding model's
// embeddings ("": each model's own); it wraps ErrProbe.
type EmbedderError struct{ Trained, Given string }

func (e *EmbedderError) Error() string {
	return fmt.Sprintf("%v: trained on embeddings by %s, not %s", ErrProbe, orSelf(e.Trained), orSelf(e.Given))
}

func (e *EmbedderError) Unwrap() error { return ErrProbe }

// ProbeSignal weighs each sample by its model's probe's P(correct).
type ProbeSignal struct{ File *ProbeFile }

// Method implements Signal.
func (ProbeSignal) Method() Method { return Probe }

// Choose implements Signal; a model without a probe has no answer.
func (p ProbeSignal) Choose(model string, samples []Sample) Choice {
	mp, ok := p.File.Models[model]
	if !ok {
		return NoChoice
	}
	return weighted(samples, func(s Sample) float64 { return mp.Predict(s.Embedding) })
}

// TrainConfig configures Train. Zero values take the defaults.
type TrainConfig struct {
	L2     float64 // ridge penalty on the weights; default 1e-2
	Epochs int     // full-batch gradient steps; default 2000
	Rate   float64 // step size; default 0.5
}

// Train fits a logistic probe to embeddings xs with labels ys (true =
// correct) by full-batch gradient descent on the L2-penalised mean log
// loss, over features standardised by their mean and standard deviation.
// It is deterministic.
func Train(xs [][]float32, ys []bool, cfg TrainConfig) (ModelProbe, error) {
	if len(xs) == 0 || len(xs) != len(ys) {
		return ModelProbe{}, fmt.Errorf("%w: %d embeddings for %d labels", ErrProbe, len(xs), len(ys))
	}
	if cfg.L2 == 0 {
		cfg.L2 = 1e-2
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = 2000
	}
	if cfg.Rate == 0 {
		cfg.Rate = 0.5
	}
	d := len(xs[0])
	p := ModelProbe{Dim: d, Mean: make([]float64, d), Scale: make([]float64, d), Weights: make([]float64, d), Samples: len(xs)}
	for _, x := range xs {
		if len(x) != d {
			return ModelProbe{}, fmt.Errorf("%w: embeddings of sizes %d and %d", ErrProbe, d, len(x))
		}
		for i, v := range x {
			p.Mean[i] += float64(v)
		}
	}
	n := float64(len(xs))
	for i := range p.Mean {
		p.Mean[i] /= n
	}
	for _, x := range xs {
		for i, v := range x {
			dv := float64(v) - p.Mean[i]
			p.Scale[i] += dv * dv
		}
	}
	for i := range p.Scale {
		p.Scale[i] = math.Sqrt(p.Scale[i] / n)
		if p.Scale[i] < 1e-6 {
			p.Scale[i] = 1
		}
	}
	z := make([][]float64, len(xs))
	pos := 0.0
	for k, x := range xs {
		z[k] = make([]float64, d)
		for i, v := range x {
			z[k][i] = (float64(v) - p.Mean[i]) / p.Scale[i]
		}
		if ys[k] {
			pos++
		}
	}
	p.PositiveRate = pos / n
	// Start at the base rate (clamped so that an all-one label set stays finite).
	r := min(max(p.PositiveRate, 1e-3), 1-1e-3)
	p.Bias = math.Log(r / (1 - r))
	grad := make([]float64, d)
	for range cfg.Epochs {
		clear(grad)
		gb := 0.0
		for k := range z {
			e := sigmoid(p.Bias+dot(p.Weights, z[k])) - b2f(ys[k])
			gb += e
			for i, v := range z[k] {
				grad[i] += e * v
			}
		}
		p.Bias -= cfg.Rate * gb / n
		for i := range p.Weights {
			p.Weights[i] -= cfg.Rate * (grad[i]/n + cfg.L2*p.Weights[i])
		}
	}
	right := 0
	for k := range z {
		if (sigmoid(p.Bias+dot(p.Weights, z[k])) >= 0.5) == ys[k] {
			right++
		}
	}
	p.TrainAccuracy = float64(right) / n
	return p, nil
}

func dot(w, x []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += w[i] * v
	}
	return s
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
