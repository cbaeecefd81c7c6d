package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/slmmux/slmmux/engine/sched"
)

// Backend kinds.
const (
	// KindOllama is an Ollama daemon (or `slmmux serve` in front of one):
	// slmmux plans its memory.
	KindOllama = "ollama"
	// KindOpenAI is a server speaking OpenAI's /v1 API (vLLM, SGLang,
	// llama.cpp's server, ...), which manages its own memory: all of its
	// models run in one wave, up to MaxConcurrency requests at once.
	KindOpenAI = "openai"
)

// Backend is one host of the pool.
type Backend struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	URL  string `yaml:"url"`
	// Budget is the memory its models may use, e.g. "24GiB" (Ollama
	// only). Empty: probed when the URL is a loopback address, else read
	// from the host's GET /api/slmmux/probe (a host running slmmux serve).
	Budget string `yaml:"budget"`
	// APIKeyEnv names the environment variable holding the key sent as
	// "Authorization: Bearer KEY"; the key itself never is in the file.
	APIKeyEnv string `yaml:"api_key_env"`
	// MaxConcurrency bounds the requests in flight: per model for an Ollama
	// host (its OLLAMA_NUM_PARALLEL; 0: --slots), in all for an OpenAI one
	// (0: 4).
	MaxConcurrency int `yaml:"max_concurrency"`

	// BudgetBytes is Budget parsed (0 when absent).
	BudgetBytes uint64 `yaml:"-"`
	// Line is where the entry starts in the file.
	Line int `yaml:"-"`
}

// Loopback reports whether the backend's URL names this machine.
func (b Backend) Loopback() bool {
	u, err := url.Parse(b.URL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// MaxMaxConcurrency bounds max_concurrency.
const MaxMaxConcurrency = 1024

var (
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	envRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// checkBackends validates every entry, naming its line (from root, the
// file's node tree) in errors.
func (c *File) checkBackends(path string, root *yaml.Node) error {
	seq := backendsNode(root)
	if seq != nil && len(c.Backends) == 0 {
		return fmt.Errorf("%w %s: line %d: backends is empty: list at least one, e.g. backends: [{name: local, kind: ollama, url: \"http://127.0.0.1:11434\"}], or remove the key", ErrConfig, path, seq.Line)
	}
	seen := map[string]int{}
	for i := range c.Backends {
		b := &c.Backends[i]
		lines := map[string]int{}
		if seq != nil && i < len(seq.Content) {
			item := seq.Content[i]
			b.Line = item.Line
			for k := 0; k+1 < len(item.Content); k += 2 {
				lines[item.Content[k].Value] = item.Content[k].Line
			}
		}
		at := func(key string) string {
			where := fmt.Sprintf("backends[%d]", i)
			if b.Name != "" {
				where += fmt.Sprintf(" (%s)", b.Name)
			}
			if key != "" {
				where += "." + key
			}
			if l, ok := lines[key]; ok {
				return fmt.Sprintf("%s, line %d", where, l)
			} else if b.Line > 0 {
				return fmt.Sprintf("%s, line %d", where, b.Line)
			}
			return where
		}
		if err := b.check(at); err != nil {
			return fmt.Errorf("%w %s: %w", ErrConfig, path, err)
		}
		if first, dup := seen[b.Name]; dup {
			return fmt.Errorf("%w %s: %s: the name %q is also backends[%d]'s: give each backend its own name", ErrConfig, path, at("name"), b.Name, first)
		}
		seen[b.Name] = i
	}
	return nil
}

// check validates one entry; at names a key's place for the messages.
func (b *Backend) check(at func(key string) string) error {
	switch {
	case b.Name == "":
		return fmt.Errorf("%s: name is missing: give each backend a name, e.g. name: gpu1", at(""))
	case !nameRe.MatchString(b.Name):
		return fmt.Errorf("%s %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", at("name"), b.Name)
	case b.Kind == "":
		return fmt.Errorf("%s: kind is missing: use kind: ollama or kind: openai", at(""))
	case b.Kind != KindOllama && b.Kind != KindOpenAI:
		return fmt.Errorf("%s %q: use ollama (an Ollama daemon) or openai (a server speaking OpenAI's /v1 API)", at("kind"), b.Kind)
	case b.URL == "":
		return fmt.Errorf("%s: url is missing: e.g. url: \"http://gpu1:11434\"", at(""))
	}
	if err := checkURL(b.URL, b.Kind); err != nil {
		return fmt.Errorf("%s %q: %w", at("url"), b.URL, err)
	}
	if b.Budget != "" {
		if b.Kind == KindOpenAI {
			return fmt.Errorf("%s: an openai server manages its own memory, so slmmux plans none: remove budget (limit the load with max_concurrency)", at("budget"))
		}
		n, err := ParseBytes(b.Budget)
		if err != nil {
			return fmt.Errorf("%s %q: %w (e.g. 24GiB, 512MiB, 2.5GB)", at("budget"), b.Budget, err)
		}
		b.BudgetBytes = n
	}
	if b.APIKeyEnv != "" && !envRe.MatchString(b.APIKeyEnv) {
		return fmt.Errorf("%s %q: name the environment variable that holds the key (e.g. api_key_env: VLLM_API_KEY), never the key itself", at("api_key_env"), b.APIKeyEnv)
	}
	if b.MaxConcurrency < 0 || b.MaxConcurrency > MaxMaxConcurrency {
		return fmt.Errorf("%s %d: must be 0 (the default) to %d", at("max_concurrency"), b.MaxConcurrency, MaxMaxConcurrency)
	}
	return nil
}

// checkURL accepts http(s)://host[:port][/path] with nothing else.
func checkURL(s, kind string) error {
	u, err := url.Parse(s)
	example := "http://gpu1:11434"
	if kind == KindOpenAI {
		example = "http://gpu1:8000/v1"
	}
	switch {
	case err != nil || u.Scheme == "" || u.Host == "":
		return fmt.Errorf("not an absolute URL: write it as %s", example)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q: use http or https, e.g. %s", u.Scheme, example)
	case u.User != nil:
		return errors.New("credentials in the URL would show in logs: put the key in an environment variable named by api_key_env")
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("a query or fragment has no place in a base URL: write it as %s", example)
	case u.Hostname() == "":
		return fmt.Errorf("no host: write it as %s", example)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: must be 1 to 65535", p)
		}
	}
	if kind == KindOllama && strings.Trim(u.Path, "/") != "" {
		return fmt.Errorf("an Ollama daemon is addressed without a path: write it as %s://%s", u.Scheme, u.Host)
	}
	return nil
}

// backendsNode is the sequence node under the top-level key backends.
func backendsNode(root *yaml.Node) *yaml.Node {
	if root == nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(m.Content); k += 2 {
		if m.Content[k].Value == "backends" {
			return m.Content[k+1]
		}
	}
	return nil
}

// MaxBytes bounds sizes: sums of a few stay far from overflowing uint64.
const MaxBytes = 1 << 60

// ParseFootprints parses whole footprints written name=size ("a=4.7GiB"),
// each model at most once.
func ParseFootprints(list []string) ([]sched.Footprint, error) {
	var out []sched.Footprint
	for _, kv := range list {
		name, size, ok := strings.Cut(kv, "=")
		n, err := ParseBytes(size)
		if !ok || name == "" || err != nil {
			return nil, fmt.Errorf("%q: want name=size, e.g. llama3.2=2.1GiB", kv)
		}
		if slices.ContainsFunc(out, func(f sched.Footprint) bool { return f.Model == name }) {
			return nil, fmt.Errorf("%q is given twice", name)
		}
		out = append(out, sched.Footprint{Model: name, Bytes: n, Source: "flag"})
	}
	return out, nil
}

// ParseBytes parses sizes like "8GiB", "512MiB", "2.5GB", "1000".
func ParseBytes(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"B", 1}}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suffix)) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, errors.New("not a positive size")
	}
	if v*mult > MaxBytes {
		return 0, errors.New("larger than 1 EiB")
	}
	return uint64(v * mult), nil
}
