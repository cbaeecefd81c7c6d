package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/commands.md from the commands' help")

const commandsDoc = "../../docs/commands.md"

// renderCommandReference renders the help of the root command and of
// every subcommand (depth first, cobra's order; help and completion left
// out) as Markdown: a heading per command, its short description, and
// the help the binary prints for `slmmux ... --help` in a text block.
// The help is obtained by running the App, so it is the binary's own.
func renderCommandReference(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Command reference\n\n")
	b.WriteString("<!-- GENERATED from the cobra commands by `go test ./cmd/slmmux -run TestCommandReference -update`; do not edit. -->\n\n")
	b.WriteString("The help every command prints (`slmmux CMD --help`). The topical pages explain the flags with\n")
	b.WriteString("context and measurements: see the [index](README.md).\n\n")
	var cmds []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		cmds = append(cmds, c)
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" || sub.Hidden {
				continue
			}
			walk(sub)
		}
	}
	walk((&App{Getenv: func(string) string { return "" }}).rootCmd())
	for _, c := range cmds {
		path := strings.Fields(c.CommandPath())
		fmt.Fprintf(&b, "- [`%s`](#%s)\n", strings.Join(path, " "), strings.Join(path, "-"))
	}
	b.WriteString("\n")
	for _, c := range cmds {
		path := strings.Fields(c.CommandPath())
		args := append(append([]string{}, path[1:]...), "--help")
		var out, errb bytes.Buffer
		app := &App{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := app.Run(t.Context(), args); code != 0 {
			t.Fatalf("slmmux %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
		}
		help := strings.TrimRight(out.String(), "\n")
		if strings.Contains(help, "```") {
			t.Fatalf("the help of %s holds a code fence", c.CommandPath())
		}
		fmt.Fprintf(&b, "## %s\n\n%s\n\n```text\n%s\n```\n\n", c.CommandPath(), c.Short, help)
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// TestCommandReference fails when docs/commands.md is not what the
// commands' help renders to; -update rewrites it.
func TestCommandReference(t *testing.T) {
	got := renderCommandReference(t)
	if again := renderCommandReference(t); again != got {
		t.Fatal("the command reference does not render deterministically")
	}
	if *updateDocs {
		if err := os.WriteFile(commandsDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(commandsDoc)
	if err != nil {
		t.Fatalf("%v: run `go test ./cmd/slmmux -run TestCommandReference -update`", err)
	}
	if string(want) != got {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		i := 0
		for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
			i++
		}
		line := func(l []string) string {
			if i < len(l) {
				return l[i]
			}
			return "(end of file)"
		}
		t.Fatalf("docs/commands.md differs from the commands' help (first at line %d: file %q, help %q): run `go test ./cmd/slmmux -run TestCommandReference -update`",
			i+1, line(wl), line(gl))
	}
}
