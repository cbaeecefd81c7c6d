package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slmmux/slmmux/models"
)

// Exit codes (documented in the README).
const (
	exitOK          = 0
	exitError       = 1 // a run failed
	exitUsage       = 2 // bad flags or input: nothing was done
	exitUnavailable = 3 // the Ollama daemon cannot be reached
	exitNotFound    = 4 // a model is not installed
	exitInterrupted = 130
)

// usageError is bad input: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// report prints err for a person and maps it to an exit code.
func (a *App) report(ctx context.Context, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitError
	var ue usageError
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(a.Stderr, "slmmux: interrupted; everything finished so far is saved — run the same command again to resume")
		return exitInterrupted
	case errors.Is(err, models.ErrUnavailable):
		code = exitUnavailable
	case errors.Is(err, models.ErrModelNotInstalled):
		code = exitNotFound
	case errors.As(err, &ue), isCobraUsage(err):
		code = exitUsage
	}
	fmt.Fprintf(a.Stderr, "slmmux: %v\n", err)
	return code
}

func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
