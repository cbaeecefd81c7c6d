// Package ollama implements slmmux's model backend for a local Ollama daemon,
// on top of github.com/ollama/ollama/api. Use [New] with a [Config] to get a
// [Client]; its methods take and return the neutral types of package models,
// so no Ollama type leaks out of this package.
//
// Errors wrap the sentinels of package models: an unknown model wraps
// models.ErrModelNotInstalled, a daemon that cannot be reached wraps
// models.ErrUnavailable, a full queue wraps models.ErrBusy (Generate retries
// those with backoff until its context ends).
package ollama

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// DefaultHost is the address Ollama listens on when OLLAMA_HOST is unset.
const DefaultHost = "http://127.0.0.1:11434"

// Config configures a Client. The zero value is usable: it talks to
// DefaultHost with http.DefaultClient and retries a busy daemon 5 times.
type Config struct {
	// Host is the daemon's address in any form OLLAMA_HOST accepts:
	// "http://host:port", "host:port", "host" or ":port".
	Host string
	// HTTPClient overrides the HTTP client (timeouts, transports).
	HTTPClient *http.Client
	// BusyRetries is how many times a busy (503) answer is retried.
	BusyRetries int
	// Backoff is the first wait before a retry; it doubles each time.
	Backoff time.Duration
	// CallTimeout bounds each metadata call (version, tags, ps, show): a
	// daemon that accepts connections but never answers (stopped, hung)
	// is then unreachable instead of hanging the caller. 0 means
	// DefaultCallTimeout. Generations and imports are not bounded here.
	CallTimeout time.Duration
	// APIKey, when set, is sent as "Authorization: Bearer KEY" with every
	// request (a daemon behind an authenticating proxy).
	APIKey string
}

// DefaultCallTimeout bounds a metadata call when Config sets none: far
// above a healthy daemon's answer (milliseconds), short enough to start
// up or fail promptly.
const DefaultCallTimeout = 30 * time.Second

// DefaultConfig returns the configuration for a daemon at DefaultHost.
func DefaultConfig() Config {
	return Config{Host: DefaultHost, BusyRetries: 5, Backoff: 200 * time.Millisecond}
}

// Client talks to one Ollama daemon. It is safe for concurrent use.
type Client struct {
	api     *api.Client
	base    *url.URL
	http    *http.Client
	retries int
	backoff time.Duration
	calls   time.Duration                        // CallTimeout
	sleep   func(time.Duration) <-chan time.Time // test seam
}

// New returns a Client for cfg.Host.
func New(cfg Config) (*Client, error) {
	base, err := ParseHost(cfg.Host)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	hc = resendOnStale(hc)
	if cfg.APIKey != "" {
		hc.Transport = bearer{key: cfg.APIKey, next: hc.Transport}
	}
	if cfg.BusyRetries == 0 {
		cfg.BusyRetries = DefaultConfig().BusyRetries
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = DefaultConfig().Backoff
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	return &Client{
		api: api.NewClient(base, hc), base: base, http: hc,
		retries: cfg.BusyRetries, backoff: cfg.Backoff, calls: cfg.CallTimeout, sleep: time.After,
	}, nil
}

// Host returns the base URL the client talks to.
func (c *Client) Host() string { return c.base.String() }

// HTTPClient is the client's HTTP client (with its key, if any), for
// other routes of the same host.
func (c *Client) HTTPClient() *http.Client { return c.http }

// ParseHost turns an OLLAMA_HOST-style value into a base URL. An empty
// value means DefaultHost.
func ParseHost(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultHost
	}
	scheme := "http"
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, s = s[:i], s[i+3:]
	}
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("ollama host %q: scheme must be http or https", s)
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = s, "11434"
		if scheme == "https" {
			port = "443"
		}
	}
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}, nil
}

// resendOnStale returns a copy of hc whose POSTs the transport may resend
// on a new connection when a kept-alive one turns out closed (a daemon
// restarted on the same port, or one that dropped an idle connection):
// Go's transport resends only requests it deems idempotent, and a POST
// counts as one with an Idempotency-Key header. Every POST the adapter
// sends is safe to repeat: reads (show), seeded generations, creates of
// the same blob.
func resendOnStale(hc *http.Client) *http.Client {
	out := *hc
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = idempotentPosts{next}
	return &out
}

type idempotentPosts struct{ next http.RoundTripper }

func (t idempotentPosts) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") == "" && (r.Body == nil || r.GetBody != nil) {
		r = r.Clone(r.Context())
		r.Header.Set("Idempotency-Key", "slmmux")
	}
	return t.next.RoundTrip(r)
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
