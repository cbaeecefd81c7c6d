// Command ollama-build builds the pinned Ollama daemon into the cache
// folder once (as tests and the demo do) and prints its path:
//
//	go run ./models/ollama/daemon/cmd/ollama-build [-version v0.24.0|v0.6.5]
//
// scripts/ollama.sh and `make daemon` call it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slmmux/slmmux/models/ollama/daemon"
)

func main() {
	version := flag.String("version", "", "daemon version: "+daemon.Version+" (default) or "+daemon.CompatVersion+"; default $"+daemon.VersionEnv)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v := *version
	if v == "" {
		var err error
		if v, err = daemon.Selected(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	bin, err := daemon.EnsureVersion(ctx, v, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(bin)
}
