// Package config reads slmmux's config file (YAML), the one file that
// `serve`, `ask`, `eval` and `plan` take with --config: the [Backends] a
// run uses (a pool of hosts) and the ensembles `serve` serves. [Load]
// checks it strictly: an unknown key, a value of the wrong type, a
// duplicate backend or a malformed URL or size is an error naming the key,
// its line and the fix.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
)

// File is the config file. Both sections are optional here; a command that
// needs one (serve: ensembles) says so.
type File struct {
	// Backends is the pool of hosts; empty means the one daemon at
	// OLLAMA_HOST.
	Backends []Backend `yaml:"backends"`
	// Ensembles are the virtual models `slmmux serve` serves.
	Ensembles map[string]Ensemble `yaml:"ensembles"`
}

// Ensemble is one ensemble of the file. Zero values take `ask`'s
// defaults: every installed model, 3 samples, temperature 0.3, the
// automatic (general) extractor, the paper profile.
type Ensemble struct {
	Models      []string           `yaml:"models"`
	Samples     int                `yaml:"samples"`
	Temperature *float64           `yaml:"temperature"`
	NumPredict  int                `yaml:"num_predict"`
	Seed        int                `yaml:"seed"`
	Extractor   string             `yaml:"extractor"` // auto, math, number, letter, code, text
	Profile     string             `yaml:"profile"`   // paper, official
	ValAcc      map[string]float64 `yaml:"val_acc"`   // tie-break accuracies
	ValRun      string             `yaml:"val_run"`   // a labelled run folder to measure them from
	// TieBreak is val, agreement or order; "" is val with val_acc or
	// val_run, else agreement with agreement_run, else order.
	TieBreak string `yaml:"tie_break"`
	// Confidence is the per-model confidence signal (consistency, the
	// default, logprob, embedding, verbalized, probe); EmbedModel embeds
	// replies for embedding and probe ("": each member itself),
	// EmbedThreshold is embedding's cosine threshold (0: 0.9), Probe the
	// file slmmux calibrate wrote.
	Confidence     string  `yaml:"confidence"`
	EmbedModel     string  `yaml:"embed_model"`
	EmbedThreshold float64 `yaml:"embed_threshold"`
	Probe          string  `yaml:"probe"`
	// Adaptive samples exactly adaptively: the same answers as full
	// sampling from fewer generations (paper profile only).
	Adaptive     bool   `yaml:"adaptive"`
	AgreementRun string `yaml:"agreement_run"` // a run folder of the members to estimate agreement from
	// Method serves a discussion method the paper compares SLM-MUX with
	// instead of SLM-MUX: moa, debate or mav ("": SLM-MUX); Rounds,
	// Layers, Aggregator and Candidates are its settings (docs/methods.md).
	Method     string `yaml:"method"`
	Rounds     int    `yaml:"rounds"`
	Layers     int    `yaml:"layers"`
	Aggregator string `yaml:"aggregator"`
	Candidates int    `yaml:"candidates"`
}

// ErrConfig reports a config file that cannot be used.
var ErrConfig = errors.New("config file")

// MaxFileBytes bounds a config file: larger ones, and anything but a
// regular file (a FIFO, /dev/zero), are refused before they are read.
const MaxFileBytes = 4 << 20

// Load reads and checks a config file.
func Load(path string) (*File, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrConfig, path, err)
	}
	return Parse(path, b)
}

// readFile reads a regular file of at most MaxFileBytes. It looks before
// it opens, since opening a FIFO waits for a writer.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil { // the file opened, in case it changed
		return nil, err
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err == nil && len(b) > MaxFileBytes {
		err = fmt.Errorf("over %d bytes: a config file is a few KiB of YAML", MaxFileBytes)
	}
	return b, err
}

// kind names a file that is not regular.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}

func regular(st os.FileInfo) error {
	switch {
	case !st.Mode().IsRegular():
		return fmt.Errorf("not a regular file but %s: give the path of a YAML file", kind(st.Mode()))
	case st.Size() > MaxFileBytes:
		return fmt.Errorf("%d bytes, over %d: a config file is a few KiB of YAML", st.Size(), MaxFileBytes)
	}
	return nil
}

// Parse is Load over the file's bytes; path only names the file in errors.
func Parse(path string, b []byte) (*File, error) {
	var c File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w %s: %s", ErrConfig, path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root) // it decoded above, so it parses
	if err := c.checkBackends(path, &root); err != nil {
		return nil, err
	}
	if err := checkNames(path, c.Ensembles); err != nil {
		return nil, err
	}
	for name, e := range c.Ensembles {
		for m, v := range e.ValAcc {
			if !(v >= 0 && v <= 1) { // NaN too
				return nil, fmt.Errorf("%w %s: ensembles.%s.val_acc.%s: %v: an accuracy is in [0, 1]", ErrConfig, path, name, m, v)
			}
			if len(e.Models) > 0 && !slices.ContainsFunc(e.Models, func(x string) bool { return engine.CanonicalName(x) == engine.CanonicalName(m) }) {
				return nil, fmt.Errorf("%w %s: ensembles.%s.val_acc.%s: not one of the ensemble's models (%s)", ErrConfig, path, name, m, strings.Join(e.Models, ", "))
			}
		}
		switch e.Extractor {
		case "", "auto", "math", "number", "letter", "code", "text":
		default:
			return nil, fmt.Errorf("%w %s: ensembles.%s.extractor %q: use auto, math, number, letter, code or text", ErrConfig, path, name, e.Extractor)
		}
		if _, err := confidence.ParseMethod(e.Confidence); err != nil {
			return nil, fmt.Errorf("%w %s: ensembles.%s.confidence: %w", ErrConfig, path, name, err)
		}
		if len(e.ValAcc) > 0 && e.ValRun != "" {
			return nil, fmt.Errorf("%w %s: ensembles.%s: give val_acc or val_run, not both", ErrConfig, path, name)
		}
		if e.Adaptive && e.Confidence != "" && e.Confidence != string(confidence.Consistency) {
			return nil, fmt.Errorf("%w %s: ensembles.%s: adaptive sampling bounds consistency's counts: drop adaptive or confidence", ErrConfig, path, name)
		}
		if e.Method != "" && (e.Adaptive || e.Confidence != "") {
			return nil, fmt.Errorf("%w %s: ensembles.%s: method %s discusses instead of sampling: drop adaptive and confidence", ErrConfig, path, name, e.Method)
		}
		if e.Adaptive && e.Profile == "official" {
			return nil, fmt.Errorf("%w %s: ensembles.%s: adaptive sampling needs profile paper (the official profile's denominators are not known before sampling)", ErrConfig, path, name)
		}
		if _, err := mux.ParseTieBreak(e.TieBreak); err != nil {
			return nil, fmt.Errorf("%w %s: ensembles.%s.tie_break: %w", ErrConfig, path, name, err)
		}
		switch e.Tie() {
		case mux.TieVal:
			if len(e.ValAcc) == 0 && e.ValRun == "" {
				return nil, fmt.Errorf("%w %s: ensembles.%s: tie_break val needs val_acc or val_run (or use tie_break: agreement with agreement_run: DIR, which needs no labels)", ErrConfig, path, name)
			}
		case mux.TieAgreement:
			if e.AgreementRun == "" {
				return nil, fmt.Errorf("%w %s: ensembles.%s: tie_break agreement needs agreement_run: DIR (a run folder of the members, e.g. an eval)", ErrConfig, path, name)
			}
		}
	}
	return &c, nil
}

// checkNames checks the ensembles' keys: each a name, and no two naming
// the same ensemble ("math" and "mux:math").
func checkNames(path string, es map[string]Ensemble) error {
	keys := make([]string, 0, len(es))
	for k := range es {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := map[string]string{} // ensemble name -> key
	for _, k := range keys {
		name, err := EnsembleName(k)
		if err != nil {
			return fmt.Errorf("%w %s: ensembles.%s: %w", ErrConfig, path, k, err)
		}
		if other, dup := seen[name]; dup {
			return fmt.Errorf("%w %s: ensembles.%s and ensembles.%s both define the ensemble %s: keep one", ErrConfig, path, other, k, name)
		}
		seen[name] = k
	}
	return nil
}

// Tie is the ensemble's tie-break rule, defaults applied (Parse has
// checked it).
func (e Ensemble) Tie() mux.TieBreak {
	if e.TieBreak != "" {
		return mux.TieBreak(e.TieBreak)
	}
	return mux.DefaultTieBreak(len(e.ValAcc) > 0 || e.ValRun != "", e.AgreementRun != "")
}

// EnsembleName is the model name of an ensembles key: "mux" and
// "mux:NAME" as they are, and a bare "NAME" as "mux:NAME".
func EnsembleName(key string) (string, error) {
	switch {
	case key == "mux" || strings.HasPrefix(key, "mux:") && len(key) > 4:
		return key, nil
	case key == "" || strings.ContainsAny(key, " :/\\\t\n"):
		return "", fmt.Errorf("%q is no ensemble name: use mux, mux:NAME or NAME (letters, digits, - _ .)", key)
	}
	return "mux:" + key, nil
}
