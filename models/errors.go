package models

import (
	"errors"
	"fmt"
)

// Sentinel errors that backends wrap, so callers branch with errors.Is
// without knowing the backend.
var (
	// ErrModelNotInstalled: the backend does not have the model.
	ErrModelNotInstalled = errors.New("model not installed")
	// ErrUnavailable: the backend cannot be reached (daemon down).
	ErrUnavailable = errors.New("backend unavailable")
	// ErrBusy: the backend refused the request for now (queue full);
	// retrying later may succeed.
	ErrBusy = errors.New("backend busy")
	// ErrOutOfMemory: the backend could not load the model in memory.
	ErrOutOfMemory = errors.New("out of memory")
)

// ErrContextExceeded: the prompt does not fit the model's context window
// (Ollama v0.30.9 and later refuse it instead of truncating it). Retrying
// the same prompt with the same context cannot succeed.
var ErrContextExceeded = errors.New("prompt longer than the context")

// ContextError is a generation refused because its prompt is longer than
// the context window. It unwraps to ErrContextExceeded and the backend's
// error.
type ContextError struct {
	Model string
	// PromptChars is the size of the prompt sent (system message
	// included) in characters; the backend does not say its tokens.
	PromptChars int
	// NumCtx is the context window the request asked for; 0: the
	// backend's default.
	NumCtx int
	Err    error
}

func (e *ContextError) Error() string {
	ctx := "the backend's default context"
	if e.NumCtx > 0 {
		ctx = fmt.Sprintf("a context of %d tokens", e.NumCtx)
	}
	return fmt.Sprintf("model %q: the prompt (%d characters) is longer than %s: %v", e.Model, e.PromptChars, ctx, e.Err)
}

// Unwrap returns ErrContextExceeded and the backend's error.
func (e *ContextError) Unwrap() []error { return []error{ErrContextExceeded, e.Err} }
