package benchmark

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// MaxDataBytes bounds a data file (the largest of the paper's is under
// 1 MB), so that a wrong path such as /dev/zero fails instead of filling
// memory.
const MaxDataBytes = 256 << 20

// ErrTooLarge reports a data file over MaxDataBytes.
var ErrTooLarge = errors.New("data file too large")

// readData reads a data file, naming the path in every error.
func readData(bench, path string) ([]byte, error) {
	f, err := openData(bench, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(limitData(f))
	if err != nil {
		return nil, fmt.Errorf("benchmark: %s: %s: %w", bench, path, err)
	}
	return data, nil
}

// openData opens the data file path of benchmark bench, refusing what is
// not a regular file.
func openData(bench, path string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("benchmark: %s: data file %s not found: %w", bench, path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("benchmark: %s: read data file: %w", bench, err)
	}
	if err := regular(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("benchmark: %s: %s: %w", bench, path, err)
	}
	return f, nil
}

// readJSONL calls each for every non-blank line of a JSONL data file
// (a byte-order mark before the first is dropped). An error names the
// file and the line.
func readJSONL(bench, path string, each func(line int, text []byte) error) error {
	f, err := openData(bench, path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(limitData(f))
	for line := 1; ; line++ {
		text, readErr := r.ReadBytes('\n')
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return fmt.Errorf("benchmark: %s: %s:%d: %w", bench, path, line, readErr)
		}
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
		}
		if len(bytes.TrimSpace(text)) > 0 {
			if err := each(line, text); err != nil {
				return fmt.Errorf("benchmark: %s: %s:%d: %w", bench, path, line, err)
			}
		}
		if readErr != nil {
			return nil
		}
	}
}

// regular refuses devices (/dev/zero would never end).
func regular(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Mode()&(os.ModeDevice|os.ModeCharDevice|os.ModeDir) != 0 {
		return fmt.Errorf("not a data file but a %v: give the path of a JSON or JSONL file", st.Mode().Type())
	}
	return nil
}

// limitData reads r, failing with ErrTooLarge past MaxDataBytes.
func limitData(r io.Reader) io.Reader { return &limitedReader{r: r, left: MaxDataBytes} }

type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, int64(MaxDataBytes))
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// position maps byte offsets of one file to line numbers. Offsets must be
// asked for in increasing order, which keeps the whole scan linear.
type position struct {
	data []byte
	off  int
	line int
}

func (p *position) lineAt(off int) int {
	if p.line == 0 {
		p.line = 1
	}
	off = min(off, len(p.data))
	if off > p.off {
		p.line += bytes.Count(p.data[p.off:off], []byte{'\n'})
		p.off = off
	}
	return p.line
}

// decodeArray calls each for every element of the JSON array in data,
// which may also be wrapped as {"data": [...]}. line is the element's line.
func decodeArray(bench, path string, data []byte, each func(i, line int, raw json.RawMessage) error) error {
	pos := &position{data: data}
	syntaxErr := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("benchmark: %s: %s:%d: invalid JSON: %w", bench, path, pos.lineAt(int(se.Offset)), err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("benchmark: %s: %s: truncated JSON: %w", bench, path, err)
		}
		return fmt.Errorf("benchmark: %s: %s: %w", bench, path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	wrapped, err := enterArray(dec)
	if err != nil {
		return syntaxErr(err)
	}
	for i := 0; dec.More(); i++ {
		start := int(dec.InputOffset())
		for start < len(data) && (isJSONSpace(data[start]) || data[start] == ',') {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxErr(err)
		}
		if err := each(i, pos.lineAt(start), raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return syntaxErr(err)
	}
	if _, err := dec.Token(); !wrapped && !errors.Is(err, io.EOF) {
		return fmt.Errorf("benchmark: %s: %s:%d: unexpected data after the item array", bench, path, pos.lineAt(int(dec.InputOffset())))
	}
	return nil
}

// enterArray consumes tokens up to the opening bracket of the item array
// and reports whether it sits inside a {"data": [...]} wrapper.
func enterArray(dec *json.Decoder) (wrapped bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	if tok == json.Delim('{') {
		wrapped = true
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return true, err
			}
			if key == "data" {
				tok, err = dec.Token()
				if err != nil {
					return true, err
				}
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return true, err
			}
		}
	}
	if tok != json.Delim('[') {
		return wrapped, errors.New(`want a JSON array of items (or {"data": [...]})`)
	}
	return wrapped, nil
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// itemError reports a problem with one item of a JSON array file.
func itemError(bench, path string, i, line int, format string, args ...any) error {
	return fmt.Errorf("benchmark: %s: %s:%d: item %d: %s", bench, path, line, i, fmt.Sprintf(format, args...))
}

// jsonText returns a JSON string's value, or a JSON number's literal text.
func jsonText(raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true
	}
	return "", false
}

// jsonLevel reads a MATH level given as 5, "5" or "Level 5"; 0 when absent.
func jsonLevel(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, true
	}
	s, ok := jsonText(raw)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "Level"))
	if s == "?" || s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// uniqueIDs rejects duplicate item ids.
type uniqueIDs map[string]int

func (u uniqueIDs) add(id string, line int) error {
	if prev, dup := u[id]; dup {
		return fmt.Errorf("duplicate id %q (first on line %d)", id, prev)
	}
	u[id] = line
	return nil
}
