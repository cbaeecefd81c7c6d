// Command slmmux makes several small language models answer together
// better than any one of them (SLM-MUX), on a local Ollama daemon.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// version is set with -ldflags "-X main.version=..." by make build.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(app.Run(ctx, os.Args[1:]))
}
