package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/slmmux/slmmux/engine/mux"
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
	// TieBreak is val, agreement or order; "" is val with val_acc or
	// val_run, else agreement with agreement_run, else order.
	TieBreak     string `yaml:"tie_break"`
	AgreementRun string `yaml:"agreement_run"` // a run folder of the members to estimate agreement from
}

// Tie is the ensemble's tie-break rule, defaults applied (ParseConfig has
// checked it).
func (e EnsembleConfig) Tie() mux.TieBreak {
	if e.TieBreak != "" {
		return mux.TieBreak(e.TieBreak)
	}
	return mux.DefaultTieBreak(len(e.ValAcc) > 0 || e.ValRun != "", e.AgreementRun != "")
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
		if len(e.ValAcc) > 0 && e.ValRun != "" {
			return nil, fmt.Errorf("%w %s: ensembles.%s: give val_acc or val_run, not both", ErrConfig, path, name)
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
