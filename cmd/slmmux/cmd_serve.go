package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/engine/serve"
)

// serveOptions are serve's flags.
type serveOptions struct {
	listen, apiKey, allowOrigin string
	config                      string
	maxQueue                    int
	timeout                     time.Duration
	startDaemon                 bool
	sf                          samplingFlags
	pf                          planFlags
	bk                          backendFlags
	models                      []string
}

func (a *App) serveCmd() *cobra.Command {
	var (
		o         = serveOptions{pf: defaultPlanFlags()}
		modelList string
	)
	cmd := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:11435]",
		Short: "Serve Ollama's and OpenAI's APIs, with SLM-MUX ensembles as models",
		Long: `serve stands in front of the Ollama daemon at OLLAMA_HOST (or one it starts, with
--start-daemon): requests for ordinary models pass through unchanged, and the
virtual model "mux" answers with SLM-MUX over --models (default: every installed
model), k = --samples samples each. Point any Ollama or OpenAI client at it:
OLLAMA_HOST=127.0.0.1:11435, or base URL http://127.0.0.1:11435/v1.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.models = splitList(modelList)
			if o.apiKey == "" {
				o.apiKey = a.Getenv("SLMMUX_API_KEY")
			}
			if err := o.validate(); err != nil {
				return err
			}
			return a.runServe(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:11435", "address to listen on (a non-loopback address needs --api-key)")
	f.StringVar(&o.apiKey, "api-key", "", "require Authorization: Bearer KEY (default: $SLMMUX_API_KEY)")
	f.StringVar(&o.allowOrigin, "allow-origin", "", "CORS: the origin browsers may call from (default: none)")
	f.IntVar(&o.maxQueue, "max-queue", 512, "ensemble requests that may wait; past it 503 with Retry-After")
	f.DurationVar(&o.timeout, "timeout", 0, "deadline of one ensemble request (0: none)")
	f.BoolVar(&o.startDaemon, "start-daemon", false, "start a daemon of its own when none answers (as demo does)")
	f.StringVar(&o.config, "config", "", "YAML file naming the ensembles (schema in the README); without it one ensemble, mux, from --models and the sampling flags")
	f.StringVar(&modelList, "models", "", "the ensemble's members (default: every installed model)")
	o.sf.register(f, 3)
	o.pf.register(f)
	o.bk.register(f)
	return cmd
}

func (o *serveOptions) validate() error {
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return usagef("--listen %q: want host:port, e.g. 127.0.0.1:11435", o.listen)
	}
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" && o.apiKey == "" {
		return usagef("--listen %s is not a loopback address: set --api-key (or SLMMUX_API_KEY) so that only clients with the key are served", o.listen)
	}
	if o.maxQueue < 1 || o.maxQueue > 1<<20 {
		return usagef("--max-queue %d: must be 1 to %d", o.maxQueue, 1<<20)
	}
	if o.timeout < 0 {
		return usagef("--timeout %v: must not be negative", o.timeout)
	}
	if err := o.sf.validate(); err != nil {
		return err
	}
	if err := o.bk.validate(); err != nil {
		return err
	}
	if o.bk.openAI() && o.startDaemon {
		return usagef("--start-daemon starts an Ollama daemon: not with --backend openai (start the server yourself)")
	}
	return o.pf.validate()
}

func (a *App) runServe(ctx context.Context, o serveOptions) error {
	b, err := a.backend(o.bk)
	stop := func() {}
	if err == nil && o.startDaemon {
		b.ollama, stop, err = a.ensureDaemon(ctx)
	}
	if err != nil {
		return err
	}
	defer stop()
	ensembles, err := a.ensembles(ctx, b, o)
	if err != nil {
		return err
	}
	slots := o.pf.slots
	if b.openai != nil {
		slots = b.openai.MaxConcurrency()
	}
	eng, err := engine.New(engine.Config{Generator: b.gen(), Slots: slots, Logger: a.log()})
	if err != nil {
		return err
	}
	up, err := url.Parse(b.host())
	if err != nil {
		return err
	}
	cfg := serve.Config{Upstream: up, Engine: eng, APIKey: o.apiKey, MaxQueue: o.maxQueue,
		Timeout: o.timeout, AllowOrigin: o.allowOrigin, Version: buildVersion(), Logger: a.log(), Ensembles: ensembles,
		Probe: a.serveProbe(o.pf)}
	if b.openai != nil {
		// Requests passed through carry the server's key, not the client's.
		cfg.UpstreamOpenAI, cfg.UpstreamAPIKey = true, o.bk.apiKey(a.Getenv)
	}
	srv, err := serve.New(cfg)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usagef("--listen %s: %w", o.listen, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	var names []string
	for _, e := range ensembles {
		names = append(names, fmt.Sprintf("%s = SLM-MUX over %s (k=%d)", e.Name, strings.Join(e.Models, ", "), e.Sampling.Samples))
	}
	fmt.Fprintf(a.Stderr, "slmmux serve: listening on http://%s; upstream %s; ensembles: %s\n", l.Addr(), b.host(), strings.Join(names, "; "))
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(l) }()
	rctx, stopRounds := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRounds()
	go func() { _ = srv.Run(rctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(a.Stderr, "slmmux serve: draining in-flight requests (30 s at most)")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx) // in-flight requests finish: the dispatcher still runs
	stopRounds()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// ensembles builds the served ensembles: the config file's, else one, mux,
// from the flags. Each gets its own memory plan over its members.
func (a *App) ensembles(ctx context.Context, c *liveBackend, o serveOptions) ([]serve.Ensemble, error) {
	if o.config == "" {
		e, err := a.ensemble(ctx, c, o.pf, "mux", o.models, o.sf.s, mux.Paper, serve.EnsembleConfig{})
		return []serve.Ensemble{e}, err
	}
	fc, err := serve.LoadConfig(o.config)
	if err != nil {
		return nil, usageError{err}
	}
	build := func(name string, want []string, s engine.Sampling, p mux.Profile, ec serve.EnsembleConfig) (serve.Ensemble, error) {
		return a.ensemble(ctx, c, o.pf, name, want, s, p, ec)
	}
	if len(fc.Backends) > 0 {
		if build, err = a.poolEnsembles(ctx, o, fc.Backends); err != nil {
			return nil, err
		}
	}
	var out []serve.Ensemble
	for _, key := range sortedNames(fc.Ensembles) {
		ec := fc.Ensembles[key]
		name, _ := serve.EnsembleName(key)
		s := engine.Sampling{Samples: 3, Temperature: 0.3, NumPredict: ec.NumPredict, Seed: ec.Seed}
		if ec.Samples != 0 {
			s.Samples = ec.Samples
		}
		if ec.Temperature != nil {
			s.Temperature = *ec.Temperature
		}
		if err := s.Validate(); err != nil {
			return nil, usagef("--config %s: ensembles.%s: %w", o.config, key, err)
		}
		p, err := mux.ParseProfile(ec.Profile)
		if err != nil {
			return nil, usagef("--config %s: ensembles.%s.profile: %w", o.config, key, err)
		}
		e, err := build(name, ec.Models, s, p, ec)
		if err != nil {
			return nil, err
		}
		e.Extractor, e.Adaptive = ec.Extractor, ec.Adaptive
		if e.Confidence, err = a.ensembleSignal(ctx, c, o.config, key, ec, p, e.Models); err != nil {
			return nil, err
		}
		e.EmbedModel = ec.EmbedModel
		out = append(out, e)
	}
	return out, nil
}

// ensemble resolves one ensemble's members, tie-break scores (ec's
// val_acc, val_run, tie_break and agreement_run) and plan.
func (a *App) ensemble(ctx context.Context, c *liveBackend, pf planFlags, name string, want []string, s engine.Sampling, p mux.Profile, ec serve.EnsembleConfig) (serve.Ensemble, error) {
	ms, _, err := c.resolveModels(ctx, want)
	if err != nil {
		return serve.Ensemble{}, err
	}
	acc, err := ensembleTies(name, ec, ms)
	if err != nil {
		return serve.Ensemble{}, err
	}
	plan, s, err := a.plan(ctx, c, pf, ms, s, sched.Work{Items: 1, Samples: s.Samples})
	if err != nil {
		return serve.Ensemble{}, err
	}
	return serve.Ensemble{Name: name, Models: ms, Sampling: s, Profile: p, ValAcc: acc,
		Waves: plan.ModelWaves(), WaveDone: plan.WaveDone}, nil
}

// ensembleTies is an ensemble's tie-break scores: validation accuracies
// (val_acc, or measured on val_run), agreement estimated on agreement_run,
// or none (model order), as its tie_break says.
func ensembleTies(name string, ec serve.EnsembleConfig, ms []string) (map[string]float64, error) {
	acc := ec.ValAcc
	var err error
	if ec.ValRun != "" {
		if acc, err = engine.ValAcc(ec.ValRun, ms); err != nil {
			return nil, fmt.Errorf("ensemble %s: val_run: %w", name, err)
		}
	}
	switch ec.Tie() {
	case mux.TieAgreement:
		return agreementScores("ensemble "+name+": agreement_run", ec.AgreementRun, ms)
	case mux.TieOrder:
		return nil, nil
	}
	return acc, nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
