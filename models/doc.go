// Package models is the backend-neutral vocabulary of slmmux: a generation
// [Request] with typed [Options], its [Result] with token counts and
// server-reported durations, what a backend knows about an installed model
// ([Info], [Running]), and the sentinel errors that callers branch on
// ([ErrModelNotInstalled], [ErrUnavailable], [ErrBusy]).
//
// It imports only the standard library. Backends (such as package
// models/ollama) translate their own types to and from these, so that the
// engine never sees a backend's types.
package models
