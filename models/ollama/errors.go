package ollama

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/ollama/ollama/api"

	"github.com/slmmux/slmmux/models"
)

// StatusError is an error answer of the daemon. It unwraps to the neutral
// sentinel that matches it (models.ErrModelNotInstalled, models.ErrBusy,
// models.ErrOutOfMemory, models.ErrContextExceeded), or to nothing.
type StatusError struct {
	Code    int
	Message string
	Model   string
}

func (e *StatusError) Error() string {
	switch e.Unwrap() {
	case models.ErrModelNotInstalled:
		return fmt.Sprintf("model %q is not installed in the Ollama daemon (%s): run `ollama pull %s`, or import a local GGUF file",
			e.Model, e.Message, e.Model)
	case models.ErrBusy:
		return fmt.Sprintf("ollama daemon busy (HTTP %d: %s): lower the concurrency or raise OLLAMA_MAX_QUEUE", e.Code, e.Message)
	}
	if e.Model == "" && e.Code == http.StatusNotFound {
		return fmt.Sprintf("ollama: HTTP 404 (%s): the server at OLLAMA_HOST does not speak Ollama's API; point OLLAMA_HOST at an Ollama daemon", e.Message)
	}
	return fmt.Sprintf("ollama: HTTP %d: %s", e.Code, e.Message)
}

// Unwrap maps the status to a neutral sentinel.
func (e *StatusError) Unwrap() error {
	msg := strings.ToLower(e.Message)
	switch {
	case e.Model == "" && e.Code == http.StatusNotFound:
		return nil // a route the server lacks: not an Ollama API (see Error)
	case contextExceeded(msg):
		return models.ErrContextExceeded
	case e.Code == http.StatusNotFound || strings.Contains(msg, "not found"):
		return models.ErrModelNotInstalled
	case e.Code == http.StatusServiceUnavailable || e.Code == http.StatusTooManyRequests || strings.Contains(msg, "server busy"):
		return models.ErrBusy
	case strings.Contains(msg, "out of memory") || strings.Contains(msg, "requires more system memory"):
		return models.ErrOutOfMemory
	}
	return nil
}

// contextExceeded reports whether a lower-cased error message says the
// prompt does not fit the context: v0.30.9 and later answer HTTP 400 "the
// prompt is longer than the context length currently available to the
// model; ..." instead of truncating it; /api/embed answers "the input
// length exceeds the context length".
func contextExceeded(msg string) bool {
	return strings.Contains(msg, "longer than the context") ||
		strings.Contains(msg, "exceeds the context length") ||
		strings.Contains(msg, "exceeds maximum context length")
}

// UnavailableError says the daemon could not be reached and how to fix it.
type UnavailableError struct {
	Host string
	Err  error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("cannot reach the Ollama daemon at %s (%v): start it with `ollama serve`, or set OLLAMA_HOST to where it listens", e.Host, e.Err)
}

// Unwrap returns models.ErrUnavailable and the network error.
func (e *UnavailableError) Unwrap() []error { return []error{models.ErrUnavailable, e.Err} }

// convertErr maps an error of the api package to a neutral one.
func (c *Client) convertErr(ctx context.Context, model string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var se api.StatusError
	if errors.As(err, &se) {
		msg := se.ErrorMessage
		if msg == "" {
			msg = se.Status
		}
		return &StatusError{Code: se.StatusCode, Message: msg, Model: model}
	}
	var ae api.AuthorizationError
	if errors.As(err, &ae) {
		return &StatusError{Code: ae.StatusCode, Message: "unauthorized", Model: model}
	}
	var ne net.Error
	var oe *net.OpError
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || // the daemon died mid-answer
		errors.As(err, &oe) || (errors.As(err, &ne) && ne.Timeout()) {
		return &UnavailableError{Host: c.base.Host, Err: err}
	}
	// The api package reports in-stream {"error": ...} lines as plain errors.
	if s := err.Error(); strings.Contains(s, "not found") {
		return &StatusError{Code: http.StatusNotFound, Message: s, Model: model}
	} else if contextExceeded(strings.ToLower(s)) {
		return &StatusError{Code: http.StatusBadRequest, Message: s, Model: model}
	}
	return fmt.Errorf("ollama: %w", err)
}
