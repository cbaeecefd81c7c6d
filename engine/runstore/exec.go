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
	err := readLog(filepath.Join(dir, ExecFile), Verdict.Key, func(v Verdict) { out[v.Key()] = v })
	return out, err
}

// VerdictWriter appends verdicts to DIR/exec.jsonl, each line written and
// fsynced as it comes (a verdict can cost seconds of execution; losing one
// costs more than an fsync). It is safe for concurrent use.
type VerdictWriter = Log[Key, Verdict]

// OpenVerdicts opens DIR/exec.jsonl for appending, cutting off a last line
// a crash left incomplete. Done reports the samples already graded.
func OpenVerdicts(dir string) (*VerdictWriter, error) {
	return OpenLog(filepath.Join(dir, ExecFile), Verdict.Key)
}

// Log is an append-only JSONL file of records identified by a key: each
// record is written and fsynced as it comes, a record whose key is stored
// already is not written again, and a last line cut by a crash is cut off
// when the log is opened. It is safe for concurrent use.
type Log[K comparable, T any] struct {
	mu   sync.Mutex
	f    *os.File
	key  func(T) K
	done map[K]bool
}

// OpenLog opens the log at path for appending; key identifies a record.
func OpenLog[K comparable, T any](path string, key func(T) K) (*Log[K, T], error) {
	done := map[K]bool{}
	cut, err := scanLog(path, key, func(v T) { done[key(v)] = true })
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	f, err := openAppend(path, cut)
	if err != nil {
		return nil, err
	}
	return &Log[K, T]{f: f, key: key, done: done}, nil
}

// openAppend opens the JSONL file at path for appending (creating it),
// first cutting it at cut when that is not -1 (a last line a crash left
// incomplete) and ending a whole last line that lacks its newline.
func openAppend(path string, cut int64) (*os.File, error) {
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
	return f, nil
}

// Done reports whether a record with key k is stored.
func (l *Log[K, T]) Done(k K) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.done[k]
}

// Append writes v as one line and fsyncs; a record whose key is stored
// already is not written again.
func (l *Log[K, T]) Append(v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done[l.key(v)] {
		return nil
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("append to %s: %w", l.f.Name(), err)
	}
	l.done[l.key(v)] = true
	return l.f.Sync()
}

// Close closes the file.
func (l *Log[K, T]) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// readLog calls fn with each record of the log at path, the first of each
// key (none when the file does not exist).
func readLog[K comparable, T any](path string, key func(T) K, fn func(T)) error {
	_, err := scanLog(path, key, fn)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// scanLog calls fn for the first record of each key and returns the offset
// where a crash's last line starts (-1 when the file is whole): one cut
// short, or one that is not JSON at all (a block of NULs), as samples.jsonl
// is read. A malformed line above the last is a *LineError.
func scanLog[K comparable, T any](path string, key func(T) K, fn func(T)) (cut int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return -1, err
	}
	seen := map[K]bool{}
	var off int64
	for line := 1; len(data) > 0; line++ {
		i := bytes.IndexByte(data, '\n')
		whole := i >= 0
		if !whole {
			i = len(data)
		}
		if b := bytes.TrimSpace(data[:i]); len(b) > 0 {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				if !whole || !json.Valid(b) && len(bytes.TrimSpace(data[i+1:])) == 0 {
					return off, nil // the last line, cut or not even JSON: a crash's artefact
				}
				return -1, &LineError{File: path, Line: line, Err: err}
			}
			if k := key(v); !seen[k] {
				seen[k] = true
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

// BehaviourFile holds, for a run of code questions grouped by behaviour,
// what each sample's code gave on the question's visible examples.
const BehaviourFile = "behaviour.jsonl"

// Behaviour is one line of behaviour.jsonl.
type Behaviour struct {
	Item   string `json:"item"`
	Model  string `json:"model"`
	Sample int    `json:"sample"`
	// Output is what the examples gave, one repr a line; "" when the code
	// did not run to its end.
	Output string `json:"output"`
}

// Key returns the line's sample.
func (b Behaviour) Key() Key { return Key{b.Item, b.Model, b.Sample} }

// ReadBehaviours reads DIR/behaviour.jsonl (none: an empty map).
func ReadBehaviours(dir string) (map[Key]string, error) {
	out := map[Key]string{}
	err := readLog(filepath.Join(dir, BehaviourFile), Behaviour.Key, func(b Behaviour) { out[b.Key()] = b.Output })
	return out, err
}

// OpenBehaviours opens DIR/behaviour.jsonl for appending.
func OpenBehaviours(dir string) (*Log[Key, Behaviour], error) {
	return OpenLog(filepath.Join(dir, BehaviourFile), Behaviour.Key)
}
