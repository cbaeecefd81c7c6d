package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/models/gguf"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "tiny.gguf")
	if err := run([]string{"-random", "-seed", "5", "-out", out}, io.Discard); err != nil {
		t.Fatalf("run -random: %v", err)
	}
	f, err := gguf.ReadFileInfo(out)
	if err != nil {
		t.Fatalf("ReadFileInfo: %v", err)
	}
	if arch, _ := f.Get("general.architecture"); arch != "llama" {
		t.Errorf("architecture = %v, want llama", arch)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no mode", []string{"-out", out}, "exactly one of"},
		{"both modes", []string{"-random", "-in", dir, "-out", out}, "exactly one of"},
		{"no out", []string{"-random"}, "need -out"},
		{"bad export", []string{"-in", dir, "-out", filepath.Join(dir, "x.gguf")}, "model.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.gguf")); !os.IsNotExist(err) {
		t.Errorf("a failed conversion left an output file (stat err %v)", err)
	}
}
