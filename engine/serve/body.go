package serve

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// peekKeysErr finds the string values of the given top-level keys of a JSON
// object body (matched as encoding/json matches field names, without
// regard to case; the first occurrence counts), reading no further than
// the last of them and never more than limit bytes. A key whose value is
// not a string is found with "". r.Body is replaced by what was read
// followed by the rest, so the body passes on byte for byte; at most
// about 2 x limit bytes are held while peeking, and none after.
//
// This is how a request is routed before its body is decoded: only an
// ensemble's request is read whole (and bounded, and typed); any other
// streams on to the upstream as the client sends it. The error is what
// reading the body met (a body deadline, a broken connection; nil at its
// end or at a JSON error, which the upstream judges).
func peekKeysErr(r *http.Request, limit int64, keys ...string) (map[string]string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return map[string]string{}, nil
	}
	rec := &readErr{r: r.Body}
	found := peekFrom(r, rec, limit, keys)
	return found, rec.err
}

// readErr remembers the first error of its reader other than io.EOF.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

func peekFrom(r *http.Request, src io.Reader, limit int64, keys []string) map[string]string {
	found := map[string]string{}
	orig := r.Body
	var buf bytes.Buffer
	defer func() { r.Body = replayBody{Reader: io.MultiReader(&buf, orig), Closer: orig} }()
	dec := json.NewDecoder(io.LimitReader(io.TeeReader(src, &buf), limit))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return found
	}
	for len(found) < len(keys) && dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		if err != nil || !ok {
			return found
		}
		want := ""
		for _, key := range keys {
			if _, seen := found[key]; !seen && strings.EqualFold(k, key) {
				want = key
			}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return found
		}
		if want != "" {
			var s string
			_ = json.Unmarshal(v, &s) // not a string: ""
			found[want] = s
		}
	}
	return found
}

// replayBody is a request body that was partly read: what was read, then
// the rest; closing it closes the original.
type replayBody struct {
	io.Reader
	io.Closer
}

// readBody reads an ensemble's request body whole, at most MaxBody bytes
// (413 past it), and decodes it into v, answering 400 for malformed JSON
// (naming the field of a wrong type). It puts the body back so a
// passthrough can still send it on unchanged.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes (an ensemble's request is bounded; requests for other models are not)", mbe.Limit))
		return false
	case s.bodyTimedOut(w, r, err):
		return false
	case err != nil:
		s.fail(w, r, http.StatusBadRequest, "reading the request body: "+err.Error())
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("field %q: want %v, got %s", te.Field, te.Type, te.Value))
		} else {
			s.fail(w, r, http.StatusBadRequest, "malformed JSON: "+err.Error())
		}
		return false
	}
	return true
}

// ensembleRequest routes a request by its model: one for an ensemble is
// read whole into req (bounded and typed) and its ensemble returned; any
// other is passed through to the upstream unchanged and unread, the
// model found by peeking at the body (the first "model" key within
// MaxBody bytes; none found: passed through). ok is false once the
// response is written (passed through, or an error). keys are the body's
// keys that name the model, the first found winning ("model" when none
// are given).
func (s *Server) ensembleRequest(w http.ResponseWriter, r *http.Request, req any, model func() string, keys ...string) (e *Ensemble, ok bool) {
	if len(keys) == 0 {
		keys = []string{"model"}
	}
	peek, err := peekKeysErr(r, s.cfg.MaxBody, keys...)
	if s.bodyTimedOut(w, r, err) {
		return nil, false
	}
	m := ""
	for _, k := range keys {
		m = cmp.Or(m, peek[k])
	}
	if s.ensemble(m) == nil {
		setModel(r, m)
		s.passThrough(w, r)
		return nil, false
	}
	if !s.readBody(w, r, req) {
		return nil, false
	}
	m = model()
	setModel(r, m)
	if e = s.ensemble(m); e == nil {
		s.passThrough(w, r)
		return nil, false
	}
	return e, s.jsonBody(w, r) // an ensemble's body must be declared JSON; a passthrough's is the daemon's to judge
}
