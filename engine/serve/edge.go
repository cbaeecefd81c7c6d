package serve

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// hostAllowed says whether the server answers a request sent to host (the
// Host header): always, unless Config.CheckHost is set; then only IP
// literals, localhost and Config.AllowHosts, with any port. A page whose
// own name rebinds to 127.0.0.1 sends its name, and is refused.
func (s *Server) hostAllowed(host string) bool {
	if !s.cfg.CheckHost || host == "" {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if net.ParseIP(name) != nil || name == "localhost" {
		return true
	}
	for _, a := range s.cfg.AllowHosts {
		if strings.EqualFold(name, strings.TrimSuffix(a, ".")) {
			return true
		}
	}
	return false
}

// refuseHost answers a request whose Host the server does not answer.
func (s *Server) refuseHost(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("Host %q is not served on this loopback address (a page whose name resolves to 127.0.0.1 would send it): reach it as 127.0.0.1 or localhost", r.Host)
	if s.cfg.HostHint != "" {
		msg += ", or " + s.cfg.HostHint
	}
	s.fail(w, r, http.StatusForbidden, msg)
}

// jsonBody says whether r's body is declared JSON (Content-Type
// application/json, parameters allowed); if not it answers 415. The
// server's own answers require it: a browser sends a cross-origin POST of
// JSON only after a CORS preflight, while a text/plain "simple" POST
// needs none.
func (s *Server) jsonBody(w http.ResponseWriter, r *http.Request) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/json" {
		return true
	}
	s.fail(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send Content-Type: application/json", r.Header.Get("Content-Type")))
	return false
}

// modelAdmin says whether path is one of the daemon's model-management
// routes: pull, push, create, copy, delete and blobs.
func modelAdmin(p string) bool {
	p = strings.ToLower(path.Clean("/" + p))
	switch p {
	case "/api/pull", "/api/push", "/api/create", "/api/copy", "/api/delete", "/api/blobs":
		return true
	}
	return strings.HasPrefix(p, "/api/blobs/")
}

// errBodyTimeout is a request body that did not arrive within
// Config.BodyTimeout.
var errBodyTimeout = errors.New("request body not received in time")

// bodyDeadline bounds reading r's body by Config.BodyTimeout: a client
// that sends it slowly (one byte a second) gets 408 and its connection
// closed. The deadline ends with the body (net/http lifts it once the
// body is read), so a long answer that follows is not cut.
func (s *Server) bodyDeadline(w http.ResponseWriter, r *http.Request) {
	d := s.cfg.BodyTimeout
	if d <= 0 || r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	if http.NewResponseController(w).SetReadDeadline(time.Now().Add(d)) == nil {
		r.Body = &deadlineBody{ReadCloser: r.Body, d: d}
	}
}

// deadlineBody reports its deadline passing as errBodyTimeout.
type deadlineBody struct {
	io.ReadCloser
	d time.Duration
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("%w (%v)", errBodyTimeout, b.d)
	}
	return n, err
}

// bodyTimedOut answers 408 when err is a body that did not arrive in time.
func (s *Server) bodyTimedOut(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(err, errBodyTimeout) {
		return false
	}
	w.Header().Set("Connection", "close")
	s.fail(w, r, http.StatusRequestTimeout, err.Error())
	return true
}

// stripCORS removes the upstream's CORS headers from a passthrough reply
// when the server sends its own (Config.AllowOrigin): a browser refuses a
// reply with two Access-Control-Allow-Origin headers.
func (s *Server) stripCORS(resp *http.Response) error {
	if s.cfg.AllowOrigin == "" {
		return nil
	}
	for k := range resp.Header {
		if strings.HasPrefix(k, "Access-Control-") {
			resp.Header.Del(k)
		}
	}
	return nil
}
