package runstore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// LineError is a malformed line of a JSONL file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%s:%d: %v (fix or delete that line; slmmux never edits lines above the last)", e.File, e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Scan reads samples.jsonl at path, calling fn for each sample. A last line
// without its newline that does not parse, or a last line that is not
// JSON at all (a line cut by a crash, or the block of NULs a crash can
// leave at a file's end), is a crash's artefact: Scan skips it and returns its byte offset as cut (-1 when the
// file is whole), so a writer can truncate there. A malformed line above
// the last is a *LineError.
func Scan(path string, fn func(Sample) error) (cut int64, err error) {
	return scan(path, true, func(s Sample, _ int) error { return fn(s) })
}

// scan calls fn with each sample and its line number.
func scan(path string, response bool, fn func(Sample, int) error) (cut int64, err error) {
	in := map[string]string{}
	return scanWith(path, func(b []byte, _ bool) (Sample, error) { return decodeInterned(b, response, in) }, fn)
}

func scanWith(path string, decode func([]byte, bool) (Sample, error), fn func(Sample, int) error) (cut int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return -1, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	var off int64
	for line := 1; ; line++ {
		b, rerr := r.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), b...)
			for rerr == bufio.ErrBufferFull {
				b, rerr = r.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if len(b) == 0 && rerr == io.EOF {
			return -1, nil
		}
		if rerr != nil && rerr != io.EOF {
			return -1, rerr
		}
		whole := rerr == nil
		trimmed := bytes.TrimSpace(b)
		if len(trimmed) > 0 {
			s, perr := decode(trimmed, true)
			if perr != nil {
				if !whole || !json.Valid(trimmed) && restBlank(r) {
					return off, nil // the last line, not even JSON: a crash's artefact
				}
				return -1, &LineError{File: path, Line: line, Err: perr}
			}
			if err := fn(s, line); err != nil {
				return -1, err
			}
		}
		off += int64(len(b))
		if !whole {
			return -1, nil
		}
	}
}

// restBlank reads r to its end and reports whether all of it was white
// space (or nothing).
func restBlank(r *bufio.Reader) bool {
	for {
		b, err := r.ReadSlice('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			return false
		}
		if err != nil && err != bufio.ErrBufferFull {
			return err == io.EOF
		}
	}
}

// ErrNoSamples reports a folder without samples.jsonl (or with an empty
// one): nothing to analyse.
var ErrNoSamples = errors.New("no samples")

// ReadSamples reads every sample of DIR/samples.jsonl, responses included.
// A repeated (item, model, sample) keeps its first line; one that gives
// another answer is a *LineError naming both lines. A missing file is an
// error wrapping both ErrNoSamples and os.ErrNotExist.
func ReadSamples(dir string) ([]Sample, error) {
	return readSamples(dir, true)
}

func readSamples(dir string, response bool) ([]Sample, error) {
	path := filepath.Join(dir, SamplesFile)
	// One slot per line, counted first: growing a slice of samples
	// (large structs) by doubling cost a third of a 22,500-line load.
	out := make([]Sample, 0, countLines(path))
	seen := make(map[Key]int, cap(out)) // key -> index in out
	lines := make([]int32, 0, cap(out))
	_, err := scan(path, response, func(s Sample, line int) error {
		i, dup := seen[s.Key()]
		if !dup {
			seen[s.Key()] = len(out)
			out = append(out, s)
			lines = append(lines, int32(line))
			return nil
		}
		if first := out[i]; first.Answer != s.Answer || first.Correct != s.Correct {
			return &LineError{File: path, Line: line, Err: fmt.Errorf(
				"item %q, model %q, sample %d is also on line %d with another answer (%q, not %q): keep one of the two lines",
				s.Item, s.Model, s.Sample, lines[i], first.Answer, s.Answer)}
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, &noSamplesError{dir: dir, err: err}
	}
	return out, err
}

// noSamplesError is a run folder without samples.jsonl: it is ErrNoSamples
// and unwraps to the file system's error.
type noSamplesError struct {
	dir string
	err error
}

func (e *noSamplesError) Error() string {
	return fmt.Sprintf("%s has no %s: no samples to analyse", e.dir, SamplesFile)
}
func (e *noSamplesError) Is(target error) bool { return target == ErrNoSamples }
func (e *noSamplesError) Unwrap() error        { return e.err }

// Writer appends samples to DIR/samples.jsonl, a line each as they arrive,
// fsynced at least every 100 ms and on Close. It is safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	f        *os.File
	done     map[Key]string // stored samples and their answers
	lastSync time.Time
}

// syncEvery bounds how often Append fsyncs. Each line is written to the
// file at once, so a killed process loses nothing; only a power cut can lose
// what was written since the last fsync. An fsync per sample cost eval
// about 10 % against direct requests (BenchmarkEvalOverhead).
const syncEvery = 100 * time.Millisecond

// OpenWriter opens DIR/samples.jsonl for appending, first cutting off a
// last line left incomplete by a crash. Done reports the samples already
// stored.
func OpenWriter(dir string) (*Writer, error) {
	path := filepath.Join(dir, SamplesFile)
	done := map[Key]string{}
	cut, err := Scan(path, func(s Sample) error { done[s.Key()] = s.Answer; return nil })
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	f, err := openAppend(path, cut)
	if err != nil {
		return nil, err
	}
	return &Writer{f: f, done: done}, nil
}

// Done reports whether the sample is already stored.
func (w *Writer) Done(k Key) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.done[k]
	return ok
}

// Answer returns a stored sample's answer ("" when none was extracted).
func (w *Writer) Answer(k Key) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.done[k]
	return a, ok
}

// Count returns how many samples are stored.
func (w *Writer) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.done)
}

// Append writes s as one line; it fsyncs at most every syncEvery (and on
// Close). A sample already stored is not written again.
func (w *Writer) Append(s Sample) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.done[s.Key()]; ok {
		return nil
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("append sample: %w", err)
	}
	w.done[s.Key()] = s.Answer
	if time.Since(w.lastSync) >= syncEvery {
		w.lastSync = time.Now()
		if err := w.f.Sync(); err != nil {
			return fmt.Errorf("append sample: %w", err)
		}
	}
	return nil
}

// Close fsyncs and closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	serr := w.f.Sync()
	if err := w.f.Close(); err != nil {
		return err
	}
	return serr
}

// endLine adds the newline a whole last line may lack (a crash can cut a
// line right after its closing brace), so the next append starts a line.
func endLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte{'\n'})
	}
	return err
}

// ReadItems reads DIR/items.jsonl, naming the line of a malformed entry.
func ReadItems(dir string) ([]Item, error) {
	path := filepath.Join(dir, ItemsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var it Item
		if err := json.Unmarshal(b, &it); err != nil {
			return nil, &LineError{File: path, Line: line, Err: err}
		}
		out = append(out, it)
	}
	return out, sc.Err()
}

// countLines counts the newlines of the file at path (0 when it cannot be
// read: the scan then reports why).
func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	n := 0
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n + 1 // a last line without its newline
		}
	}
}
