package serve

import (
	"fmt"

	"github.com/slmmux/slmmux/engine/config"
)

// FileConfig is the config file `slmmux serve --config FILE` reads; the
// schema lives in package config, shared with ask, eval and plan.
type FileConfig = config.File

// EnsembleConfig is one ensemble of the file.
type EnsembleConfig = config.Ensemble

// ErrConfig reports a config file that cannot be used.
var ErrConfig = config.ErrConfig

// LoadConfig reads and checks a config file, which must name ensembles.
// Unknown keys and values of the wrong type are errors naming the key and
// its line.
func LoadConfig(path string) (*FileConfig, error) {
	c, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return needEnsembles(path, c)
}

// ParseConfig is LoadConfig over the file's bytes.
func ParseConfig(path string, b []byte) (*FileConfig, error) {
	c, err := config.Parse(path, b)
	if err != nil {
		return nil, err
	}
	return needEnsembles(path, c)
}

func needEnsembles(path string, c *FileConfig) (*FileConfig, error) {
	if len(c.Ensembles) == 0 {
		return nil, fmt.Errorf("%w %s: no ensembles: add, e.g., ensembles: {mux: {models: [a, b], samples: 5}}", ErrConfig, path)
	}
	return c, nil
}

// EnsembleName is the model name of a config key: "mux" and "mux:NAME" as
// they are, and a bare "NAME" as "mux:NAME".
func EnsembleName(key string) (string, error) { return config.EnsembleName(key) }
