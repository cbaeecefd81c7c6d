package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/config"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/hardware"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/openai"
)

// Every live command (ask, eval, plan, calibrate, demo, serve) runs on a
// list of hosts: --config's backends, else the one server the backend
// flags and OLLAMA_HOST name (a list of one). There is one way in
// (openHosts), one resolver, one planner entry.

// configHelp is --config's help on ask, eval and plan.
const configHelp = "YAML config file (as serve's); its backends: list runs the models on a pool of hosts (schema in docs/pool.md)"

// hostOptions are the settings the hosts are opened with.
type hostOptions struct {
	bk                backendFlags
	ollamaURL         string // the flags' daemon ("": OLLAMA_HOST)
	config            string // --config ("" none)
	pf                planFlags
	numCtx, numThread int
	assumeEmpty       bool          // plan: as if nothing were loaded
	callTimeout       time.Duration // bounds each start-up call (0: callTimeout's)
}

// openedHost is one host opened for a live command: the engine's host and
// what messages and plan show.
type openedHost struct {
	engine.Host
	backend      config.Backend
	budgetSource string // given, probed, slmmux probe, none (the server's own)
	who          string // "the Ollama daemon at HOST", for messages
	ollama       *ollama.Client
	openai       *openai.Client
}

// liveHosts are a live command's hosts.
type liveHosts struct {
	*engine.Hosts
	list []openedHost
	o    hostOptions
	// single: one host from the flags, not --config; messages then speak
	// of that server, as they always have.
	single bool
}

// backendList is --config's backends, else the one backend the flags name.
func (a *App) backendList(o hostOptions) ([]config.Backend, bool, error) {
	if o.config != "" {
		c, err := config.Load(o.config)
		if err != nil {
			return nil, false, usagef("--config: %w", err)
		}
		if len(c.Backends) > 0 {
			if len(o.pf.footprints) > 0 {
				return nil, false, usagef("--footprint plans without a daemon: with --config backends each host is asked, so drop --footprint")
			}
			return c.Backends, false, nil
		}
	}
	if o.bk.openAI() {
		return []config.Backend{{Name: "openai", Kind: config.KindOpenAI, URL: o.bk.baseURL, APIKeyEnv: o.bk.apiKeyEnv,
			MaxConcurrency: o.bk.maxConcurrency}}, true, nil
	}
	url := o.ollamaURL
	if url == "" {
		url = a.Getenv("OLLAMA_HOST")
	}
	return []config.Backend{{Name: "local", Kind: config.KindOllama, URL: url}}, true, nil
}

// openHosts opens every host: its client, its installed models and its
// memory budget. A pool host that cannot be reached is left out with a
// warning (its models run elsewhere or are reported missing); none
// reachable is an error. The one host of the flags fails as it is.
func (a *App) openHosts(ctx context.Context, o hostOptions) (*liveHosts, error) {
	bs, single, err := a.backendList(o)
	if err != nil {
		return nil, err
	}
	if o.callTimeout == 0 {
		if o.callTimeout, err = a.callTimeout(); err != nil {
			return nil, err
		}
	}
	lh := &liveHosts{single: single, o: o}
	var lastErr error
	local := &localProbe{}
	for i, b := range bs {
		h, err := a.openHost(ctx, i, b, o, local, single)
		if !single && errors.Is(err, models.ErrUnavailable) {
			fmt.Fprintf(a.Stderr, "host %s (%s) is unreachable, left out of this run: %v\n", b.Name, b.URL, err)
			lastErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		lh.list = append(lh.list, h)
	}
	if len(lh.list) == 0 {
		return nil, fmt.Errorf("no host of the pool answers (the last: %w)", lastErr)
	}
	eh := make([]engine.Host, len(lh.list))
	for i, h := range lh.list {
		eh[i] = h.Host
	}
	lh.Hosts, err = engine.NewHosts(eh, a.log())
	return lh, err
}

// isLocal reports whether a backend runs on this machine (its budget is
// then probed here); a test seam.
var isLocal = config.Backend.Loopback

// localProbe probes this machine once, for every local host.
type localProbe struct {
	info *hardware.Info
}

func (l *localProbe) get(ctx context.Context) (hardware.Info, error) {
	if l.info == nil {
		info, err := hardware.Probe(ctx, hardware.DefaultConfig())
		if err != nil {
			return info, err
		}
		l.info = &info
	}
	return *l.info, nil
}

func (a *App) openHost(ctx context.Context, i int, b config.Backend, o hostOptions, local *localProbe, single bool) (openedHost, error) {
	if b.Kind == config.KindOpenAI {
		return a.openaiHost(ctx, b, single, o.callTimeout)
	}
	key := ""
	if b.APIKeyEnv != "" {
		if key = a.Getenv(b.APIKeyEnv); key == "" {
			return openedHost{}, usagef("--config: backends[%d] (%s).api_key_env: $%s is empty: export the host's key in it", i, b.Name, b.APIKeyEnv)
		}
	}
	c, err := ollama.New(ollama.Config{Host: b.URL, APIKey: key, CallTimeout: o.callTimeout})
	if err != nil {
		if single {
			return openedHost{}, err
		}
		return openedHost{}, usagef("--config: backends[%d] (%s).url: %w", i, b.Name, err)
	}
	h, err := a.ollamaHost(ctx, c, b, o, single)
	if err != nil {
		return h, err
	}
	if err := a.hostBudget(ctx, i, &h, o, local, single); err != nil {
		return openedHost{}, err
	}
	return h, nil
}

// ollamaHost opens an Ollama daemon's host: its installed models and the
// plan settings (without the budget).
func (a *App) ollamaHost(ctx context.Context, c *ollama.Client, b config.Backend, o hostOptions, single bool) (openedHost, error) {
	installed, err := c.Installed(ctx)
	if err != nil {
		if single {
			return openedHost{}, err
		}
		return openedHost{}, fmt.Errorf("host %s (%s): %w", b.Name, b.URL, err)
	}
	slots := o.pf.slots
	if b.MaxConcurrency > 0 {
		slots = b.MaxConcurrency
	}
	h := openedHost{backend: b, ollama: c, who: "the Ollama daemon at " + c.Host(), Host: engine.Host{Name: b.Name, Generator: c, Inventory: c,
		Installed: installed, Slots: slots, Plan: engine.PlanConfig{MaxLoaded: o.pf.maxLoaded, Slots: slots, NumCtx: o.numCtx,
			NumThread: o.numThread, CachePath: a.footprintCachePath(), AssumeEmpty: o.assumeEmpty, KVCacheType: o.pf.kvCache}}}
	if !single {
		h.who = "host " + b.Name + " " + c.Host()
	} else {
		h.Plan.Footprints = o.pf.given // none without --footprint
	}
	if v, err := c.Version(ctx); err == nil {
		h.Version = "ollama " + v
	}
	h.Waiting = a.waiting(h.who)
	return h, nil
}

// hostBudget sets an Ollama host's memory budget: the config's budget,
// --budget on this machine, else this machine's probe for a local host
// (and for the flags' one host, as always), else the remote host's
// `slmmux serve` probe route.
func (a *App) hostBudget(ctx context.Context, i int, h *openedHost, o hostOptions, local *localProbe, single bool) error {
	cfg, b := &h.Plan, h.backend
	switch {
	case b.BudgetBytes > 0:
		cfg.BudgetBytes, h.budgetSource = b.BudgetBytes, "given"
	case single || isLocal(b):
		// The probe gives the budget, or the cores the automatic thread
		// count shares out: skipped when --budget and --threads give both.
		if o.pf.budget == "" || o.numThread == 0 {
			info, err := local.get(ctx)
			if err != nil {
				return err
			}
			cfg.PhysicalCores, cfg.HasGPU = info.CPU.PhysicalCores, len(info.GPUs) > 0
			cfg.BudgetBytes, h.budgetSource = info.BudgetBytes(o.pf.margin), "probed (this machine)"
		}
		if o.pf.budget != "" {
			cfg.BudgetBytes = o.pf.budgetBytes
			h.budgetSource = "--budget"
		}
	default:
		p, err := serve.RemoteProbe(ctx, h.ollama.HTTPClient(), h.ollama.Host())
		if errors.As(err, new(*serve.ProbeStatusError)) {
			err = fmt.Errorf("%w (it is not slmmux serve)", err)
		}
		if err != nil {
			return usagef("--config: backends[%d] (%s), line %d: no budget: %w; give one, e.g. budget: 24GiB", i, b.Name, b.Line, err)
		}
		cfg.BudgetBytes, cfg.PhysicalCores, cfg.HasGPU = p.BudgetBytes, p.PhysicalCores, p.GPUs > 0
		h.budgetSource = "the host's " + serve.ProbePath
	}
	return nil
}

// openaiHost opens an OpenAI-compatible server: its client is the host's
// Generator, with no Inventory (such a server manages its own memory: all
// its models run in one wave, the client bounding the requests in flight).
// The client reads the key from api_key_env itself.
func (a *App) openaiHost(ctx context.Context, b config.Backend, single bool, calls time.Duration) (openedHost, error) {
	c, err := openai.New(openai.Config{BaseURL: b.URL, APIKeyEnv: b.APIKeyEnv, Getenv: a.Getenv,
		MaxConcurrency: b.MaxConcurrency, CallTimeout: calls}) // 0: openai.DefaultMaxConcurrency, 30 s
	if err != nil {
		if single {
			return openedHost{}, usagef("--base-url: %w", err)
		}
		return openedHost{}, usagef("--config: backend %s (line %d): %w", b.Name, b.Line, err)
	}
	h := openedHost{backend: b, budgetSource: "none (the server's own)", openai: c, who: "the OpenAI-compatible server at " + c.Host()}
	if !single {
		h.who = "host " + b.Name + " " + c.Host()
	}
	installed, err := c.Installed(ctx) // its /v1/models
	if err != nil {
		if single {
			return openedHost{}, err
		}
		return openedHost{}, fmt.Errorf("host %s (%s): %w", b.Name, b.URL, err)
	}
	h.Host = engine.Host{Name: b.Name, Generator: c, Installed: installed, Slots: c.MaxConcurrency(), Waiting: a.waiting(h.who),
		TopP: models.Float(openai.DefaultTopP)} // what is sent; run.json records it
	return h, nil
}

// resolve is --models over the hosts (engine.ResolveModels): every model
// some host has when want is empty (sorted), else want as canonical
// names; each model's digest is the first host's that has it. On the
// flags' one host a wanted model it lacks fails at once, saying what it
// has; on a pool, placing the models does (engine.Assign). A model whose
// size differs between hosts is warned about: its samples then depend on
// the host.
func (a *App) resolve(lh *liveHosts, want []string) ([]string, map[string]string, error) {
	r := lh.Resolve(want)
	for _, d := range r.Differ {
		fmt.Fprintf(a.Stderr, "warning: model %s differs between hosts (%s on %s, %s on %s): its samples depend on where it runs\n", d.Model, models.FormatBytes(d.FirstSize), d.First, models.FormatBytes(d.OtherSize), d.Other)
	}
	if len(want) == 0 {
		for _, u := range r.Unusable {
			a.log().Info("left out of the default models", "model", u.Model, "host", u.Host, "remote_host", u.RemoteHost, "capabilities", u.Capabilities)
		}
	}
	switch {
	case len(r.Refused) > 0:
		return nil, nil, usageError{&engine.UnusableModelError{Models: r.Refused}}
	case len(want) == 0 && len(r.All) == 0:
		return nil, nil, lh.noModels(r.Unusable)
	case len(r.Missing) > 0 && lh.single:
		return nil, nil, lh.notInstalled(r.Missing[0], r.All)
	}
	return r.Names, r.Digests, nil
}

// noModels is the error for hosts without a model slmmux runs.
func (lh *liveHosts) noModels(unusable []engine.UnusableModel) error {
	h := lh.list[0]
	if len(unusable) > 0 {
		names := make([]string, len(unusable))
		for i, u := range unusable {
			names[i] = u.Model
		}
		what := "the daemon has"
		if !lh.single {
			what = "the pool's hosts have"
		}
		return fmt.Errorf("%w: %s no local model that generates text (left out: %s: cloud models send prompts off the machine, embedding-only models cannot answer); `ollama pull NAME` or `slmmux models import FILE.gguf --name NAME`",
			models.ErrModelNotInstalled, what, strings.Join(names, ", "))
	}
	switch {
	case !lh.single:
		return fmt.Errorf("%w: no host of the pool has a model", engine.ErrNoModels)
	case h.openai != nil:
		return notServedError{fmt.Sprintf("%v: %s serves no model (GET /v1/models lists none)", models.ErrModelNotInstalled, h.who)}
	}
	return fmt.Errorf("%w: the daemon has no models; `ollama pull NAME` or `slmmux models import FILE.gguf --name NAME`", models.ErrModelNotInstalled)
}

// notInstalled is the error for a model the one host lacks.
func (lh *liveHosts) notInstalled(m string, have []string) error {
	h := lh.list[0]
	if h.openai != nil {
		return notServedError{fmt.Sprintf("%v: %q is not served by %s (GET /v1/models lists: %s)", models.ErrModelNotInstalled, m, h.who, strings.Join(have, ", "))}
	}
	return fmt.Errorf("%w: %q is not in the daemon at %s (installed: %s); `ollama pull %s`, or `slmmux models import FILE.gguf --name %s`",
		models.ErrModelNotInstalled, m, h.ollama.Host(), strings.Join(have, ", "), m, m)
}

// plan places ms on the hosts and plans each host's memory; refused
// models are an error unless keepRefused (plan shows them).
func (a *App) plan(ctx context.Context, lh *liveHosts, ms []string, work sched.Work, keepRefused bool) (*engine.HostsPlan, error) {
	if err := lh.CheckContext(ctx, ms, lh.o.numCtx); err != nil {
		var ce *engine.ContextError
		if errors.As(err, &ce) {
			where := " on host " + ce.Host
			if lh.single {
				where = ""
			}
			return nil, usagef("--num-ctx %d: model %s has a context of %d tokens%s: give --num-ctx %d or less (or leave it unset)",
				ce.NumCtx, ce.Model, ce.ContextLength, where, ce.ContextLength)
		}
		return nil, err
	}
	plan, err := lh.Plan(ctx, ms, work)
	if err != nil {
		return nil, settingErr(err)
	}
	if err := plan.Err(); err != nil && !keepRefused {
		return nil, err
	}
	for _, hp := range plan.Hosts {
		if hp.Plan == nil {
			continue
		}
		where := "on host " + hp.Name + ": "
		if lh.single {
			where = ""
		}
		hp.Plan.Evicted = func(m string) {
			fmt.Fprintf(a.Stderr, "thrashing: %s%s was no longer loaded at the end of its wave (evicted by the daemon): lower --max-loaded to the daemon's OLLAMA_MAX_LOADED_MODELS or give a smaller --budget\n", where, m)
		}
		a.log().Info("plan", "host", hp.Name, "waves", len(hp.Plan.Waves), "budget_bytes", hp.Plan.Budget.Bytes, "loads", hp.Plan.Loads,
			"num_ctx", hp.Plan.Settings.NumCtx, "num_thread", hp.Plan.NumThread)
	}
	return plan, nil
}

// noteNoPlan says, on the flags' one OpenAI-compatible server, that no
// memory plan applies (ask, eval, serve).
func (a *App) noteNoPlan(lh *liveHosts, n int) {
	if h := lh.list[0]; lh.single && h.openai != nil {
		fmt.Fprintln(a.Stderr, noPlanLine(h.who, n, h.openai.MaxConcurrency()))
	}
}

// noPlanLine is the one line that says memory planning does not apply.
func noPlanLine(who string, models, maxConcurrency int) string {
	return fmt.Sprintf("memory planning does not apply to %s (it manages its own memory): all %d model(s) run at once, at most %d request(s) in flight (--max-concurrency)",
		who, models, maxConcurrency)
}

// serveProbe answers serve's probe route from this machine's hardware.
func (a *App) serveProbe(pf planFlags) serve.ProbeFunc {
	return func(ctx context.Context) (serve.Probe, error) {
		info, err := hardware.Probe(ctx, hardware.DefaultConfig())
		if err != nil {
			return serve.Probe{}, err
		}
		p := serve.Probe{BudgetBytes: info.BudgetBytes(pf.margin), TotalBytes: info.Memory.TotalBytes,
			AvailableBytes: info.Memory.AvailableBytes, GPUs: len(info.GPUs), PhysicalCores: info.CPU.PhysicalCores}
		if pf.budget != "" {
			p.BudgetBytes = pf.budgetBytes
		}
		return p, nil
	}
}
