//go:build !unix

package sandbox

import (
	"context"
	"errors"
)

// ErrUnsupported is returned by Run on systems without Unix processes.
var ErrUnsupported = errors.New("sandbox: not supported on this operating system")

// Run is not supported here: see the package doc.
func Run(ctx context.Context, p Program, l Limits) (Result, error) {
	return Result{}, ErrUnsupported
}
