package main

import (
	"errors"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/openai"
)

// backendFlags choose the model server of ask, eval, serve and plan: the
// Ollama daemon at OLLAMA_HOST, or an OpenAI-compatible server.
type backendFlags struct {
	kind, baseURL, apiKeyEnv string
	maxConcurrency           int
	fs                       *pflag.FlagSet // to tell which flags were given
}

func (bf *backendFlags) register(f *pflag.FlagSet) {
	bf.fs = f
	f.StringVar(&bf.kind, "backend", "ollama", "model server: ollama (the daemon at OLLAMA_HOST) or openai (an OpenAI-compatible server at --base-url)")
	f.StringVar(&bf.baseURL, "base-url", "", "--backend openai: the API's root, e.g. http://127.0.0.1:8000/v1")
	f.StringVar(&bf.apiKeyEnv, "api-key-env", openai.DefaultAPIKeyEnv, "--backend openai: the environment variable holding the API key (unset or empty: no key is sent)")
	f.IntVar(&bf.maxConcurrency, "max-concurrency", openai.DefaultMaxConcurrency, "--backend openai: requests in flight at once, across all models")
}

func (bf *backendFlags) openAI() bool { return bf.kind == "openai" }

// apiKey is the key in the variable --api-key-env names ("" for none).
func (bf *backendFlags) apiKey(getenv func(string) string) string {
	if bf.apiKeyEnv == "" {
		return ""
	}
	return strings.TrimSpace(getenv(bf.apiKeyEnv))
}

func (bf *backendFlags) changed(name string) bool {
	if bf.fs == nil {
		return false
	}
	f := bf.fs.Lookup(name)
	return f != nil && f.Changed
}

// noMemoryPlan are the flags of the memory plan, which does not apply to
// a server that manages its own memory; noOpenAIOption are options the
// OpenAI API cannot carry.
var (
	envName        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	noMemoryPlan   = []string{"footprint", "budget", "margin", "max-loaded", "slots"}
	noOpenAIOption = []string{"num-ctx", "threads", "repeat-penalty"}
)

// validate checks the backend flags and their combinations with the
// others, before anything runs.
func (bf *backendFlags) validate() error {
	switch bf.kind {
	case "ollama":
		for _, n := range []string{"base-url", "api-key-env", "max-concurrency"} {
			if bf.changed(n) {
				return usagef("--%s applies to --backend openai only (--backend ollama, the default, talks to the daemon at OLLAMA_HOST)", n)
			}
		}
		return nil
	case "openai":
	default:
		return usagef("--backend %q: use ollama or openai", bf.kind)
	}
	if strings.TrimSpace(bf.baseURL) == "" {
		return usagef("--backend openai needs --base-url, the API's root, e.g. http://127.0.0.1:8000/v1")
	}
	if _, err := openai.ParseBaseURL(bf.baseURL); err != nil {
		return usagef("--base-url: %s", strings.TrimPrefix(err.Error(), "openai: "))
	}
	if bf.maxConcurrency < 1 || bf.maxConcurrency > 1024 {
		return usagef("--max-concurrency %d: must be 1 to 1024", bf.maxConcurrency)
	}
	if bf.apiKeyEnv != "" && !envName.MatchString(bf.apiKeyEnv) {
		// Not echoed: it may be the key itself.
		return usagef("--api-key-env: not a variable name (letters, digits and _): give the variable's NAME, e.g. OPENAI_API_KEY, never the key")
	}
	for _, n := range noMemoryPlan {
		if bf.changed(n) {
			return usagef("--%s: memory planning does not apply to --backend openai (the server manages its own memory); drop it, and bound the load with --max-concurrency", n)
		}
	}
	for _, n := range noOpenAIOption {
		if bf.changed(n) {
			return usagef("--%s: the OpenAI API cannot carry this option, so it would not apply; set it on the server, or use --backend ollama", n)
		}
	}
	return nil
}

// notServedError is a model that an OpenAI-compatible server does not
// list; it wraps models.ErrModelNotInstalled.
type notServedError struct{ msg string }

func (e notServedError) Error() string { return e.msg }
func (e notServedError) Unwrap() error { return models.ErrModelNotInstalled }

// fromOpenAI reports whether err came from an OpenAI-compatible server,
// whose fixes are not Ollama's.
func fromOpenAI(err error) bool {
	var se *openai.StatusError
	var ue *openai.UnavailableError
	var ne notServedError
	return errors.As(err, &se) || errors.As(err, &ue) || errors.As(err, &ne)
}
