package runstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrMismatch reports a run folder made with other settings than the ones
// asked for: resuming it would mix two runs' samples.
var ErrMismatch = errors.New("run folder made with other settings")

// MismatchError names the settings that differ; it wraps ErrMismatch.
type MismatchError struct {
	Dir    string
	Fields []string // e.g. `temperature 0.3, not 0.7`
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: %v: %s", e.Dir, ErrMismatch, strings.Join(e.Fields, "; "))
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Check reports whether dir may hold a run of meta and items: a folder
// that does not exist yet, or one made with the same settings. A
// difference is a *MismatchError naming every differing field; a folder
// holding samples but no run.json is refused too. Check writes nothing.
func Check(dir string, meta Meta, items []Item) error {
	_, err := check(dir, meta, items)
	return err
}

// check returns the folder's run.json (nil when there is none).
func check(dir string, meta Meta, items []Item) (*Meta, error) {
	if meta.ItemsHash == "" {
		meta.ItemsHash = ItemsHash(items)
	}
	var old Meta
	err := ReadJSON(dir, MetaFile, &old)
	switch {
	case err == nil:
		if diff := old.Diff(meta); len(diff) > 0 {
			return nil, &MismatchError{Dir: dir, Fields: diff}
		}
		return &old, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	if st, serr := os.Stat(filepath.Join(dir, SamplesFile)); serr == nil && st.Size() > 0 {
		return nil, &MismatchError{Dir: dir, Fields: []string{"it holds " + SamplesFile + " but no " + MetaFile + ", so its settings are unknown"}}
	}
	return nil, nil
}

// Create makes dir a run folder for meta and items, or reopens one made
// with the same settings (see Check), and takes it for this process: a
// second writer fails at once with a *LockedError naming the process that
// holds it. It keeps the models of earlier calls, removes temporary files
// a killed process left, and writes items.jsonl and run.json. On refusal it
// writes nothing. The caller closes the Lock when done writing.
func Create(dir string, meta Meta, items []Item) (*Lock, error) {
	if _, err := check(dir, meta, items); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := lock(dir)
	if err != nil {
		return nil, err
	}
	// Check again under the lock: the holder may have changed run.json.
	old, err := check(dir, meta, items)
	if err != nil {
		l.Close()
		return nil, err
	}
	if meta.ItemsHash == "" {
		meta.ItemsHash = ItemsHash(items)
	}
	if old != nil {
		l.Notes = versionNotes(old.Hosts, meta.Hosts)
		meta.Models = mergeModels(old.Models, meta.Models)
		meta.Hosts = mergeHosts(old.Hosts, meta.Hosts)
		meta.Methods = mergeMethods(old.Methods, meta.Methods)
		meta.Created = old.Created
	}
	removeTemps(dir)
	if err := WriteJSONL(dir, ItemsFile, items); err != nil {
		l.Close()
		return nil, err
	}
	if err := WriteJSON(dir, MetaFile, meta); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// mergeMethods keeps the earlier calls' methods and adds the new ones
// (Diff refuses one whose settings changed).
func mergeMethods(old, cur []MethodMeta) []MethodMeta {
	out := append([]MethodMeta(nil), old...)
	for _, m := range cur {
		if !slices.ContainsFunc(out, func(o MethodMeta) bool { return o.Method == m.Method }) {
			out = append(out, m)
		}
	}
	return out
}

// mergeHosts keeps every (host, version) of the earlier calls and adds the
// new ones.
func mergeHosts(old, cur []HostMeta) []HostMeta {
	out := append([]HostMeta(nil), old...)
	for _, h := range cur {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// versionNotes says which hosts now run another version than the one
// that made the run's earlier samples.
func versionNotes(old, cur []HostMeta) []string {
	var notes []string
	for _, h := range cur {
		var before []string
		for _, o := range old {
			if o.Name == h.Name && o.Version != h.Version && o.Version != "" && h.Version != "" {
				before = append(before, o.Version)
			}
		}
		if len(before) > 0 && !slices.Contains(old, h) {
			notes = append(notes, fmt.Sprintf("host %s now runs %s; earlier samples of this run came from %s. "+
				"Every request pins temperature, top_k, top_p, repeat_penalty, num_ctx, num_predict and the seed "+
				"(run.json: models[].options), so the settings match, but the daemon's sampler itself may differ: "+
				"compare the two versions' samples before mixing them, or start a new run folder",
				h.Name, h.Version, strings.Join(before, ", ")))
		}
	}
	return notes
}

// mergeModels keeps the earlier calls' models in their order and adds the
// new ones after them.
func mergeModels(old, cur []ModelMeta) []ModelMeta {
	out := append([]ModelMeta(nil), old...)
	for _, m := range cur {
		if i := slices.IndexFunc(out, func(x ModelMeta) bool { return x.Name == m.Name }); i >= 0 {
			if m.Digest != "" {
				out[i].Digest = m.Digest
			}
			if m.Options != nil {
				out[i].Options = m.Options
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

// Diff lists the settings in which cur differs from m, the folder's
// run.json: everything that changes a sample or how it is scored. Fields
// an older run.json lacks (empty) are not compared.
func (m Meta) Diff(cur Meta) []string {
	var d []string
	add := func(name string, old, now any) {
		if fmt.Sprint(old) != fmt.Sprint(now) {
			d = append(d, fmt.Sprintf("%s %v, not %v", name, old, now))
		}
	}
	add("benchmark", m.Benchmark, cur.Benchmark)
	add("samples", m.Samples, cur.Samples)
	add("seed", m.Seed, cur.Seed)
	add("seed_mode", orLegacy(m.SeedMode), orLegacy(cur.SeedMode))
	if len(m.Adaptive) > 0 || len(cur.Adaptive) > 0 {
		add("adaptive", m.Adaptive, cur.Adaptive)
	}
	add("temperature", m.Temperature, cur.Temperature)
	add("num_predict", m.NumPredict, cur.NumPredict)
	add("num_ctx", m.NumCtx, cur.NumCtx)
	add("repeat_penalty", deref(m.RepeatPenalty), deref(cur.RepeatPenalty))
	add("top_p", deref(m.TopP), deref(cur.TopP))
	add("limit", m.Limit, cur.Limit)
	add("prompt_style", m.PromptStyle, cur.PromptStyle)
	if m.Extractor != "" || cur.Extractor != "" {
		add("extractor", orAuto(m.Extractor), orAuto(cur.Extractor))
	}
	if m.Extract != "" || cur.Extract != "" {
		add("extract", orStrict(m.Extract), orStrict(cur.Extract))
	}
	for _, c := range cur.Methods {
		for _, o := range m.Methods {
			if o.Method == c.Method && (compact(o.Settings) != compact(c.Settings) || !maps.Equal(o.Prompts, c.Prompts)) {
				d = append(d, fmt.Sprintf("method %s: settings %s, not %s (or other prompts)", c.Method, compact(o.Settings), compact(c.Settings)))
			}
		}
	}
	if m.PromptHash != cur.PromptHash {
		d = append(d, "prompt_hash: another prompt (prompt style or data file)")
	}
	if m.ItemsHash != "" && m.ItemsHash != cur.ItemsHash {
		d = append(d, "items_hash: other questions or reference answers (another data file, or it changed)")
	}
	return d
}

// compact is JSON without its white space (run.json indents what it holds).
func compact(b json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// orLegacy reads a run.json without seed_mode as made with seeds S+j.
func orLegacy(s string) string {
	if s == "" {
		return "legacy"
	}
	return s
}

func orStrict(s string) string {
	if s == "" {
		return "strict"
	}
	return s
}

func orAuto(s string) string {
	if s == "" {
		return "auto"
	}
	return s
}

// deref shows an optional setting: its value, or 0 for the default.
func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// ItemsHash is a hash of every item's id, question and reference, in
// order: two runs with the same hash asked the same questions.
func ItemsHash(items []Item) string {
	h := sha256.New()
	for _, it := range items {
		for _, s := range []string{it.ID, it.Question, it.Reference} {
			fmt.Fprintf(h, "%d:%s", len(s), s)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Run is a run folder read for analysis, each file once.
type Run struct {
	Dir     string
	Meta    *Meta    // nil when the folder has no run.json
	Items   []Item   // nil when it has no items.jsonl
	Samples []Sample // without their response texts
	Notes   []string // what could not be read, for a person
	// Graded counts the samples whose correct comes from a verdict in
	// exec.jsonl (a run judged by execution or instruction checks).
	Graded int
}

// Load reads a run folder for analysis: its samples (required; without
// them the error wraps ErrNoSamples), and run.json and items.jsonl when
// present (an unreadable one becomes a note). Response texts are not kept.
// A sample graded in exec.jsonl takes its verdict as its correct.
func Load(dir string) (*Run, error) {
	r := &Run{Dir: dir}
	var m Meta
	switch err := ReadJSON(dir, MetaFile, &m); {
	case err == nil:
		r.Meta = &m
	case !errors.Is(err, os.ErrNotExist):
		r.Notes = append(r.Notes, fmt.Sprintf("%s could not be read: %v", MetaFile, err))
	}
	items, err := ReadItems(dir)
	switch {
	case err == nil:
		r.Items = items
	case !errors.Is(err, os.ErrNotExist):
		r.Notes = append(r.Notes, fmt.Sprintf("%s could not be read (no per-subject accuracy): %v", ItemsFile, err))
	}
	if r.Samples, err = readSamples(dir, false); err != nil {
		return nil, err
	}
	if len(r.Samples) == 0 {
		return nil, fmt.Errorf("%s holds %w", filepath.Join(dir, SamplesFile), ErrNoSamples)
	}
	verdicts, err := ReadVerdicts(dir)
	if err != nil {
		return nil, err
	}
	for i, s := range r.Samples {
		if v, ok := verdicts[s.Key()]; ok {
			r.Samples[i].Correct = v.Pass
			r.Graded++
		}
	}
	return r, nil
}
