// Package serve is slmmux's HTTP endpoint: it speaks Ollama's API and
// OpenAI's chat and completions API, passes requests for ordinary models
// through to the upstream Ollama daemon unchanged, and answers requests for
// an ensemble (a virtual model named "mux" or "mux:NAME") with SLM-MUX over
// the ensemble's member models. Use [New] and serve [Server.Handler].
package serve

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/mux"
)

// Ensemble is a virtual model whose answers come from SLM-MUX.
type Ensemble struct {
	Name     string // "mux" or "mux:NAME"
	Models   []string
	Sampling engine.Sampling
	Profile  mux.Profile
	ValAcc   map[string]float64 // tie-break accuracies; nil = model order
	// Extractor reads the votes: "auto" (or ""; the kind chosen per
	// question from its replies, short answers by the general rule of
	// `slmmux ask`), "math", "number" or "letter" (short answers), "code"
	// or "text" (compared by similarity).
	Extractor string
	// Adaptive turns on exact adaptive sampling: the same answers from
	// fewer generations (paper profile).
	Adaptive bool
	// Confidence is the members' confidence signal (nil: consistency);
	// EmbedModel embeds their replies when it needs it ("": each member).
	Confidence confidence.Signal
	EmbedModel string
	// Discussion, when set, serves a discussion method (moa, debate, mav)
	// over the members instead of SLM-MUX.
	Discussion *discuss.Config
}

// Config configures a Server.
type Config struct {
	Upstream *url.URL // the Ollama daemon requests pass through to
	// UpstreamOpenAI says Upstream is an OpenAI-compatible server's API
	// root (e.g. http://host:8000/v1), not an Ollama daemon: /v1 requests
	// for other models pass through to it (as Upstream + the path after
	// /v1), while Ollama's API (/api/...) reaches the ensembles only.
	UpstreamOpenAI bool
	// UpstreamAPIKey, when set, replaces the client's Authorization header
	// on requests passed through to an OpenAI-compatible upstream (which
	// never sees the client's key).
	UpstreamAPIKey string
	// Scheduler answers the ensembles: one queue of sample work for every
	// request of every ensemble. Run runs it.
	Scheduler *engine.Scheduler
	Ensembles []Ensemble
	// PinPassthrough says the upstream daemon is the scheduler's host:
	// a request passed through holds its model loaded like an ensemble's
	// samples do, so the two do not evict each other unplanned.
	PinPassthrough bool
	// APIKey, when set, is required as "Authorization: Bearer KEY" on
	// every route but "/" and "/health".
	APIKey string
	// MaxBody bounds an ensemble's request body (0: 1 MiB); larger ones
	// get 413. Requests for other models stream to the upstream unread but
	// for their model's key, which is looked for in their first MaxBody
	// bytes.
	MaxBody int64
	// MaxQueue bounds the ensemble requests waiting (0: 512, as Ollama's
	// OLLAMA_MAX_QUEUE); past it requests get 503 with Retry-After.
	MaxQueue int
	// Timeout bounds one ensemble request (0: none).
	Timeout time.Duration
	// RequestTimeout bounds each generation of an ensemble request (0:
	// none): a daemon that stops answering is then unreachable, waited
	// for up to BackendWait (0: engine.DefaultBackendWait), then the
	// request fails with 502.
	RequestTimeout, BackendWait time.Duration
	// AllowOrigin, when set, is sent as Access-Control-Allow-Origin, on
	// passthrough replies instead of the upstream's CORS headers.
	AllowOrigin string
	// CheckHost refuses (403) a request whose Host is not an IP literal,
	// localhost or one of AllowHosts (any port): set it on a loopback
	// listener, against pages whose name rebinds to 127.0.0.1. HostHint
	// ends the refusal, saying how to allow a name.
	CheckHost  bool
	AllowHosts []string
	HostHint   string
	// BodyTimeout bounds reading one request body (0: none); a body not
	// received in time gets 408 and its connection is closed.
	BodyTimeout time.Duration
	// NoModelAdmin refuses the daemon's model-management routes (pull,
	// push, create, copy, delete, blobs) with 403.
	NoModelAdmin bool
	Version      string
	Logger       *slog.Logger
	// Probe, when set, answers GET /api/slmmux/probe (ProbePath).
	Probe ProbeFunc
}

// Server serves the endpoint. It is safe for concurrent use.
type Server struct {
	cfg       Config
	ensembles map[string]*Ensemble
	proxy     *httputil.ReverseProxy
	client    *http.Client

	mu      sync.Mutex
	waiting int // ensemble requests admitted and not yet answered

	stop    context.Context         // done once Abort is called
	abort   context.CancelCauseFunc // Abort
	aborted atomic.Int64            // requests answered 503 by Abort

	metrics *metrics
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Upstream == nil {
		return nil, errors.New("serve: no upstream daemon")
	}
	if cfg.Scheduler == nil && len(cfg.Ensembles) > 0 {
		return nil, errors.New("serve: ensembles need a scheduler")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 512
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, ensembles: map[string]*Ensemble{}, client: &http.Client{Timeout: 30 * time.Second}}
	s.stop, s.abort = context.WithCancelCause(context.Background())
	for i := range cfg.Ensembles {
		e := &cfg.Ensembles[i]
		if e.Name != "mux" && !strings.HasPrefix(e.Name, "mux:") {
			return nil, fmt.Errorf("serve: ensemble %q: names are mux or mux:NAME", e.Name)
		}
		if len(e.Models) == 0 {
			return nil, fmt.Errorf("serve: ensemble %q has no models", e.Name)
		}
		if err := e.Sampling.Validate(); err != nil {
			return nil, fmt.Errorf("serve: ensemble %q: %w", e.Name, err)
		}
		s.ensembles[e.Name] = e
	}
	s.metrics = newMetrics(s)
	if cfg.UpstreamOpenAI {
		s.proxy = &httputil.ReverseProxy{Rewrite: s.rewriteOpenAI}
	} else {
		// The upstream's own Host: a loopback daemon refuses (403) any
		// other, against DNS rebinding.
		s.proxy = &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(cfg.Upstream)
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
		}}
	}
	s.proxy.FlushInterval = -1 // stream NDJSON and SSE as the daemon writes them
	s.proxy.ModifyResponse = s.stripCORS
	s.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if s.bodyTimedOut(w, r, err) {
			return
		}
		if r.Context().Err() != nil {
			s.unfinished(w, r) // not the upstream's failure
			return
		}
		s.fail(w, r, http.StatusBadGateway, fmt.Sprintf("%s at %s: %v", s.upstreamName(), cfg.Upstream.Host, err))
	}
	return s, nil
}

// Handler returns the endpoint's routes.
func (s *Server) Handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", page)
	m.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	m.Handle("GET /metrics", s.metrics.handler())
	m.HandleFunc("POST /api/chat", s.ollamaChat)
	m.HandleFunc("POST /api/generate", s.ollamaGenerate)
	m.HandleFunc("POST /api/show", s.ollamaShow)
	m.HandleFunc("GET /api/tags", s.ollamaTags)
	m.HandleFunc("GET "+ProbePath, s.probe)
	m.HandleFunc("POST /v1/chat/completions", s.openaiChat)
	m.HandleFunc("POST /v1/completions", s.openaiCompletion)
	m.HandleFunc("GET /v1/models", s.openaiModels)
	m.HandleFunc("/", s.passThrough) // everything else: the daemon's own
	return s.metrics.observe(s.abortable(s.guard(m)))
}

// errShuttingDown is the cause of the requests Abort ends.
var errShuttingDown = errors.New("serve: shutting down")

// statusClientClosed is the status the metrics count for a request whose
// client left before its answer (nginx's 499); the client never sees it.
const statusClientClosed = 499

// Abort ends every request in flight (it returns at once): those not yet
// answered get 503 with Retry-After. It is for a drain that ran out of
// time; then wait for the handlers (http.Server.Shutdown again) and read
// Aborted.
func (s *Server) Abort() { s.abort(errShuttingDown) }

// Aborted is how many requests Abort has answered 503.
func (s *Server) Aborted() int { return int(s.aborted.Load()) }

// abortable gives each request a context that Abort ends.
func (s *Server) abortable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		defer context.AfterFunc(s.stop, func() { cancel(errShuttingDown) })()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// unfinished answers a request whose context ended before its answer:
// 503 with Retry-After when Abort ended it; else its client left, and
// statusClientClosed is recorded for the metrics only.
func (s *Server) unfinished(w http.ResponseWriter, r *http.Request) {
	if errors.Is(context.Cause(r.Context()), errShuttingDown) {
		s.aborted.Add(1)
		w.Header().Set("Retry-After", "5")
		s.fail(w, r, http.StatusServiceUnavailable, "slmmux serve is shutting down: retry in a moment")
		return
	}
	w.WriteHeader(statusClientClosed)
}

// guard applies the Host check, CORS, the API key and the body deadline.
// (The body limit applies to an ensemble's requests only: readBody.)
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			s.refuseHost(w, r)
			return
		}
		if o := s.cfg.AllowOrigin; o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if s.cfg.APIKey != "" && r.URL.Path != "/" && r.URL.Path != "/health" {
			got, ok := bearer(r.Header.Get("Authorization"))
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.APIKey)) != 1 {
				s.fail(w, r, http.StatusUnauthorized, "missing or wrong API key: send Authorization: Bearer KEY")
				return
			}
		}
		s.bodyDeadline(w, r)
		next.ServeHTTP(w, r)
	})
}

// bearer is the credentials of an Authorization header of scheme Bearer,
// which RFC 7235 makes case-insensitive; ok is false for any other
// scheme and for a bare key without one.
func bearer(h string) (key string, ok bool) {
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimLeft(key, " "), true
}

// upstreamName names the upstream in messages.
func (s *Server) upstreamName() string {
	if s.cfg.UpstreamOpenAI {
		return "upstream OpenAI-compatible server"
	}
	return "upstream Ollama daemon"
}

// upstreamURL is the upstream URL of an API path of this server: the same
// path on an Ollama daemon; on an OpenAI-compatible upstream, its API root
// followed by the path after /v1.
func (s *Server) upstreamURL(path string) *url.URL {
	u := *s.cfg.Upstream
	if s.cfg.UpstreamOpenAI {
		u.Path = strings.TrimRight(u.Path, "/") + strings.TrimPrefix(path, "/v1")
	} else {
		u.Path = path
	}
	u.RawPath = ""
	return &u
}

// rewriteOpenAI points a /v1 request at the OpenAI-compatible upstream,
// with the upstream's key instead of the client's.
func (s *Server) rewriteOpenAI(pr *httputil.ProxyRequest) {
	u := s.upstreamURL(pr.In.URL.Path)
	u.RawQuery = pr.In.URL.RawQuery
	pr.Out.URL, pr.Out.Host = u, ""
	pr.Out.Header.Del("Authorization")
	if s.cfg.UpstreamAPIKey != "" {
		pr.Out.Header.Set("Authorization", "Bearer "+s.cfg.UpstreamAPIKey)
	}
}

// passThrough sends a request that no ensemble answers to the upstream.
// An OpenAI-compatible upstream has no Ollama API: such requests are
// refused with 404, saying where the upstream's models are.
func (s *Server) passThrough(w http.ResponseWriter, r *http.Request) {
	if requestModel(r) == "" && loadsModel[r.URL.Path] { // a route with no handler of its own (embeddings)
		peek, err := peekKeysErr(r, s.cfg.MaxBody, "model")
		if s.bodyTimedOut(w, r, err) {
			return
		}
		setModel(r, peek["model"])
	}
	if s.cfg.UpstreamOpenAI && !strings.HasPrefix(r.URL.Path, "/v1/") {
		msg := fmt.Sprintf("%s %s: this slmmux serve fronts an OpenAI-compatible server (%s), so Ollama's API reaches only the ensembles (%s); use /v1/chat/completions for other models",
			r.Method, r.URL.Path, s.cfg.Upstream.Host, strings.Join(s.ensembleNames(), ", "))
		if m := requestModel(r); m != "" {
			msg = fmt.Sprintf("model %q: ", m) + msg
		}
		s.fail(w, r, http.StatusNotFound, msg)
		return
	}
	if s.cfg.NoModelAdmin && modelAdmin(r.URL.Path) {
		s.fail(w, r, http.StatusForbidden, fmt.Sprintf("%s %s: this server refuses model management (pull, push, create, copy, delete, blobs); manage models on the daemon itself", r.Method, r.URL.Path))
		return
	}
	if m := requestModel(r); m != "" && s.cfg.PinPassthrough && s.cfg.Scheduler != nil && loadsModel[r.URL.Path] {
		release, err := s.cfg.Scheduler.Pin(r.Context(), m)
		if err != nil {
			s.unfinished(w, r) // the client left (or Abort) while its model waited for memory
			return
		}
		defer release()
	}
	s.proxy.ServeHTTP(w, r)
}

// loadsModel are the routes whose requests load their model in the
// daemon: a passthrough request on one holds the model loaded (Pin).
var loadsModel = map[string]bool{"/api/generate": true, "/api/chat": true, "/api/embed": true, "/api/embeddings": true,
	"/v1/chat/completions": true, "/v1/completions": true, "/v1/embeddings": true}

// Run runs the scheduler until ctx ends. Serve the Handler only while Run
// runs.
func (s *Server) Run(ctx context.Context) error {
	if s.cfg.Scheduler == nil {
		<-ctx.Done()
		return nil
	}
	return s.cfg.Scheduler.Run(ctx)
}

// ask answers one question of ensemble e on the scheduler. The question's
// item id comes from its content, so its samples depend only on the
// request (messages, options, seed), never on what else is queued.
func (s *Server) ask(ctx context.Context, e *Ensemble, samp engine.Sampling, system, user string) (engine.Answer, error) {
	id := engine.ItemID(system, user)
	b, err := chatBenchFor(e, map[string]string{id: system})
	if err != nil {
		return engine.Answer{}, err
	}
	if e.Discussion != nil {
		return s.discuss(ctx, e, b, benchmark.Item{ID: id, Question: user}, samp)
	}
	return s.cfg.Scheduler.Ask(ctx, b, benchmark.Item{ID: id, Question: user}, engine.AskConfig{Models: e.Models, Sampling: samp,
		Profile: e.Profile, ValAcc: e.ValAcc, Adaptive: e.Adaptive, Confidence: e.Confidence, EmbedModel: e.EmbedModel, Kind: e.kind(),
		RequestTimeout: s.cfg.RequestTimeout, BackendWait: s.cfg.BackendWait})
}

func (s *Server) ensembleNames() []string {
	out := make([]string, 0, len(s.cfg.Ensembles))
	for _, e := range s.cfg.Ensembles {
		out = append(out, e.Name)
	}
	return out
}

// ensemble returns the ensemble named model ("mux:latest" is "mux").
func (s *Server) ensemble(model string) *Ensemble {
	return s.ensembles[engine.CanonicalName(model)]
}

// fail writes an error in the API's shape: OpenAI's on /v1, Ollama's
// {"error": ...} elsewhere.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		typ := "invalid_request_error"
		if code >= 500 {
			typ = "server_error"
		}
		writeJSON(w, code, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}})
		return
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

// Scheduler is the scheduler that answers the ensembles.
func (s *Server) Scheduler() *engine.Scheduler { return s.cfg.Scheduler }

// discuss answers one chat with the ensemble's discussion method, its
// generations through the scheduler (each model pinned while it runs).
// The answer is the method's: its winning reply and model; each member's
// part lists its replies, round by round.
func (s *Server) discuss(ctx context.Context, e *Ensemble, b benchmark.Benchmark, it benchmark.Item, samp engine.Sampling) (engine.Answer, error) {
	start := time.Now()
	st, err := engine.Discuss(ctx, s.cfg.Scheduler, engine.DiscussConfig{Discussion: *e.Discussion, Models: e.Models, Bench: b,
		Items: []benchmark.Item{it}, Sampling: samp})
	if err != nil {
		return engine.Answer{}, err
	}
	ans := engine.Answer{Wall: time.Since(start), Kind: answer.Text}
	per := map[string]*engine.ModelAnswer{}
	for _, m := range e.Models {
		ans.Models = append(ans.Models, engine.ModelAnswer{Model: m})
	}
	for i := range ans.Models {
		per[ans.Models[i].Model] = &ans.Models[i]
	}
	for _, t := range st.Turns {
		if t.Role == "final" {
			ans.Model, ans.Answer, ans.Reply = t.Model, t.Answer, t.Response
			continue
		}
		if m := per[t.Model]; m != nil {
			m.Responses = append(m.Responses, t.Response)
			m.Answers = append(m.Answers, t.Answer)
			m.Tokens += t.OutputTokens
			m.Samples++
		}
	}
	if ans.Model != "" && ans.Reply == "" {
		ans.Model = ""
	}
	return ans, nil
}
