package ollama_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/models/gguf"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

// CheckImportFile refuses what would fail or crash the daemon before
// anything is uploaded, naming the file and the fix.
func TestCheckImportFile(t *testing.T) {
	dir := t.TempDir()
	good := ollamatest.WriteRandomModel(t, dir, 1, gguf.Size{})
	if f, err := ollama.CheckImportFile(good, true); err != nil || f == nil {
		t.Fatalf("a float model: %v", err)
	}
	text := filepath.Join(dir, "notes.txt")
	whole, _ := os.ReadFile(good)
	cut := filepath.Join(dir, "cut.gguf")
	if os.WriteFile(text, []byte("not a model"), 0o644) != nil || os.WriteFile(cut, whole[:len(whole)/2], 0o644) != nil {
		t.Fatal("writing the fixtures")
	}
	for _, c := range []struct {
		path string
		is   error
		fix  string
	}{
		{filepath.Join(dir, "missing.gguf"), os.ErrNotExist, ""},
		{text, gguf.ErrNotGGUF, "convert_hf_to_gguf.py"},
		{cut, gguf.ErrTruncated, "copy or download it again"},
	} {
		_, err := ollama.CheckImportFile(c.path, false)
		var fe *ollama.FileError
		if !errors.As(err, &fe) || fe.Path != c.path || !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.fix) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: %v", c.path, err)
		}
	}
}
