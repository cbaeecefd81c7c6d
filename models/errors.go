package models

import "errors"

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
