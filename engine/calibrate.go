package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// MinProbeReplies is the fewest labelled replies a model's probe is
// trained on.
const MinProbeReplies = 10

// calibrateBatch is how many replies go into one embedding request.
const calibrateBatch = 64

// FewRepliesError reports a model with fewer than MinProbeReplies
// labelled replies in the run folder Dir: no probe can be trained for it.
type FewRepliesError struct {
	Model   string
	Replies int
	Dir     string
}

func (e *FewRepliesError) Error() string {
	return fmt.Sprintf("model %s has %d replies in %s: a probe needs at least %d labelled replies", e.Model, e.Replies, e.Dir, MinProbeReplies)
}

// Calibrate trains the probe confidence signal on a labelled run: for
// each model of run.Dataset, a logistic probe predicting from a reply's
// embedding (by embedModel, else the model itself) whether its answer is
// correct, fitted on its replies among samples (the run's, with their
// text). The probe file records embedModel, the run folder and each
// model's digest from run.json. An error is a *FewRepliesError, or names
// the embedding model ("embed with M: ...") or the model whose probe
// could not be fitted ("M: ...").
func Calibrate(ctx context.Context, e Embedder, run *Run, samples []runstore.Sample, embedModel string) (*confidence.ProbeFile, error) {
	digests := map[string]string{}
	if run.Meta != nil {
		for _, m := range run.Meta.Models {
			digests[m.Name] = m.Digest
		}
	}
	pf := &confidence.ProbeFile{Format: confidence.ProbeFormat, EmbedModel: embedModel, Run: run.Dir, Models: map[string]confidence.ModelProbe{}}
	for _, m := range run.Dataset.Models {
		p, err := trainProbe(ctx, e, run, samples, m, embedModel)
		if err != nil {
			return nil, err
		}
		p.Digest = digests[m]
		pf.Models[m] = p
	}
	return pf, nil
}

// trainProbe fits model m's probe on its labelled replies among samples,
// embedded by embedModel or by m itself (with the runner options the run
// was collected with).
func trainProbe(ctx context.Context, e Embedder, run *Run, samples []runstore.Sample, m, embedModel string) (confidence.ModelProbe, error) {
	var texts []string
	var ys []bool
	for _, s := range samples {
		if s.Model == m && strings.TrimSpace(s.Response) != "" && s.Error == "" {
			texts, ys = append(texts, s.Response), append(ys, s.Correct)
		}
	}
	if len(texts) < MinProbeReplies {
		return confidence.ModelProbe{}, &FewRepliesError{Model: m, Replies: len(texts), Dir: run.Dir}
	}
	em := embedModel
	if em == "" {
		em = m
	}
	opts := models.Options{}
	if run.Meta != nil && embedModel == "" {
		opts.NumCtx, opts.NumThread = run.Meta.NumCtx, run.Meta.NumThread
	}
	xs, err := embedAll(ctx, e, em, texts, opts)
	if err != nil {
		return confidence.ModelProbe{}, fmt.Errorf("embed with %s: %w", em, err)
	}
	p, err := confidence.Train(xs, ys, confidence.TrainConfig{})
	if err != nil {
		return confidence.ModelProbe{}, fmt.Errorf("%s: %w", m, err)
	}
	return p, nil
}

// embedAll embeds texts in batches.
func embedAll(ctx context.Context, e Embedder, model string, texts []string, opts models.Options) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += calibrateBatch {
		vs, err := e.Embed(ctx, model, texts[i:min(i+calibrateBatch, len(texts))], opts)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// EmbedCheckError reports an embedding model that cannot embed: Err is
// the backend's error (wrapping models.ErrModelNotInstalled when the
// model is not installed).
type EmbedCheckError struct {
	Model string
	Err   error
}

func (e *EmbedCheckError) Error() string {
	return fmt.Sprintf("embedding model %s cannot embed: %v", e.Model, e.Err)
}

func (e *EmbedCheckError) Unwrap() error { return e.Err }

// CheckEmbed embeds one text with each member's embedding model
// (embedModel, else the member itself), before any generation, and
// returns each member's embedding size. A failure is an *EmbedCheckError.
func CheckEmbed(ctx context.Context, e Embedder, ms []string, embedModel string) (map[string]int, error) {
	dims := map[string]int{}
	byModel := map[string]int{}
	for _, m := range ms {
		em := embedModel
		if em == "" {
			em = m
		}
		if d, ok := byModel[em]; ok {
			dims[m] = d
			continue
		}
		vs, err := e.Embed(ctx, em, []string{"slmmux embedding check"}, models.Options{})
		if err != nil {
			return nil, &EmbedCheckError{Model: em, Err: err}
		}
		byModel[em], dims[m] = len(vs[0]), len(vs[0])
	}
	return dims, nil
}
