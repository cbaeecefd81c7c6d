// Package demo holds slmmux's embedded demo: small llama-architecture
// models trained on arithmetic by scripts/train_demo.py (two specialists
// and a family of three generalists distilled from one teacher, so they
// share its mistakes) and one generalist about ten times their size, with
// their test set and a [Catalog] of their digests and validation
// accuracies (for SLM-MUX's tie-break).
package demo

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/slmmux/slmmux/models/gguf"
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
	Params      int     `json:"params"`
	// Role is "" for a model of the pool SLM-MUX selects from, RoleLarge
	// for the one generalist about ten times their size that the demo sets
	// against two of them.
	Role string `json:"role,omitempty"`
	// Quantize is "" for the embedded file as it is; for a variant of
	// [Catalog.Quantized], "F16" or the type the daemon quantizes to
	// ("Q8_0", "Q4_K_M", "Q4_K_S") from the F16 copy, whose digest Digest
	// then is.
	Quantize string `json:"-"`
	f16      []byte
}

// Open opens what is uploaded for m: the embedded file, or for a variant
// its F16 copy.
func (m Model) Open() (io.ReadCloser, error) {
	if m.f16 != nil {
		return io.NopCloser(bytes.NewReader(m.f16)), nil
	}
	return files.Open(m.File)
}

// VariantTag is the Ollama tag of a quantized variant: "f16", "q8_0",
// "q4_K_M", "q4_K_S".
func VariantTag(quantize string) string {
	if strings.EqualFold(quantize, "F16") {
		return "f16"
	}
	return strings.ToLower(quantize[:1]) + quantize[1:]
}

// Quantized returns the catalog of quantized variants: each model is
// named NAME:TAG (demo-mix:q4_K_M), uploads the F16 copy of its embedded
// F32 file (gguf.ConvertF16: Ollama quantizes only files labelled F16, BF16
// or F32 and reads the F32 label, 0, as unknown), and, unless quantize is
// "F16", is quantized by the daemon when created. The variants are made at
// import, so the binary embeds only the F32 files. quantize is in
// Ollama's spelling (Q8_0, Q4_K_M, Q4_K_S or F16); "" returns c.
func (c Catalog) Quantized(quantize string) (Catalog, error) {
	if quantize == "" {
		return c, nil
	}
	out := c
	out.Models = make([]Model, len(c.Models))
	for i, m := range c.Models {
		src, err := files.ReadFile(m.File)
		if err != nil {
			return c, err
		}
		var buf bytes.Buffer
		if _, err := gguf.ConvertF16(&buf, bytes.NewReader(src), int64(len(src))); err != nil {
			return c, fmt.Errorf("demo: %s: %w", m.File, err)
		}
		sum := sha256.Sum256(buf.Bytes())
		m.Name = m.Name + ":" + VariantTag(quantize)
		m.Digest = "sha256:" + hex.EncodeToString(sum[:])
		m.Quantize, m.f16 = quantize, buf.Bytes()
		out.Models[i] = m
	}
	// The validation scores were measured on the F32 models: they still
	// name the pair (by the variants' names).
	out.Selection.ValPairs = map[string]float64{}
	for k, v := range c.Selection.ValPairs {
		if a, b, ok := strings.Cut(k, "+"); ok {
			tag := ":" + VariantTag(quantize)
			out.Selection.ValPairs[a+tag+"+"+b+tag] = v
		}
	}
	return out, nil
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
	// Selection is how the training script chose the temperature and k,
	// on the validation set; ValPairs is SLM-MUX's accuracy there (in %)
	// for every pair of pool models, keyed "a+b".
	Selection struct {
		ValPairs map[string]float64 `json:"val_pairs_mux"`
	} `json:"selection"`
}

// BestValPair is the pair of pool models with the best SLM-MUX accuracy
// on the validation set (ties: the first by name), as the training script
// measured it; nil when the catalog records none. The demo reports this
// pair on the test set, so the pair is not chosen on what it reports.
func (c Catalog) BestValPair() []string {
	var best string
	for k, acc := range c.Selection.ValPairs {
		if b := c.Selection.ValPairs[best]; best == "" || acc > b || acc == b && k < best {
			best = k
		}
	}
	a, b, ok := strings.Cut(best, "+")
	if !ok {
		return nil
	}
	return []string{a, b}
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

// RoleLarge marks the large generalist of the catalog.
const RoleLarge = "large"

// Pool returns the names of the models SLM-MUX selects from (all but the
// large one), in catalog order: validation accuracy, best first.
func (c Catalog) Pool() []string {
	var out []string
	for _, x := range c.Models {
		if x.Role != RoleLarge {
			out = append(out, x.Name)
		}
	}
	return out
}

// Large returns the large generalist, if the catalog has one.
func (c Catalog) Large() (Model, bool) {
	for _, x := range c.Models {
		if x.Role == RoleLarge {
			return x, true
		}
	}
	return Model{}, false
}

// Params returns the models' parameter counts by name.
func (c Catalog) Params() map[string]int {
	m := map[string]int{}
	for _, x := range c.Models {
		m[x.Name] = x.Params
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

// Digests maps each model's name to its digest.
func (c Catalog) Digests() map[string]string {
	out := map[string]string{}
	for _, x := range c.Models {
		out[x.Name] = x.Digest
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
