package runstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ExecFile holds the verdicts of a run whose answers are judged by running
// or checking the whole reply (code against tests in the sandbox, text
// against IFEval's instructions): one line per graded sample. Re-scoring
// and offline replay read it and never execute again.
const ExecFile = "exec.jsonl"

// Verdict is one line of exec.jsonl: a sample's grade.
type Verdict struct {
	Item   string `json:"item"`
	Model  string `json:"model"`
	Sample int    `json:"sample"`
	Pass   bool   `json:"pass"`
	// Reason says why it failed ("" when it passed).
	Reason string `json:"reason,omitempty"`
	// Detail is the benchmark's own (IFEval: the strict and loose outputs).
	Detail json.RawMessage `json:"detail,omitempty"`
	// Network says how the sandbox isolated the code ("none": its own empty
	// network namespace; "shared" where the kernel refused one).
	Network string `json:"network,omitempty"`
}

// Key returns the verdict's sample.
func (v Verdict) Key() Key { return Key{v.Item, v.Model, v.Sample} }

// ReadVerdicts reads DIR/exec.jsonl (none: an empty map). A last line cut
// by a crash is skipped; a malformed line above it is a *LineError. A
// repeated sample keeps its first verdict.
func ReadVerdicts(dir string) (map[Key]Verdict, error) {
	out := map[Key]Verdict{}
	_, err := scanVerdicts(filepath.Join(dir, ExecFile), func(v Verdict) { out[v.Key()] = v })
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	return out, err
}

// scanVerdicts calls fn for each verdict line and returns the offset where
// a crash-cut last line starts (-1 when the file is whole).
func scanVerdicts(path string, fn func(Verdict)) (cut int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return -1, err
	}
	seen := map[Key]bool{}
	var off int64
	line := 0
	for len(data) > 0 {
		line++
		i := bytes.IndexByte(data, '\n')
		whole := i >= 0
		if !whole {
			i = len(data)
		}
		b := bytes.TrimSpace(data[:i])
		if len(b) > 0 {
			var v Verdict
			if err := json.Unmarshal(b, &v); err != nil {
				if !whole {
					return off, nil // cut by a crash
				}
				return -1, &LineError{File: path, Line: line, Err: err}
			}
			if !seen[v.Key()] {
				seen[v.Key()] = true
				fn(v)
			}
		}
		if !whole {
			break
		}
		off += int64(i + 1)
		data = data[i+1:]
	}
	return -1, nil
}

// VerdictWriter appends verdicts to DIR/exec.jsonl, each line written and
// fsynced as it comes (a verdict can cost seconds of execution; losing one
// costs more than an fsync). It is safe for concurrent use.
type VerdictWriter struct {
	mu   sync.Mutex
	f    *os.File
	done map[Key]bool
}

// OpenVerdicts opens DIR/exec.jsonl for appending, cutting off a last line
// a crash left incomplete. Done reports the samples already graded.
func OpenVerdicts(dir string) (*VerdictWriter, error) {
	path := filepath.Join(dir, ExecFile)
	done := map[Key]bool{}
	cut, err := scanVerdicts(path, func(v Verdict) { done[v.Key()] = true })
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if cut >= 0 {
		if err := os.Truncate(path, cut); err != nil {
			return nil, fmt.Errorf("repair %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	if err := endLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("repair %s: %w", path, err)
	}
	return &VerdictWriter{f: f, done: done}, nil
}

// Done reports whether sample k already has a verdict.
func (w *VerdictWriter) Done(k Key) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done[k]
}

// Append writes v as one line and fsyncs; a sample already graded is not
// written again.
func (w *VerdictWriter) Append(v Verdict) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done[v.Key()] {
		return nil
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("append verdict: %w", err)
	}
	w.done[v.Key()] = true
	return w.f.Sync()
}

// Close closes the file.
func (w *VerdictWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}
