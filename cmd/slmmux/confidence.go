package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama"
)

// confidenceFlags choose the per-model confidence signal (ask, eval, mux).
type confidenceFlags struct {
	method, embedModel, probe string
	threshold                 float64
	// keys, when set, names the settings as a config file does
	// (confidence:, embed_model:, ...) instead of as flags.
	keys map[string]string
}

// configKeys are the serve config's names of the confidence settings.
var configKeys = map[string]string{"confidence": "confidence", "embed-model": "embed_model", "embed-threshold": "embed_threshold", "probe": "probe"}

// setting is how a person sets it: "--flag VALUE" or "key: VALUE".
func (cf *confidenceFlags) setting(flag, value string) string {
	if k, ok := cf.keys[flag]; ok {
		return k + ": " + value
	}
	return "--" + flag + " " + value
}

// name is how messages name a setting: its flag, or its config key.
func (cf *confidenceFlags) name(flag string) string {
	if k, ok := cf.keys[flag]; ok {
		return k
	}
	return "--" + flag
}

func (cf *confidenceFlags) register(f *pflag.FlagSet, live bool) {
	f.StringVar(&cf.method, "confidence", "consistency", "per-model confidence signal: consistency, logprob, embedding, verbalized or probe")
	f.Float64Var(&cf.threshold, "embed-threshold", confidence.DefaultThreshold, "embedding: cosine similarity at which two replies count as the same")
	f.StringVar(&cf.probe, "probe", "", "probe: the file slmmux calibrate wrote")
	if live {
		f.StringVar(&cf.embedModel, "embed-model", "", "embedding, probe: the model that embeds replies (default: each member model itself); also compares text questions' replies by cosine")
	}
}

func (cf *confidenceFlags) validate() error {
	m, err := confidence.ParseMethod(cf.method)
	if err != nil {
		return usagef("%s: %w", cf.name("confidence"), err)
	}
	if math.IsNaN(cf.threshold) || cf.threshold <= 0 || cf.threshold > 1 {
		return usagef("%s %v: must be a cosine similarity in (0, 1]", cf.name("embed-threshold"), cf.threshold)
	}
	if m == confidence.Probe && cf.probe == "" {
		return usagef("%s probe needs %s FILE: train one with slmmux calibrate --run DIR (a labelled run of these models)", cf.name("confidence"), cf.name("probe"))
	}
	if m != confidence.Probe && cf.probe != "" {
		return usagef("%s applies with %s probe only", cf.name("probe"), cf.name("confidence"))
	}
	return nil
}

// loadProbe reads a probe file, naming the fix when it is missing or
// corrupt.
func loadProbe(path string) (*confidence.ProbeFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--probe %s: %w: train one with slmmux calibrate --run DIR --out %s", path, err, path)
	}
	p, err := confidence.ParseProbe(b)
	if err != nil {
		return nil, usagef("--probe %s: %w: train it again with slmmux calibrate --run DIR --out %s", path, err, path)
	}
	return p, nil
}

// signal builds the offline signal (mux): no daemon is asked.
func (cf *confidenceFlags) signal(p mux.Profile) (confidence.Signal, error) {
	m, _ := confidence.ParseMethod(cf.method)
	o := confidence.Options{Profile: p, Threshold: cf.threshold}
	if m == confidence.Probe {
		pf, err := loadProbe(cf.probe)
		if err != nil {
			return nil, err
		}
		o.Probe = pf
	}
	return confidence.New(m, o)
}

// liveSignal builds the signal for a live run (ask, eval, serve) and
// checks, before any generation, that every host of the models can give
// what it needs (engine's Hosts.CheckSignal): only an Ollama daemon gives
// a signal other than consistency, which is refused on an
// OpenAI-compatible server in one place for ask, eval and serve. A nil
// signal is consistency.
func (a *App) liveSignal(ctx context.Context, lh *liveHosts, cf confidenceFlags, p mux.Profile, ms []string, digests map[string]string) (confidence.Signal, error) {
	sig, err := cf.signal(p)
	if err != nil {
		return nil, err
	}
	if sig.Method() == confidence.Consistency {
		return nil, nil
	}
	if err := lh.CheckSignal(ctx, sig, ms, cf.embedModel, digests); err != nil {
		return nil, cf.signalErr(err, sig.Method(), lh.single)
	}
	if sig.Method().Needs().Verbal {
		fmt.Fprintln(a.Stderr, "confidence verbalized: one extra generation per sample (the model rates its reply 0-100), so twice the generations")
	}
	return sig, nil
}

// signalErr words CheckSignal's errors with the settings that fix them;
// single: the flags' one host, not a pool.
func (cf *confidenceFlags) signalErr(err error, m confidence.Method, single bool) error {
	conf := cf.name("confidence")
	var be *engine.SignalBackendError
	var le *engine.LogprobsError
	var de *engine.ProbeDimError
	var ee *confidence.EmbedderError
	switch {
	case errors.As(err, &be) && single:
		return usagef("%s %s needs --backend ollama (the daemon's logprobs and /api/embed); with --backend openai use %s consistency", conf, m, conf)
	case errors.As(err, &be):
		return usagef("%s %s needs Ollama's logprobs and /api/embed: host %s is an OpenAI-compatible server; use %s consistency, or run %s on Ollama hosts only",
			conf, m, be.Host, conf, strings.Join(be.Models, ", "))
	case errors.As(err, &le) && le.Err != nil:
		return fmt.Errorf("%s logprob: checking the daemon (version unknown) for log-probabilities: %w", conf, le.Err)
	case errors.As(err, &le):
		fix := fmt.Sprintf("use Ollama %s or later, or %s consistency", ollama.FeatureLogprobs.Since, conf)
		if le.Support.Known {
			return usagef("%s logprob: the Ollama daemon at %s is version %s, which has no token log-probabilities (they came in %s): %s", conf, le.Host, le.Support.Version, le.Support.Since, fix)
		}
		return usagef("%s logprob: the Ollama daemon at %s (version unknown) returned no token log-probabilities: %s", conf, le.Host, fix)
	case errors.As(err, &de):
		return usagef("%s: %w: train it again with slmmux calibrate", cf.name("probe"), err)
	case errors.As(err, &ee):
		trained := ee.Trained
		if trained == "" {
			trained = `"" (each model itself)`
		}
		return usagef("%s: %w: use %s, or train a probe for this one with slmmux calibrate", cf.name("probe"), err, cf.setting("embed-model", trained))
	case errors.Is(err, confidence.ErrProbe):
		return usagef("%s: %w: train it again with slmmux calibrate --run DIR (a labelled run of these models)", cf.name("probe"), err)
	}
	return cf.embedErr(err)
}

// embedErr names the fix for an embedding model that cannot embed
// (engine's *EmbedCheckError); other errors are returned as they are.
func (cf *confidenceFlags) embedErr(err error) error {
	var ee *engine.EmbedCheckError
	if !errors.As(err, &ee) {
		return err
	}
	fix := "name one that embeds with " + cf.setting("embed-model", "NAME") + ", e.g. after `ollama pull nomic-embed-text`"
	if errors.Is(ee.Err, models.ErrModelNotInstalled) {
		return usagef("embedding model %s is not installed: %s", ee.Model, fix)
	}
	return usagef("embedding model %s cannot embed (%v): %s", ee.Model, ee.Err, fix)
}

func printSignal(w io.Writer, s *engine.SignalResult) {
	if s == nil {
		return
	}
	fmt.Fprintf(w, "SLM-MUX with --confidence %s: %.4f ± %.4f (%.0f generations, %.0f tokens", s.Signal, s.Accuracy, s.Stderr, s.Generations, s.Tokens)
	if s.Embeddings > 0 {
		fmt.Fprintf(w, ", %.0f embeddings", s.Embeddings)
	}
	fmt.Fprintln(w, " per pass over the items)")
}

// needsOf is what sig records per sample (nothing for consistency).
func needsOf(sig confidence.Signal) confidence.Needs { return confidence.MethodOf(sig).Needs() }

// evalSignal prints SLM-MUX under the eval's signal, replayed over the
// run it just completed, and writes it to DIR/confidence.json
// (engine.WriteSignal).
func (a *App) evalSignal(dir string, ms []string, sig confidence.Signal) error {
	sr, err := engine.WriteSignal(dir, ms, sig)
	if errors.Is(err, engine.ErrSignalData) {
		return usagef("%w", err)
	}
	printSignal(a.Stdout, sr)
	if err != nil {
		return settingErr(err)
	}
	return nil
}

// ensembleSignal builds and checks a served ensemble's confidence signal
// (config keys confidence, embed_model, embed_threshold, probe) before the
// server starts; nil is consistency.
func (a *App) ensembleSignal(ctx context.Context, lh *liveHosts, path, key string, ec serve.EnsembleConfig, p mux.Profile, ms []string, digests map[string]string) (confidence.Signal, error) {
	cf := confidenceFlags{method: ec.Confidence, embedModel: ec.EmbedModel, threshold: ec.EmbedThreshold, probe: ec.Probe, keys: configKeys}
	if cf.threshold == 0 {
		cf.threshold = confidence.DefaultThreshold
	}
	if cf.method == "" {
		cf.method = string(confidence.Consistency)
	}
	wrap := func(err error) error {
		var ue usageError
		if errors.As(err, &ue) {
			return usagef("--config %s: ensembles.%s: %w", path, key, ue.err)
		}
		return err
	}
	if err := cf.validate(); err != nil {
		return nil, wrap(err)
	}
	sig, err := a.liveSignal(ctx, lh, cf, p, ms, digests)
	return sig, wrap(err)
}
