// Package demo holds slmmux's embedded demo: small llama-architecture
// models trained on arithmetic by scripts/train_demo.py, each good at
// different operations, with their test set and a [Catalog] of their
// digests and validation accuracies (for SLM-MUX's tie-break).
package demo

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

//go:embed catalog.json testset.jsonl *.gguf *.golden.json
var files embed.FS

// Model is one embedded model.
type Model struct {
	Name        string  `json:"name"`
	File        string  `json:"file"`
	Digest      string  `json:"digest"` // "sha256:<hex>" of File
	ValAccuracy float64 `json:"val_accuracy"`
	Strength    string  `json:"strength"`
}

// Catalog lists the models and the sampling settings the demo uses.
type Catalog struct {
	Models      []Model `json:"models"`
	Temperature float64 `json:"temperature"`
	Samples     int     `json:"samples"`
	NumPredict  int     `json:"num_predict"`
	// RepeatPenalty, when set, is sent with every request; unset leaves
	// Ollama's default (1.1), which the training script's sampler mimics.
	RepeatPenalty *float64 `json:"repeat_penalty,omitempty"`
}

// Template is the prompt template the demo models are created with: they
// were trained on raw questions.
const Template = "{{ .Prompt }}"

// Load reads the embedded catalog.
func Load() (Catalog, error) {
	var c Catalog
	b, err := files.ReadFile("catalog.json")
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("demo catalog: %w", err)
	}
	if c.NumPredict == 0 {
		c.NumPredict = 12 // answers are at most 4 digits; a bound in case EOS never comes
	}
	if c.Samples == 0 {
		c.Samples = 5
	}
	return c, nil
}

// ValAcc returns the models' validation accuracies by name.
func (c Catalog) ValAcc() map[string]float64 {
	m := map[string]float64{}
	for _, x := range c.Models {
		m[x.Name] = x.ValAccuracy
	}
	return m
}

// Names returns the models' names in catalog order.
func (c Catalog) Names() []string {
	var out []string
	for _, x := range c.Models {
		out = append(out, x.Name)
	}
	return out
}

// Open opens an embedded file (a model's GGUF, say).
func Open(name string) (io.ReadCloser, error) { return files.Open(name) }

// TestSet returns the demo benchmark as JSONL (question, answer, id).
func TestSet() []byte {
	b, _ := files.ReadFile("testset.jsonl")
	return b
}

// Golden is a model's greedy output on a prompt, recorded by the training
// script from the PyTorch model.
type Golden struct {
	Prompt string `json:"prompt"`
	Output string `json:"output"`
}

// Goldens returns the recorded greedy outputs of model name.
func Goldens(name string) ([]Golden, error) {
	b, err := files.ReadFile(name + ".golden.json")
	if err != nil {
		return nil, err
	}
	var g struct {
		Outputs []Golden `json:"outputs"`
	}
	if err := json.Unmarshal(b, &g); err == nil && len(g.Outputs) > 0 {
		return g.Outputs, nil
	}
	var list []Golden
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s.golden.json: %w", name, err)
	}
	return list, nil
}

// Digest computes the "sha256:<hex>" of an embedded file.
func Digest(name string) (string, error) {
	f, err := files.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
