package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/models"
)

// SignalBackend is a backend that gives what every confidence signal
// needs: token log-probabilities (its version says whether it has them)
// and embeddings. An Ollama daemon is one; a host whose Generator is not
// carries the consistency signal only.
type SignalBackend interface {
	Generator
	Embedder
	// LogprobSupport says whether the backend's version gives token
	// log-probabilities.
	LogprobSupport(ctx context.Context) (models.Support, error)
	// Host is the backend's address, for messages.
	Host() string
}

// SignalBackendError is a signal other than consistency asked of a host
// whose backend cannot give it (an OpenAI-compatible server): Models are
// the models it holds.
type SignalBackendError struct {
	Method confidence.Method
	Host   string
	Models []string
}

func (e *SignalBackendError) Error() string {
	return fmt.Sprintf("the confidence signal %s needs token log-probabilities and embeddings, which host %s cannot give", e.Method, e.Host)
}

// Unwrap yields ErrInvalid: the run cannot start as asked.
func (e *SignalBackendError) Unwrap() error { return ErrInvalid }

// LogprobsError is a backend without token log-probabilities: its
// version (Known) predates Since, or, its version unknown, a two-token
// generation returned none. Err, when set, is why that generation failed
// (nothing is known then).
type LogprobsError struct {
	Host    string
	Support models.Support
	Err     error
}

func (e *LogprobsError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("checking the backend at %s (version unknown) for log-probabilities: %v", e.Host, e.Err)
	case e.Support.Known:
		return fmt.Sprintf("the backend at %s is version %s, which has no token log-probabilities (they came in %s)", e.Host, e.Support.Version, e.Support.Since)
	}
	return fmt.Sprintf("the backend at %s (version unknown) returned no token log-probabilities", e.Host)
}

func (e *LogprobsError) Unwrap() error { return e.Err }

// ProbeDimError is a probe trained on embeddings of another size than
// the embedding model gives; it wraps confidence.ErrProbe.
type ProbeDimError struct {
	Model    string
	Dim, Got int // the probe's, the embedding model's
}

func (e *ProbeDimError) Error() string {
	return fmt.Sprintf("the probe of %s takes %d-dimensional embeddings, the embedding model gives %d", e.Model, e.Dim, e.Got)
}

func (e *ProbeDimError) Unwrap() error { return confidence.ErrProbe }

// CheckSignal checks, before any generation, that every host that holds
// some of ms can give what sig needs: token log-probabilities (logprob),
// embeddings by the embedding model (embedding, probe: embedModel, else
// each model itself), a probe trained for these models and that
// embedding size (probe). The errors are typed: *SignalBackendError,
// *LogprobsError, *EmbedCheckError, *ProbeDimError, and the probe file's
// own (wrapping confidence.ErrProbe). A nil sig is consistency, which
// every host carries.
func (p *Hosts) CheckSignal(ctx context.Context, sig confidence.Signal, ms []string, embedModel string, digests map[string]string) error {
	if sig == nil || sig.Method() == confidence.Consistency {
		return nil
	}
	for _, h := range p.hosts {
		var mine []string
		for _, m := range ms {
			if slices.ContainsFunc(h.Installed, func(i models.Info) bool { return CanonicalName(i.Name) == m }) {
				mine = append(mine, m)
			}
		}
		if len(mine) == 0 {
			continue
		}
		sb, ok := h.Generator.(SignalBackend)
		if !ok {
			return &SignalBackendError{Method: sig.Method(), Host: h.Name, Models: mine}
		}
		if err := checkSignal(ctx, sb, sig, mine, embedModel, digests); err != nil {
			return err
		}
	}
	return nil
}

// checkSignal is CheckSignal's check of one host's models.
func checkSignal(ctx context.Context, b SignalBackend, sig confidence.Signal, ms []string, embedModel string, digests map[string]string) error {
	need := sig.Method().Needs()
	if need.Logprobs {
		if err := checkLogprobs(ctx, b, ms); err != nil {
			return err
		}
	}
	var dims map[string]int
	if need.Embedding {
		var err error
		if dims, err = CheckEmbed(ctx, b, ms, embedModel); err != nil {
			return err
		}
	}
	ps, ok := sig.(confidence.ProbeSignal)
	if !ok {
		return nil
	}
	if err := ps.File.Check(ms, embedModel, digests); err != nil {
		return err
	}
	for _, m := range ms {
		if d := ps.File.Models[m].Dim; dims[m] != d {
			return &ProbeDimError{Model: m, Dim: d, Got: dims[m]}
		}
	}
	return nil
}

// checkLogprobs refuses a backend whose version predates token
// log-probabilities; one that reports no version is tried with a
// two-token generation.
func checkLogprobs(ctx context.Context, b SignalBackend, ms []string) error {
	sup, err := b.LogprobSupport(ctx)
	if err != nil {
		return err
	}
	if sup.Known && !sup.Has {
		return &LogprobsError{Host: b.Host(), Support: sup}
	}
	if sup.Known || len(ms) == 0 {
		return nil
	}
	res, err := b.Generate(ctx, models.Request{Model: ms[0], Prompt: "1+1=", Logprobs: true,
		Options: models.Options{NumPredict: 2, Temperature: models.Float(0), Seed: models.Int(0)}})
	if err != nil {
		return &LogprobsError{Host: b.Host(), Support: sup, Err: err}
	}
	if res.Text != "" && len(res.Logprobs) == 0 {
		return &LogprobsError{Host: b.Host(), Support: sup}
	}
	return nil
}
