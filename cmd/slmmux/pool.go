package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/config"
	"github.com/slmmux/slmmux/engine/serve"
	"github.com/slmmux/slmmux/hardware"
	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/openai"
)

// configHelp is --config's help on ask, eval and plan.
const configHelp = "YAML config file (as serve's); its backends: list runs the models on a pool of hosts (schema in the README)"

// backends reads --config's backends: list; none (nil) means the one
// daemon at OLLAMA_HOST.
func (a *App) backends(path string) ([]config.Backend, error) {
	if path == "" {
		return nil, nil
	}
	c, err := config.Load(path)
	if err != nil {
		return nil, usageError{err}
	}
	return c.Backends, nil
}

// poolHost is one opened backend: the engine's host and what plan shows.
type poolHost struct {
	engine.PoolHost
	backend      config.Backend
	budgetSource string // given, probed, slmmux probe, none (the server's own)
}

// poolOptions are the settings a pool's hosts are opened with.
type poolOptions struct {
	pf                planFlags
	numCtx, numThread int
	assumeEmpty       bool // plan: as if nothing were loaded
}

// openPool opens every backend: its client, its installed models and its
// memory budget. A host that cannot be reached is left out with a warning
// (its models run elsewhere or are reported missing); none reachable is an
// error.
func (a *App) openPool(ctx context.Context, bs []config.Backend, po poolOptions) (*engine.Pool, []poolHost, error) {
	if len(po.pf.footprints) > 0 {
		return nil, nil, usagef("--footprint plans without a daemon: with --config backends each host is asked, so drop --footprint")
	}
	var hosts []poolHost
	var lastErr error
	local := &localProbe{}
	for i, b := range bs {
		h, err := a.openHost(ctx, i, b, po, local)
		if errors.Is(err, models.ErrUnavailable) {
			fmt.Fprintf(a.Stderr, "host %s (%s) is unreachable, left out of this run: %v\n", b.Name, b.URL, err)
			lastErr = err
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		hosts = append(hosts, h)
	}
	if len(hosts) == 0 {
		return nil, nil, fmt.Errorf("no host of the pool answers (the last: %w)", lastErr)
	}
	eh := make([]engine.PoolHost, len(hosts))
	for i, h := range hosts {
		eh[i] = h.PoolHost
	}
	p, err := engine.NewPool(eh, a.log())
	return p, hosts, err
}

// isLocal reports whether a backend runs on this machine (its budget is
// then probed here); a test seam.
var isLocal = config.Backend.Loopback

// localProbe probes this machine once, for every loopback host.
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

func (a *App) openHost(ctx context.Context, i int, b config.Backend, po poolOptions, local *localProbe) (poolHost, error) {
	hc := http.DefaultClient
	if b.APIKeyEnv != "" {
		key := a.Getenv(b.APIKeyEnv)
		if key == "" {
			return poolHost{}, usagef("--config: backends[%d] (%s).api_key_env: $%s is empty: export the host's key in it", i, b.Name, b.APIKeyEnv)
		}
		hc = &http.Client{Transport: bearer{key: key, next: http.DefaultTransport}}
	}
	if b.Kind == config.KindOpenAI {
		return a.openaiHost(ctx, b)
	}
	c, err := ollama.New(ollama.Config{Host: b.URL, HTTPClient: hc})
	if err != nil {
		return poolHost{}, usagef("--config: backends[%d] (%s).url: %w", i, b.Name, err)
	}
	installed, err := c.Installed(ctx)
	if err != nil {
		return poolHost{}, fmt.Errorf("host %s (%s): %w", b.Name, b.URL, err)
	}
	slots := po.pf.slots
	if b.MaxConcurrency > 0 {
		slots = b.MaxConcurrency
	}
	cfg := engine.PlanConfig{MaxLoaded: po.pf.maxLoaded, Slots: slots, NumCtx: po.numCtx, NumThread: po.numThread,
		CachePath: a.footprintCachePath(), AssumeEmpty: po.assumeEmpty}
	h := poolHost{backend: b, PoolHost: engine.PoolHost{Name: b.Name, Generator: c, Inventory: c, Installed: installed,
		Slots: slots, Waiting: a.waiting(b.Name + " " + c.Host())}}
	switch {
	case b.BudgetBytes > 0:
		cfg.BudgetBytes, h.budgetSource = b.BudgetBytes, "given"
	case isLocal(b):
		info, err := local.get(ctx)
		if err != nil {
			return poolHost{}, err
		}
		cfg.PhysicalCores, cfg.HasGPU = info.CPU.PhysicalCores, len(info.GPUs) > 0
		cfg.BudgetBytes, h.budgetSource = info.BudgetBytes(po.pf.margin), "probed (this machine)"
		if po.pf.budget != "" {
			cfg.BudgetBytes, _ = parseBytes(po.pf.budget) // validated
			h.budgetSource = "--budget"
		}
	default:
		p, err := remoteProbe(ctx, hc, c.Host())
		if err != nil {
			return poolHost{}, usagef("--config: backends[%d] (%s), line %d: no budget: %w; give one, e.g. budget: 24GiB", i, b.Name, b.Line, err)
		}
		cfg.BudgetBytes, cfg.PhysicalCores, cfg.HasGPU = p.BudgetBytes, p.PhysicalCores, p.GPUs > 0
		h.budgetSource = "the host's " + serve.ProbePath
	}
	h.Plan = cfg
	return h, nil
}

// openaiHost opens a kind: openai backend: its client is the host's
// Generator, with no Inventory (such a server manages its own memory: all
// its models run in one wave, the client bounding the requests in flight).
// The client reads the key from api_key_env itself.
func (a *App) openaiHost(ctx context.Context, b config.Backend) (poolHost, error) {
	c, err := openai.New(openai.Config{BaseURL: b.URL, APIKeyEnv: b.APIKeyEnv, Getenv: a.Getenv,
		MaxConcurrency: b.MaxConcurrency}) // 0: openai.DefaultMaxConcurrency
	if err != nil {
		return poolHost{}, usagef("--config: backend %s (line %d): %w", b.Name, b.Line, err)
	}
	installed, err := c.Installed(ctx) // its /v1/models
	if err != nil {
		return poolHost{}, fmt.Errorf("host %s (%s): %w", b.Name, b.URL, err)
	}
	return poolHost{backend: b, budgetSource: "none (the server's own)", PoolHost: engine.PoolHost{
		Name: b.Name, Generator: c, Installed: installed, Slots: c.MaxConcurrency(),
		Waiting: a.waiting(b.Name + " " + c.Host())}}, nil
}

// bearer adds "Authorization: Bearer KEY" to every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}

// remoteProbe reads a host's budget from slmmux serve's probe route.
func remoteProbe(ctx context.Context, hc *http.Client, base string) (serve.Probe, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var p serve.Probe
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+serve.ProbePath, nil)
	if err != nil {
		return p, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return p, fmt.Errorf("%s answers no %s (%w)", base, serve.ProbePath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("%s answers %s to %s (it is not slmmux serve)", base, resp.Status, serve.ProbePath)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&p); err != nil || p.BudgetBytes == 0 {
		return p, fmt.Errorf("%s: %s gave no budget_bytes (%v)", base, serve.ProbePath, err)
	}
	return p, nil
}

// poolModels is --models over a pool: every model some host has when
// want is empty (sorted), else want as canonical names; each model's
// digest is the first host's that has it. A model whose size differs
// between hosts is warned about: its samples then depend on the host.
// (Digests are not compared: a model created from the same file on two
// daemons gets two manifest digests.)
func (a *App) poolModels(hosts []poolHost, want []string) ([]string, map[string]string) {
	digests := map[string]string{}
	sizes := map[string]int64{}
	first := map[string]string{}
	var all []string
	for _, h := range hosts {
		for _, m := range h.Installed {
			n := engine.CanonicalName(m.Name)
			size, seen := sizes[n]
			switch {
			case !seen:
				digests[n], sizes[n], first[n] = m.Digest, m.SizeBytes, h.Name
				all = append(all, n)
			case size != m.SizeBytes:
				fmt.Fprintf(a.Stderr, "warning: model %s differs between hosts (%s on %s, %s on %s): its samples depend on where it runs\n", n, human(size), first[n], human(m.SizeBytes), h.Name)
			}
		}
	}
	if len(want) == 0 {
		slices.Sort(all)
		return all, digests
	}
	out := make([]string, 0, len(want))
	for _, m := range want {
		if m = engine.CanonicalName(m); !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, digests
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
			p.BudgetBytes, _ = parseBytes(pf.budget) // validated
		}
		return p, nil
	}
}
