// Command slmmux makes several small language models answer together
// better than any one of them (SLM-MUX), on Ollama daemons, OpenAI-compatible
// servers and pools of hosts.
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
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		signal.Stop(sigs) // a second signal ends the process at once
		cancel(signalError{s})
	}()
	app := &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(app.Run(ctx, os.Args[1:]))
}
