// Package runstore reads and writes a run folder, slmmux's public on-disk
// contract (documented in docs/formats.md):
//
//	DIR/run.json       Meta: benchmark, models with digests, options, prompt
//	DIR/items.jsonl    one Item per line: id, question, reference
//	DIR/samples.jsonl  one Sample per line, appended and fsynced as it arrives
//	DIR/results.json   written at the end of an eval
//	DIR/confidence.json  SLM-MUX under an eval's confidence signal
//	DIR/probe.json     the probe calibrate trained on the run (by default)
//
// [Create] makes or reopens a run folder, refusing other settings;
// [OpenWriter] appends samples, repairing a samples.jsonl whose last line was
// cut by a crash; [Load] reads a whole run for analysis, naming file and
// line on malformed input. A folder holding only samples.jsonl (with item,
// model, sample, answer, correct) is a valid input for offline commands.
package runstore

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// File names inside a run folder.
const (
	MetaFile    = "run.json"
	ItemsFile   = "items.jsonl"
	SamplesFile = "samples.jsonl"
	ResultsFile = "results.json"
	// ConfidenceFile is where eval writes SLM-MUX under its confidence
	// signal (other than consistency).
	ConfidenceFile = "confidence.json"
	// ProbeFile is where calibrate writes the run's probe by default, and
	// where report looks for one.
	ProbeFile = "probe.json"
)

// Sample is one line of samples.jsonl.
type Sample struct {
	Item         string  `json:"item"`
	Model        string  `json:"model"`
	Sample       int     `json:"sample"`
	Seed         *int    `json:"seed,omitempty"`
	Response     string  `json:"response"`
	Answer       string  `json:"answer"` // canonical, "" when none
	Correct      bool    `json:"correct"`
	PromptTokens int     `json:"prompt_tokens,omitempty"`
	OutputTokens int     `json:"output_tokens,omitempty"`
	DurationMS   float64 `json:"duration_ms,omitempty"` // server-reported total
	LoadMS       float64 `json:"load_ms,omitempty"`     // server-reported load
	Error        string  `json:"error,omitempty"`       // a failed generation (answer empty)
	// Kind is the question's answer kind: "code" or "text" (answer is then
	// the form compared: the normalized code, the trimmed reply); "" is a
	// short answer, compared by equality.
	Kind string `json:"kind,omitempty"`
	// AnswerStrict and AnswerFlexible are the answer under each extraction
	// mode, when the run recorded both ("answer" is the mode it votes on).
	AnswerStrict   *string `json:"answer_strict,omitempty"`
	AnswerFlexible *string `json:"answer_flexible,omitempty"`
	// Confidence signals' data, recorded when an eval's --confidence needs
	// it: the mean and min token log-probability of the whole reply
	// (logprob); the model's 0-100 rating of its reply read as [0, 1], the
	// rating reply and its tokens (verbalized); the reply's embedding
	// (embedding, probe).
	LogprobMean  *float64  `json:"logprob_mean,omitempty"`
	LogprobMin   *float64  `json:"logprob_min,omitempty"`
	Verbal       *float64  `json:"verbal_confidence,omitempty"`
	VerbalReply  *string   `json:"verbal_reply,omitempty"`
	VerbalTokens int       `json:"verbal_tokens,omitempty"`
	Embedding    []float32 `json:"embedding,omitempty"`
}

// Key identifies a sample.
type Key struct {
	Item   string
	Model  string
	Sample int
}

// Key returns s's identity.
func (s Sample) Key() Key { return Key{s.Item, s.Model, s.Sample} }

// Item is one line of items.jsonl.
type Item struct {
	ID        string `json:"id"`
	Question  string `json:"question"`
	Reference string `json:"reference"`
	Subject   string `json:"subject,omitempty"`
}

// Meta is run.json: what a run asked for, so that a resume can check it
// asks for the same thing.
type Meta struct {
	Benchmark string      `json:"benchmark"`
	Data      string      `json:"data"`
	Models    []ModelMeta `json:"models"`
	Samples   int         `json:"samples"`
	Seed      int         `json:"seed"`
	SeedMode  string      `json:"seed_mode,omitempty"` // item, or legacy ("": a run made before seed modes)
	// Adaptive, for a run collected with exact adaptive sampling, is the
	// tie-break order it is exact for; its samples are then not all stored.
	Adaptive      []string  `json:"adaptive,omitempty"`
	Temperature   float64   `json:"temperature"`
	NumPredict    int       `json:"num_predict,omitempty"`
	NumCtx        int       `json:"num_ctx,omitempty"`
	NumThread     int       `json:"num_thread,omitempty"`
	RepeatPenalty *float64  `json:"repeat_penalty,omitempty"`
	TopP          *float64  `json:"top_p,omitempty"`
	Limit         int       `json:"limit,omitempty"`
	PromptStyle   string    `json:"prompt_style"`
	PromptHash    string    `json:"prompt_hash"`          // sha256 of the first item's prompt
	ItemsHash     string    `json:"items_hash,omitempty"` // ItemsHash of items.jsonl
	Extractor     string    `json:"extractor,omitempty"`  // jsonl's extractor ("" = auto)
	Extract       string    `json:"extract,omitempty"`    // the mode votes use: strict ("") or flexible
	Created       time.Time `json:"created"`
	Version       string    `json:"slmmux_version,omitempty"`
	// Hosts are the backends that made samples, with their versions: one
	// entry per (host, version) seen, so a run resumed on another daemon
	// version lists both.
	Hosts []HostMeta `json:"hosts,omitempty"`
	// Sandbox is how isolated the sandbox that ran the run's code was
	// ("none"/"private": own network and file system; "shared" where the
	// kernel refused namespaces); nil when no code ran.
	Sandbox *SandboxMeta `json:"sandbox,omitempty"`
	// Methods are the discussion methods run over the folder's items
	// (eval --method), each with its settings and prompt texts.
	Methods []MethodMeta `json:"methods,omitempty"`
}

// SandboxMeta is the isolation of the sandbox that ran a run's code.
type SandboxMeta struct {
	Network    string `json:"network"`
	Filesystem string `json:"filesystem,omitempty"`
}

// SetSandbox records in DIR/run.json how the run's code was isolated.
func SetSandbox(dir string, sb SandboxMeta) error {
	var m Meta
	if err := ReadJSON(dir, MetaFile, &m); err != nil {
		return err
	}
	if m.Sandbox != nil && *m.Sandbox == sb {
		return nil
	}
	m.Sandbox = &sb
	return WriteJSON(dir, MetaFile, m)
}

// MethodMeta is a discussion method of a run: its settings and the fixed
// texts of its prompts.
type MethodMeta struct {
	Method   string            `json:"method"`
	Settings json.RawMessage   `json:"settings,omitempty"`
	Prompts  map[string]string `json:"prompts,omitempty"`
}

// ModelMeta names a model of the run and its digest.
type ModelMeta struct {
	Name   string `json:"name"`
	Digest string `json:"digest,omitempty"`
	// Options are the sampling options every request to the model sent
	// (each sample's seed aside: seed and seed_mode give it).
	Options *Sent `json:"options,omitempty"`
}

// Sent is the options a run's requests to one model sent.
type Sent struct {
	Temperature   *float64 `json:"temperature,omitempty"`
	TopK          int      `json:"top_k,omitempty"`
	TopP          *float64 `json:"top_p,omitempty"`
	RepeatPenalty *float64 `json:"repeat_penalty,omitempty"`
	NumCtx        int      `json:"num_ctx,omitempty"`
	NumPredict    int      `json:"num_predict,omitempty"`
	NumThread     int      `json:"num_thread,omitempty"`
}

// HostMeta is a backend that made samples of a run.
type HostMeta struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"` // "ollama 0.24.0"; "" when the backend does not say
}

// WriteJSON writes v to DIR/name atomically (temp file, fsync, rename).
func WriteJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(dir, name, append(b, '\n'))
}

func writeAtomic(dir, name string, data []byte) error {
	err := WriteFile(filepath.Join(dir, name), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// WriteFile writes path atomically: write fills a temporary file beside
// it, which is synced, made 0644 (as run files are) and renamed over path,
// so that a killed writer never leaves a half-written file.
func WriteFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes 0600
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadJSON reads DIR/name into v.
func ReadJSON(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// WriteJSONL writes one JSON line per element of rows to DIR/name,
// atomically.
func WriteJSONL[T any](dir, name string, rows []T) error {
	var buf []byte
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	return writeAtomic(dir, name, buf)
}
