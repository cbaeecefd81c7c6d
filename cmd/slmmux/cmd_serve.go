package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
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
	bodyTimeout, idleTimeout    time.Duration
	allowHosts                  []string
	noModelAdmin                bool
	startDaemon                 bool
	sf                          samplingFlags
	pf                          planFlags
	bk                          backendFlags
	wf                          waitFlags
	models                      []string
}

func (a *App) serveCmd() *cobra.Command {
	var (
		o         = serveOptions{pf: defaultPlanFlags(), wf: defaultWaitFlags()}
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
	f.StringArrayVar(&o.allowHosts, "allow-host", nil, "on a loopback --listen, also answer requests whose Host is NAME (repeatable; IP literals and localhost always)")
	f.BoolVar(&o.noModelAdmin, "no-model-admin", false, "refuse the daemon's model management (pull, push, create, copy, delete, blobs) with 403")
	f.DurationVar(&o.bodyTimeout, "body-timeout", time.Minute, "a request body must arrive within this, else 408 (0: no bound)")
	f.DurationVar(&o.idleTimeout, "idle-timeout", time.Minute, "close a keep-alive connection idle this long (0: never)")
	f.IntVar(&o.maxQueue, "max-queue", 512, "ensemble requests that may wait; past it 503 with Retry-After")
	f.DurationVar(&o.timeout, "timeout", 0, "deadline of one ensemble request (0: none)")
	f.BoolVar(&o.startDaemon, "start-daemon", false, "start a daemon of its own when none answers (as demo does)")
	f.StringVar(&o.config, "config", "", "YAML file naming the ensembles (schema in docs/serve.md); without it one ensemble, mux, from --models and the sampling flags")
	f.StringVar(&modelList, "models", "", "the ensemble's members (default: every installed model)")
	o.sf.register(f, 3)
	o.pf.register(f)
	o.bk.register(f)
	o.wf.register(f)
	return cmd
}

// loopbackListen says whether listen (host:port) is a loopback address.
func loopbackListen(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	ip := net.ParseIP(host)
	return err == nil && (ip != nil && ip.IsLoopback() || host == "localhost")
}

func (o *serveOptions) validate() error {
	if err := o.wf.validate(); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return usagef("--listen %q: want host:port, e.g. 127.0.0.1:11435", o.listen)
	}
	if !loopbackListen(o.listen) && o.apiKey == "" {
		return usagef("--listen %s is not a loopback address: set --api-key (or SLMMUX_API_KEY) so that only clients with the key are served", o.listen)
	}
	if o.maxQueue < 1 || o.maxQueue > 1<<20 {
		return usagef("--max-queue %d: must be 1 to %d", o.maxQueue, 1<<20)
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"--timeout", o.timeout}, {"--body-timeout", o.bodyTimeout}, {"--idle-timeout", o.idleTimeout}} {
		if f.d < 0 {
			return usagef("%s %v: must not be negative", f.name, f.d)
		}
	}
	for _, h := range o.allowHosts {
		if h == "" || strings.ContainsAny(h, ":/[] ") {
			return usagef("--allow-host %q: want a host name without scheme or port, e.g. myhost.example", h)
		}
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
	ho := hostOptions{bk: o.bk, config: o.config, pf: o.pf, numCtx: o.sf.s.NumCtx, numThread: o.sf.s.NumThread, callTimeout: o.wf.daemonWait}
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
		RequestTimeout: o.wf.requestTimeout, BackendWait: max(o.wf.daemonWait, time.Nanosecond),
		CheckHost: loopbackListen(o.listen), AllowHosts: o.allowHosts, HostHint: "start serve with --allow-host NAME to answer that name",
		BodyTimeout: o.bodyTimeout, NoModelAdmin: o.noModelAdmin,
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
	var names []string
	for _, e := range cfg.Ensembles {
		names = append(names, fmt.Sprintf("%s = SLM-MUX over %s (k=%d)", e.Name, strings.Join(e.Models, ", "), e.Sampling.Samples))
	}
	fmt.Fprintf(a.Stderr, "slmmux serve: listening on http://%s; upstream %s; ensembles: %s\n", l.Addr(), cfg.Upstream, strings.Join(names, "; "))
	return srv.Serve(ctx, l, serve.HTTPConfig{IdleTimeout: o.idleTimeout, DrainTimeout: drainTimeout,
		Draining: func() {
			fmt.Fprintf(a.Stderr, "slmmux serve: draining in-flight requests (%v at most)\n", drainTimeout)
		},
		Cut: func(n int) {
			fmt.Fprintf(a.Stderr, "slmmux serve: the drain reached its %v bound: %d waiting requests answered 503 with Retry-After\n", drainTimeout, n)
		}})
}

// drainTimeout bounds serve's drain at shutdown (a variable for tests).
var drainTimeout = 30 * time.Second

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
	all, k := serve.Members(es)
	if lh.single && lh.list[0].ollama != nil {
		all = serve.WithInstalled(all, lh.list[0].Installed)
	}
	plan, err := a.plan(ctx, lh, all, sched.Work{Items: 1, Samples: k}, true)
	if err != nil {
		return nil, nil, err
	}
	if err := serve.Refused(es, plan.Err()); err != nil {
		return nil, nil, err
	}
	for i := range es {
		es[i].Sampling = lh.Sampling(plan, es[i].Sampling)
		if !lh.single {
			fmt.Fprintf(a.Stderr, "slmmux serve: ensemble %s on the pool (%s)\n", es[i].Name, es[i].Placement(plan))
		}
	}
	return lh.NewScheduler(plan), es, nil
}

// ensembles builds the served ensembles: the config file's
// (serve.FromConfig), else one, mux, from the flags; their members,
// tie-break scores and confidence signals.
func (a *App) ensembles(ctx context.Context, lh *liveHosts, o serveOptions) ([]serve.Ensemble, error) {
	if o.config == "" {
		e, _, err := a.ensemble(lh, serve.Ensemble{Name: "mux", Models: o.models, Sampling: o.sf.s, Profile: mux.Paper}, serve.EnsembleConfig{})
		return []serve.Ensemble{e}, err
	}
	fc, err := serve.LoadConfig(o.config)
	if err != nil {
		return nil, usagef("--config: %w", err)
	}
	cs, err := serve.FromFile(fc)
	if err != nil {
		return nil, usagef("--config %s: %w", o.config, err)
	}
	var out []serve.Ensemble
	for _, c := range cs {
		e, digests, err := a.ensemble(lh, c.Ensemble, c.Config)
		if err != nil {
			return nil, err
		}
		if e.Confidence, err = a.ensembleSignal(ctx, lh, o.config, c.Key, c.Config, e.Profile, e.Models, digests); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ensemble resolves e's members on the hosts and sets them
// (serve.Ensemble.SetMembers: its discussion's settings, its tie-break
// scores); it also returns the members' digests.
func (a *App) ensemble(lh *liveHosts, e serve.Ensemble, ec serve.EnsembleConfig) (serve.Ensemble, map[string]string, error) {
	ms, digests, err := a.resolve(lh, e.Models)
	if err != nil {
		if !lh.single {
			err = fmt.Errorf("ensemble %s: %w", e.Name, err)
		}
		return serve.Ensemble{}, nil, err
	}
	if err := e.SetMembers(ms, ec); err != nil {
		return serve.Ensemble{}, nil, err
	}
	return e, digests, nil
}
