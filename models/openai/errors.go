package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slmmux/slmmux/models"
)

// StatusError is an error answer of the server. It unwraps to the neutral
// sentinel that matches it: models.ErrModelNotInstalled (404 naming a
// model), models.ErrBusy (429), models.ErrUnavailable (502, 503, 504),
// models.ErrOutOfMemory (a message saying so), or to nothing.
type StatusError struct {
	Code       int
	Message    string // the server's message, with the API key redacted
	Model      string
	Host       string
	Path       string        // the API path, e.g. "/chat/completions"
	RetryAfter time.Duration // the Retry-After header, when sent
}

func (e *StatusError) Error() string {
	switch {
	case e.RouteMissing():
		return fmt.Sprintf("openai: the server at %s has no %s (HTTP 404: %s): its base URL must be the API's root, usually ending in /v1",
			e.Host, e.Path, e.Message)
	case errors.Is(e, models.ErrModelNotInstalled):
		return fmt.Sprintf("model %q is not served by the server at %s (%s): pick one that GET /v1/models lists", e.Model, e.Host, e.Message)
	case e.Code == http.StatusTooManyRequests:
		return fmt.Sprintf("openai: the server at %s is rate-limiting (HTTP 429: %s): send fewer requests at once", e.Host, e.Message)
	}
	return fmt.Sprintf("openai: %s%s: HTTP %d: %s", e.Host, e.Path, e.Code, e.Message)
}

// RouteMissing reports a 404 that names no model: a route the server
// lacks (a base URL without /v1, or not an OpenAI-compatible server).
func (e *StatusError) RouteMissing() bool {
	if e.Code != http.StatusNotFound {
		return false
	}
	msg := strings.ToLower(e.Message)
	return e.Model == "" || !strings.Contains(msg, "model") && !strings.Contains(msg, strings.ToLower(e.Model))
}

// Unwrap maps the status to neutral sentinels.
func (e *StatusError) Unwrap() []error {
	msg := strings.ToLower(e.Message)
	switch {
	case e.Code == http.StatusNotFound && !e.RouteMissing():
		return []error{models.ErrModelNotInstalled}
	case e.Code == http.StatusTooManyRequests:
		return []error{models.ErrBusy}
	case e.Code == http.StatusServiceUnavailable && strings.Contains(msg, "busy"):
		// Ollama's full queue: retried here first, then waited out.
		return []error{models.ErrBusy, models.ErrUnavailable}
	case e.Code == http.StatusBadGateway || e.Code == http.StatusServiceUnavailable || e.Code == http.StatusGatewayTimeout:
		return []error{models.ErrUnavailable}
	case strings.Contains(msg, "out of memory") || strings.Contains(msg, "requires more system memory"):
		return []error{models.ErrOutOfMemory}
	case e.Code == http.StatusBadRequest && e.Model != "" && strings.Contains(msg, "model") &&
		(strings.Contains(msg, "does not exist") || strings.Contains(msg, "not found")):
		return []error{models.ErrModelNotInstalled} // vLLM and others answer 400 for an unknown model
	}
	return nil
}

// AuthError is a refused API key (401 or 403). Its message names the
// variable the key comes from, never the key.
type AuthError struct {
	*StatusError
	KeyEnv  string // the variable's name; "" when the key was given directly
	KeySent bool
}

func (e *AuthError) Error() string {
	fix := "set the server's API key"
	switch {
	case !e.KeySent && e.KeyEnv != "":
		fix = fmt.Sprintf("no key was sent because $%s is unset or empty: set it to the server's API key", e.KeyEnv)
	case e.KeyEnv != "":
		fix = fmt.Sprintf("check the key in $%s", e.KeyEnv)
	case !e.KeySent:
		fix = "no key was sent: configure one"
	}
	return fmt.Sprintf("openai: the server at %s refused the request (HTTP %d: %s): %s", e.Host, e.Code, e.Message, fix)
}

func (e *AuthError) Unwrap() error { return e.StatusError }

// UnavailableError says the server could not be reached.
type UnavailableError struct {
	Host string
	Err  error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("cannot reach the OpenAI-compatible server at %s (%v): start it, or fix its URL", e.Host, e.Err)
}

// Unwrap returns models.ErrUnavailable and the network error.
func (e *UnavailableError) Unwrap() []error { return []error{models.ErrUnavailable, e.Err} }

// netErr maps a transport error: ctx's own error when it ended, else the
// server is unreachable (refused, reset, timed out, died mid-answer).
func (c *Client) netErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if msg := c.redact(err.Error()); msg != err.Error() {
		err = errors.New(msg)
	}
	return &UnavailableError{Host: c.base.Host, Err: err}
}
