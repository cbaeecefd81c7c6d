package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

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
	b.WriteString("context and measurements: see the [index](../README.md#documentation).\n\n")
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

// TestREADMEIsShort keeps the README a page a newcomer reads to the end.
func TestREADMEIsShort(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n > 250 {
		t.Fatalf("README.md has %d lines; at most 250 (move the rest to docs/)", n)
	}
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]*)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)
	mdFence   = regexp.MustCompile("(?ms)^```.*?^```")
)

// githubAnchor is the anchor GitHub gives a heading: lower case, markup
// and punctuation dropped (but - and _), spaces to -.
func githubAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsLetter(r), unicode.IsNumber(r), unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors lists a Markdown file's heading anchors (repeats numbered as
// GitHub numbers them), headings inside code blocks left out.
func anchors(text string) map[string]bool {
	a := map[string]bool{}
	seen := map[string]int{}
	for _, m := range mdHeading.FindAllStringSubmatch(mdFence.ReplaceAllString(text, ""), -1) {
		s := githubAnchor(m[1])
		if n := seen[s]; n > 0 {
			a[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			a[s] = true
		}
		seen[s]++
	}
	return a
}

// TestREADMEAndDocsLinks checks every relative link of README.md and
// docs/*.md: the file exists and, with an #anchor, the anchor is one of
// that file's headings.
func TestREADMEAndDocsLinks(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"../../README.md"}, files...)
	texts := map[string]string{}
	read := func(p string) (string, bool) {
		p = filepath.Clean(p)
		if s, ok := texts[p]; ok {
			return s, true
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", false
		}
		texts[p] = string(b)
		return string(b), true
	}
	for _, f := range files {
		text, ok := read(f)
		if !ok {
			t.Fatalf("cannot read %s", f)
		}
		for _, m := range mdLink.FindAllStringSubmatch(mdFence.ReplaceAllString(text, ""), -1) {
			target := m[1]
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			dest := filepath.Clean(f)
			if file != "" {
				dest = filepath.Join(filepath.Dir(f), file)
			}
			if _, err := os.Stat(dest); err != nil {
				t.Errorf("%s: link %q: %s does not exist", f, target, dest)
				continue
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(dest, ".md") {
				t.Errorf("%s: link %q: an anchor into a file that is not Markdown", f, target)
				continue
			}
			destText, _ := read(dest)
			if !anchors(destText)[anchor] {
				t.Errorf("%s: link %q: %s has no heading with anchor #%s", f, target, dest, anchor)
			}
		}
	}
}
