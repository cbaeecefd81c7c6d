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
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
)

// Ensemble is a virtual model whose answers come from SLM-MUX.
type Ensemble struct {
	Name     string // "mux" or "mux:NAME"
	Models   []string
	Sampling engine.Sampling
	Profile  mux.Profile
	ValAcc   map[string]float64 // tie-break accuracies; nil = model order
	// Waves groups the members that fit in memory together (from the
	// memory plan). One wave: requests run at once, concurrently; several
	// (or nil with several members: one model at a time): requests are
	// batched into rounds, model-major across requests.
	Waves [][]string
	// Extractor reads the votes: "auto" (or ""; the general rule of
	// `slmmux ask`), "math", "number" or "letter".
	Extractor string
	WaveDone  func(ctx context.Context, wave []string)
	// Confidence is the members' confidence signal (nil: consistency);
	// EmbedModel embeds their replies when it needs it ("": each member).
	Confidence confidence.Signal
	EmbedModel string
}

// needs is what the ensemble's signal records per sample.
func (e *Ensemble) needs() confidence.Needs {
	if e.Confidence == nil {
		return confidence.Needs{}
	}
	return e.Confidence.Method().Needs()
}

// Config configures a Server.
type Config struct {
	Upstream  *url.URL       // the Ollama daemon requests pass through to
	Engine    *engine.Engine // answers ensembles
	Ensembles []Ensemble
	// APIKey, when set, is required as "Authorization: Bearer KEY" on
	// every route but "/" and "/health".
	APIKey string
	// MaxBody bounds a request body (0: 1 MiB); larger ones get 413.
	MaxBody int64
	// MaxQueue bounds the ensemble requests waiting (0: 512, as Ollama's
	// OLLAMA_MAX_QUEUE); past it requests get 503 with Retry-After.
	MaxQueue int
	// Timeout bounds one ensemble request (0: none).
	Timeout time.Duration
	// AllowOrigin, when set, is sent as Access-Control-Allow-Origin.
	AllowOrigin string
	Version     string
	Logger      *slog.Logger
}

// Server serves the endpoint. It is safe for concurrent use.
type Server struct {
	cfg       Config
	ensembles map[string]*Ensemble
	proxy     *httputil.ReverseProxy
	client    *http.Client

	mu      sync.Mutex
	waiting int // ensemble requests admitted and not yet answered

	pendMu  sync.Mutex
	pending []*job
	wake    chan struct{}
	rounds  atomic.Int64
	metrics *metrics
}

// Rounds returns how many batched rounds the dispatcher has run.
func (s *Server) Rounds() int64 { return s.rounds.Load() }

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Upstream == nil {
		return nil, errors.New("serve: no upstream daemon")
	}
	if cfg.Engine == nil && len(cfg.Ensembles) > 0 {
		return nil, errors.New("serve: ensembles need an engine")
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
	s := &Server{cfg: cfg, ensembles: map[string]*Ensemble{}, client: &http.Client{Timeout: 30 * time.Second},
		wake: make(chan struct{}, 1)}
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
	s.proxy = httputil.NewSingleHostReverseProxy(cfg.Upstream)
	s.proxy.FlushInterval = -1 // stream NDJSON and SSE as the daemon writes them
	s.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		s.fail(w, r, http.StatusBadGateway, fmt.Sprintf("upstream Ollama daemon at %s: %v", cfg.Upstream.Host, err))
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
	m.HandleFunc("POST /v1/chat/completions", s.openaiChat)
	m.HandleFunc("POST /v1/completions", s.openaiCompletion)
	m.HandleFunc("GET /v1/models", s.openaiModels)
	m.HandleFunc("/", s.proxy.ServeHTTP) // everything else: the daemon's own
	return s.metrics.observe(s.guard(m))
}

// guard applies the API key, CORS and the body limit.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := s.cfg.AllowOrigin; o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if s.cfg.APIKey != "" && r.URL.Path != "/" && r.URL.Path != "/health" {
			got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.APIKey)) != 1 {
				s.fail(w, r, http.StatusUnauthorized, "missing or wrong API key: send Authorization: Bearer KEY")
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
		next.ServeHTTP(w, r)
	})
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
