package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// Every numeric flag of every command, with negative, huge, NaN and Inf
// values: never a panic or an out-of-memory; a usage error naming the flag,
// with nothing written, unless the value is one the flag accepts.
func TestEveryNumericFlagRejectsAbsurdValues(t *testing.T) {
	host := closedPort(t)
	worked := workedRun(t)
	data := writeArith(t, 2)
	// Values a flag legitimately accepts: any seed of the offline replays.
	accepts := map[string]map[string]bool{
		"seed/uint64": {"huge": true}, // the offline replays take any uint64 seed (eval's int seed is bounded)
		"limit/int":   {"huge": true}, // a limit beyond the data means all of it
	}
	base := map[string][]string{
		"ask":    {"q?"},
		"eval":   {"--bench", "jsonl", "--data", data, "--run", "OUT"},
		"plan":   {"--footprint", "a=1GiB", "--budget", "2GiB"},
		"mux":    {"--run", worked},
		"search": {"--run", worked},
		"scale":  {"--run", worked, "--out", "OUT"},
		"report": {"--run", worked, "--out", "OUT"},
		"demo":   {"--run", "OUT"},
		"score":  {"--bench", "jsonl", "--data", data, "--responses", data},
	}
	values := map[string]map[string]string{
		"int":      {"negative": "-1", "huge": "9223372036854775807"},
		"uint64":   {"negative": "-1", "huge": "18446744073709551615"},
		"float64":  {"negative": "-1", "huge": "1e308", "NaN": "NaN", "Inf": "+Inf"},
		"duration": {"negative": "-1s", "huge": "2562047h"},
	}
	root := (&App{Getenv: func(string) string { return "" }}).rootCmd()
	for _, cmd := range root.Commands() {
		args, ok := base[cmd.Name()]
		if !ok {
			continue
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			for kind, v := range values[f.Value.Type()] {
				if accepts[f.Name+"/"+f.Value.Type()][kind] {
					continue
				}
				t.Run(cmd.Name()+"/"+f.Name+"="+kind, func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "out")
					a := []string{cmd.Name()}
					for _, x := range args {
						a = append(a, strings.ReplaceAll(x, "OUT", out))
					}
					a = append(a, "--"+f.Name+"="+v)
					r := run(t.Context(), map[string]string{"OLLAMA_HOST": host}, a...)
					if r.code == exitBug {
						t.Fatalf("panic: %s", r.stderr)
					}
					if r.code != exitUsage || !strings.Contains(r.stderr, "-"+f.Name) && !strings.Contains(r.stderr, strings.ReplaceAll(f.Name, "-", " ")) {
						t.Fatalf("exit %d, stderr %q: want exit %d naming --%s", r.code, r.stderr, exitUsage, f.Name)
					}
					if _, err := os.Stat(out); err == nil {
						t.Fatal("something was written")
					}
				})
			}
		})
	}
}
