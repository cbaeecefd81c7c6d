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
	"github.com/slmmux/slmmux/models/demo"
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
	ho := hostOptions{bk: o.bk, config: o.config, pf: o.pf, numCtx: o.sf.s.NumCtx, numThread: o.sf.s.NumThread}
	if o.startDaemon {
		c, stop, err := demo.EnsureDaemon(ctx, a.Getenv("OLLAMA_HOST"), a.Stderr)
		if err != nil {
			return err
		}
		defer stop()
		ho.ollamaURL = c.Host()
	}
	lh, err := a.openHosts(ctx, ho)
	if err != nil {
		return err
	}
	ensembles, err := a.ensembles(ctx, lh, o)
	if err != nil {
		return err
	}
	cfg := serve.Config{APIKey: o.apiKey, MaxQueue: o.maxQueue, Timeout: o.timeout, AllowOrigin: o.allowOrigin,
		Version: buildVersion(), Logger: a.log(), Probe: a.serveProbe(o.pf)}
	if cfg.Scheduler, cfg.Ensembles, err = a.schedule(ctx, lh, ensembles); err != nil {
		return err
	}
	if err := a.upstream(lh, o, &cfg); err != nil {
		return err
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
	for _, e := range cfg.Ensembles {
		names = append(names, fmt.Sprintf("%s = SLM-MUX over %s (k=%d)", e.Name, strings.Join(e.Models, ", "), e.Sampling.Samples))
	}
	fmt.Fprintf(a.Stderr, "slmmux serve: listening on http://%s; upstream %s; ensembles: %s\n", l.Addr(), cfg.Upstream, strings.Join(names, "; "))
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(l) }()
	rctx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	defer stopScheduler()
	go func() { _ = srv.Run(rctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(a.Stderr, "slmmux serve: draining in-flight requests (30 s at most)")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx) // in-flight requests finish: the scheduler still runs
	stopScheduler()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// upstream sets where requests for other models go: the flags' one host
// (whose passthrough requests the scheduler then counts), else, beside a
// pool, the Ollama daemon at OLLAMA_HOST.
func (a *App) upstream(lh *liveHosts, o serveOptions, cfg *serve.Config) error {
	h := lh.list[0]
	host := ""
	switch {
	case lh.single && h.openai != nil:
		host = h.openai.Host()
		// Requests passed through carry the server's key, not the client's.
		cfg.UpstreamOpenAI, cfg.UpstreamAPIKey = true, o.bk.apiKey(a.Getenv)
	case lh.single:
		host, cfg.PinPassthrough = h.ollama.Host(), true
	default:
		c, err := a.client()
		if err != nil {
			return err
		}
		host = c.Host()
	}
	u, err := url.Parse(host)
	cfg.Upstream = u
	return err
}

// schedule plans every ensemble's members together, with the one host's
// other installed models (passthrough requests load them too), and
// returns the scheduler that answers them all and the ensembles with the
// runner settings their requests send.
func (a *App) schedule(ctx context.Context, lh *liveHosts, es []serve.Ensemble) (*engine.Scheduler, []serve.Ensemble, error) {
	var all []string
	k := 1
	members := map[string]string{}
	for _, e := range es {
		k = max(k, e.Sampling.Samples)
		for _, m := range e.Models {
			if _, ok := members[m]; !ok {
				members[m] = e.Name
				all = append(all, m)
			}
		}
	}
	if lh.single && lh.list[0].ollama != nil {
		for _, i := range lh.list[0].Installed {
			if m := engine.CanonicalName(i.Name); !slices.Contains(all, m) {
				all = append(all, m)
			}
		}
	}
	plan, err := a.plan(ctx, lh, all, sched.Work{Items: 1, Samples: k}, true)
	if err != nil {
		return nil, nil, err
	}
	var re *engine.RefusedError
	if errors.As(plan.Err(), &re) {
		for _, r := range re.Refused {
			if e, ok := members[r.Model]; ok {
				return nil, nil, fmt.Errorf("ensemble %s: %w", e, plan.Err())
			}
		}
	}
	for i := range es {
		es[i].Sampling = lh.Sampling(plan, es[i].Sampling)
		if !lh.single {
			var parts []string
			for _, hp := range plan.Hosts {
				if on := slices.DeleteFunc(slices.Clone(hp.Models), func(m string) bool { return !slices.Contains(es[i].Models, m) }); len(on) > 0 {
					parts = append(parts, hp.Name+": "+strings.Join(on, ", "))
				}
			}
			fmt.Fprintf(a.Stderr, "slmmux serve: ensemble %s on the pool (%s)\n", es[i].Name, strings.Join(parts, "; "))
		}
	}
	return lh.NewScheduler(plan), es, nil
}

// ensembles builds the served ensembles: the config file's, else one, mux,
// from the flags: members, tie-break scores and confidence signal.
func (a *App) ensembles(ctx context.Context, lh *liveHosts, o serveOptions) ([]serve.Ensemble, error) {
	if o.config == "" {
		e, err := a.ensemble(lh, "mux", o.models, o.sf.s, mux.Paper, serve.EnsembleConfig{})
		return []serve.Ensemble{e}, err
	}
	fc, err := serve.LoadConfig(o.config)
	if err != nil {
		return nil, usageError{err}
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
		e, err := a.ensemble(lh, name, ec.Models, s, p, ec)
		if err != nil {
			return nil, err
		}
		e.Extractor, e.Adaptive, e.EmbedModel = ec.Extractor, ec.Adaptive, ec.EmbedModel
		_, digests, _ := a.resolve(lh, e.Models)
		if e.Confidence, err = a.ensembleSignal(ctx, lh, o.config, key, ec, p, e.Models, digests); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ensemble resolves one ensemble's members and tie-break scores (ec's
// val_acc, val_run, tie_break and agreement_run).
func (a *App) ensemble(lh *liveHosts, name string, want []string, s engine.Sampling, p mux.Profile, ec serve.EnsembleConfig) (serve.Ensemble, error) {
	ms, _, err := a.resolve(lh, want)
	if err != nil {
		if !lh.single {
			err = fmt.Errorf("ensemble %s: %w", name, err)
		}
		return serve.Ensemble{}, err
	}
	acc, err := ensembleTies(name, ec, ms)
	if err != nil {
		return serve.Ensemble{}, err
	}
	return serve.Ensemble{Name: name, Models: ms, Sampling: s, Profile: p, ValAcc: acc}, nil
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
