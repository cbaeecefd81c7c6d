// Package openai implements slmmux's model backend for any server that
// speaks OpenAI's HTTP API (/v1/chat/completions, /v1/completions,
// /v1/models): vLLM, SGLang, LMDeploy, llama.cpp's server, LM Studio,
// LocalAI, Ollama's own /v1, or slmmux serve. Use [New] with a [Config] to
// get a [Client]; its methods take and return the neutral types of package
// models.
//
// It is built on net/http rather than an SDK: three endpoints, and every
// option must be sent explicitly (a zero temperature included), which
// go-openai's omitempty fields cannot do.
//
// Errors wrap the sentinels of package models: a server that cannot be
// reached (or a gateway answering 502/503/504) wraps models.ErrUnavailable,
// an unknown model wraps models.ErrModelNotInstalled, a rate limit (429)
// wraps models.ErrBusy and is retried with backoff, a refused API key is an
// [AuthError] naming the environment variable. The API key never appears
// in an error or a log line.
package openai

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultMaxConcurrency is the requests in flight when Config leaves it 0.
const DefaultMaxConcurrency = 4

// DefaultAPIKeyEnv is the variable the key is read from by convention.
const DefaultAPIKeyEnv = "OPENAI_API_KEY"

// Endpoint chooses the API a Client generates with.
type Endpoint string

const (
	// Chat sends /v1/chat/completions with a system and a user message:
	// the server applies the model's chat template, as Ollama's native
	// /api/generate does. The default.
	Chat Endpoint = "chat"
	// Completions sends /v1/completions with the prompt as raw text (the
	// system prompt, if any, first): for base models without a chat
	// template. Most servers apply no template there (Ollama does).
	Completions Endpoint = "completions"
)

// Config configures a Client. Only BaseURL is required.
type Config struct {
	// BaseURL is the API's root, e.g. "http://127.0.0.1:8000/v1"; a URL
	// with no path gets "/v1". It must be http or https, with no
	// credentials, query or fragment.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer KEY"; when empty the key
	// is read from the variable APIKeyEnv names (via Getenv). No key at
	// all sends no Authorization header.
	APIKey string
	// APIKeyEnv names the variable holding the key (for messages, and to
	// read it when APIKey is empty); "" means no variable.
	APIKeyEnv string
	// Getenv reads APIKeyEnv; nil means os.Getenv.
	Getenv func(string) string
	// MaxConcurrency bounds the requests in flight across all models (the
	// server schedules its own memory); 0 means DefaultMaxConcurrency.
	MaxConcurrency int
	// Endpoint is Chat (the default, "") or Completions.
	Endpoint Endpoint
	// HTTPClient overrides the HTTP client (timeouts, transports).
	HTTPClient *http.Client
	// BusyRetries is how many times a rate-limited (429) answer is
	// retried; 0 means 5. Backoff is the first wait (0: 500ms), doubled
	// each time; a Retry-After header up to 30s is honoured instead.
	BusyRetries int
	Backoff     time.Duration
	// CallTimeout bounds listing the models (GET /v1/models): a server
	// that accepts connections but never answers is then unreachable
	// instead of a hang. 0 means 30 seconds.
	CallTimeout time.Duration
}

// Client talks to one OpenAI-compatible server. It is safe for concurrent
// use; at most MaxConcurrency requests are in flight at once.
type Client struct {
	base     *url.URL
	key      string
	keyEnv   string
	endpoint Endpoint
	http     *http.Client
	sem      chan struct{}
	retries  int
	backoff  time.Duration
	calls    time.Duration                        // CallTimeout
	sleep    func(time.Duration) <-chan time.Time // test seam
	now      func() time.Time
}

// New returns a Client for cfg.BaseURL.
func New(cfg Config) (*Client, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	switch cfg.Endpoint {
	case "":
		cfg.Endpoint = Chat
	case Chat, Completions:
	default:
		return nil, fmt.Errorf("openai: endpoint %q: use %q or %q", cfg.Endpoint, Chat, Completions)
	}
	if cfg.MaxConcurrency < 0 {
		return nil, fmt.Errorf("openai: max concurrency %d: must be 1 or more (0: %d)", cfg.MaxConcurrency, DefaultMaxConcurrency)
	}
	if cfg.MaxConcurrency == 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	key := cfg.APIKey
	if key == "" && cfg.APIKeyEnv != "" {
		getenv := cfg.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		key = strings.TrimSpace(getenv(cfg.APIKeyEnv))
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	if cfg.BusyRetries == 0 {
		cfg.BusyRetries = 5
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	return &Client{base: base, key: key, keyEnv: cfg.APIKeyEnv, endpoint: cfg.Endpoint, http: hc,
		sem: make(chan struct{}, cfg.MaxConcurrency), retries: cfg.BusyRetries, backoff: cfg.Backoff,
		calls: cfg.CallTimeout, sleep: time.After, now: time.Now}, nil
}

// Host returns the base URL the client talks to (it never holds the key).
func (c *Client) Host() string { return c.base.String() }

// MaxConcurrency returns the most requests the client has in flight.
func (c *Client) MaxConcurrency() int { return cap(c.sem) }

// HasKey reports whether requests carry an API key.
func (c *Client) HasKey() bool { return c.key != "" }

// ParseBaseURL checks an API root and returns it without a trailing
// slash; a URL with no path gets "/v1".
func ParseBaseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("openai: no base URL: give the API's root, e.g. http://127.0.0.1:8000/v1")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("openai: base URL %q: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("openai: base URL %q: want http:// or https://, e.g. http://127.0.0.1:8000/v1", s)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("openai: base URL %q has no host, e.g. http://127.0.0.1:8000/v1", s)
	case u.User != nil:
		return nil, fmt.Errorf("openai: base URL %s carries credentials: put the key in an environment variable instead", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("openai: base URL %q: no query or fragment, just the API's root, e.g. http://127.0.0.1:8000/v1", s)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if u.Path == "" {
		u.Path = "/v1"
	}
	u.RawPath = ""
	return u, nil
}

// redact removes the API key from text a server sent back.
func (c *Client) redact(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}
