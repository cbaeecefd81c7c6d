package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/models/ollama"
)

// App is the program: tests drive it with their own output and environment.
type App struct {
	Stdin          io.Reader // for `ask --file -`; nil means none
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	verbose int
	logger  *slog.Logger
}

// Run executes one command line and returns the process exit code. A
// panic is a bug: it is reported with its stack and exitBug, never as a
// usage error.
func (a *App) Run(ctx context.Context, args []string) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(a.Stderr, "slmmux: internal error (a bug; please report it with this output): %v\n%s", p, debug.Stack())
			code = exitBug
		}
	}()
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	err := root.ExecuteContext(ctx)
	return a.report(ctx, err)
}

func (a *App) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "slmmux",
		Short: "Make several small language models answer together (SLM-MUX), on Ollama, OpenAI-compatible servers or a pool of hosts",
		Long: `slmmux runs SLM-MUX (arXiv 2510.05077) on models served by an Ollama daemon, an
OpenAI-compatible server (--backend openai) or a pool of hosts (--config): each
model samples k answers, its confidence is the share of samples that agree with
its most frequent answer, and the most confident model's answer wins. slmmux
serve makes an ensemble a model any Ollama or OpenAI client can call.

Environment:
  OLLAMA_HOST          the daemon's address (default 127.0.0.1:11434)
  SLMMUX_CACHE         where the pinned test/demo daemon is built (default ~/.cache/slmmux)
  SLMMUX_CALL_TIMEOUT  bound on each start-up call to a backend (default 30s)`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			a.setupLogger()
		},
		// Set, so that cobra does not report an unknown command as plain
		// text: it is a usage error like any other.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q (see slmmux --help)", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(flagError)
	root.PersistentFlags().CountVarP(&a.verbose, "verbose", "v", "log more (-v info, -vv debug)")
	root.AddCommand(a.probeCmd(), a.modelsCmd(), a.askCmd(), a.evalCmd(), a.muxCmd(), a.planCmd(),
		a.searchCmd(), a.scaleCmd(), a.reportCmd(), a.demoCmd(), a.serveCmd(), a.calibrateCmd(), a.scoreCmd())
	return root
}

func (a *App) setupLogger() {
	level := log.WarnLevel
	switch {
	case a.verbose >= 2:
		level = log.DebugLevel
	case a.verbose == 1:
		level = log.InfoLevel
	}
	h := log.NewWithOptions(a.Stderr, log.Options{Level: level, ReportTimestamp: true})
	a.logger = slog.New(h)
}

func (a *App) log() *slog.Logger {
	if a.logger == nil {
		a.setupLogger()
	}
	return a.logger
}

// client returns an Ollama client for OLLAMA_HOST.
func (a *App) client() (*ollama.Client, error) {
	d, err := a.callTimeout()
	if err != nil {
		return nil, err
	}
	return ollama.New(ollama.Config{Host: a.Getenv("OLLAMA_HOST"), CallTimeout: d})
}

// callTimeout bounds each start-up call to a backend (its models, version,
// running models, a model's details): $SLMMUX_CALL_TIMEOUT, else the
// clients' default (30 s). ask and eval use --daemon-wait instead.
func (a *App) callTimeout() (time.Duration, error) {
	v := a.Getenv("SLMMUX_CALL_TIMEOUT")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("SLMMUX_CALL_TIMEOUT %q: want a positive duration, e.g. 30s", v)
	}
	return d, nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "dev"
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
