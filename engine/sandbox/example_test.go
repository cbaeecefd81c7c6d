//go:build unix

package sandbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/slmmux/slmmux/engine/sandbox"
)

// The examples have no Output lines: they need python3, and a machine
// without it prints "cannot run code: ..." (the package's tests skip
// there; an example cannot). What they print with python3 is in their
// comments, checked when this file was last changed.

// Run a solution and its tests; the verdict is in the Result, and an error
// only means the sandbox could not start (no python3).
func ExampleRun() {
	prog := sandbox.Program{Code: "def add(a, b):\n    return a - b\n\nassert add(2, 3) == 5\n"}
	r, err := sandbox.Run(context.Background(), prog, sandbox.Limits{Wall: 4 * time.Second})
	if err != nil {
		fmt.Println("cannot run code:", err)
		return
	}
	fmt.Println(r.Status, r.Reason) // failed AssertionError
}

// Bound the runs in flight across goroutines to the machine's cores.
func ExamplePool() {
	pool := sandbox.NewPool(0)
	r, err := pool.Run(context.Background(), sandbox.Program{Code: "print(6 * 7)"}, sandbox.Limits{})
	if err != nil {
		fmt.Println("cannot run code:", err)
		return
	}
	fmt.Print(r.Stdout) // 42
}
