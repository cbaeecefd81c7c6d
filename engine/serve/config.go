package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/slmmux/slmmux/engine/confidence"
)

// FileConfig is the config file `slmmux serve --config FILE` reads (YAML;
// the README documents the schema). It is the one place later features
// add to.
type FileConfig struct {
	Ensembles map[string]EnsembleConfig `yaml:"ensembles"`
}

// EnsembleConfig is one ensemble of the file. Zero values take `ask`'s
// defaults: every installed model, 3 samples, temperature 0.3, the
// automatic (general) extractor, the paper profile.
type EnsembleConfig struct {
	Models      []string           `yaml:"models"`
	Samples     int                `yaml:"samples"`
	Temperature *float64           `yaml:"temperature"`
	NumPredict  int                `yaml:"num_predict"`
	Seed        int                `yaml:"seed"`
	Extractor   string             `yaml:"extractor"` // auto, math, number, letter
	Profile     string             `yaml:"profile"`   // paper, official
	ValAcc      map[string]float64 `yaml:"val_acc"`   // tie-break accuracies
	ValRun      string             `yaml:"val_run"`   // a labelled run folder to measure them from
	// Confidence is the per-model confidence signal (consistency, the
	// default, logprob, embedding, verbalized, probe); EmbedModel embeds
	// replies for embedding and probe ("": each member itself),
	// EmbedThreshold is embedding's cosine threshold (0: 0.9), Probe the
	// file slmmux calibrate wrote.
	Confidence     string  `yaml:"confidence"`
	EmbedModel     string  `yaml:"embed_model"`
	EmbedThreshold float64 `yaml:"embed_threshold"`
	Probe          string  `yaml:"probe"`
}

// ErrConfig reports a config file that cannot be used.
var ErrConfig = errors.New("config file")

// LoadConfig reads and checks a config file. Unknown keys and values of
// the wrong type are errors naming the key and its line.
func LoadConfig(path string) (*FileConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrConfig, path, err)
	}
	return ParseConfig(path, b)
}

// ParseConfig is LoadConfig over the file's bytes.
func ParseConfig(path string, b []byte) (*FileConfig, error) {
	var c FileConfig
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w %s: %s", ErrConfig, path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(c.Ensembles) == 0 {
		return nil, fmt.Errorf("%w %s: no ensembles: add, e.g., ensembles: {mux: {models: [a, b], samples: 5}}", ErrConfig, path)
	}
	for name, e := range c.Ensembles {
		if _, err := EnsembleName(name); err != nil {
			return nil, fmt.Errorf("%w %s: ensembles.%s: %w", ErrConfig, path, name, err)
		}
		switch e.Extractor {
		case "", "auto", "math", "number", "letter":
		default:
			return nil, fmt.Errorf("%w %s: ensembles.%s.extractor %q: use auto, math, number or letter", ErrConfig, path, name, e.Extractor)
		}
		if _, err := confidence.ParseMethod(e.Confidence); err != nil {
			return nil, fmt.Errorf("%w %s: ensembles.%s.confidence: %w", ErrConfig, path, name, err)
		}
		if len(e.ValAcc) > 0 && e.ValRun != "" {
			return nil, fmt.Errorf("%w %s: ensembles.%s: give val_acc or val_run, not both", ErrConfig, path, name)
		}
	}
	return &c, nil
}

// EnsembleName is the model name of a config key: "mux" and "mux:NAME" as
// they are, and a bare "NAME" as "mux:NAME".
func EnsembleName(key string) (string, error) {
	switch {
	case key == "mux" || strings.HasPrefix(key, "mux:") && len(key) > 4:
		return key, nil
	case key == "" || strings.ContainsAny(key, " :/\\\t\n"):
		return "", fmt.Errorf("%q is no ensemble name: use mux, mux:NAME or NAME (letters, digits, - _ .)", key)
	}
	return "mux:" + key, nil
}
