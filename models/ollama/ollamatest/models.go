package ollamatest

import (
	"context"
	"os"
	"testing"

	"github.com/slmmux/slmmux/models/gguf"
)

// RawTemplate makes a model see the prompt exactly as sent.
const RawTemplate = "{{ .Prompt }}"

// WriteRandomModel writes a seeded random llama GGUF of the given size to
// dir and returns its path.
func WriteRandomModel(tb testing.TB, dir string, seed int64, size gguf.Size) string {
	tb.Helper()
	f, err := gguf.RandomLlama(seed, size)
	if err != nil {
		tb.Fatalf("random model: %v", err)
	}
	out, err := os.CreateTemp(dir, "random-*.gguf")
	if err != nil {
		tb.Fatal(err)
	}
	path := out.Name()
	if _, err := f.WriteTo(out); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TinyModel creates (once per daemon) a tiny random model named name from
// seed and returns name. Different seeds give different models.
func (d *Daemon) TinyModel(tb testing.TB, name string, seed int64) string {
	return d.RandomModel(tb, name, seed, gguf.Size{})
}

// RandomModel creates (once per daemon) a random model of the given size.
func (d *Daemon) RandomModel(tb testing.TB, name string, seed int64, size gguf.Size) string {
	tb.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.models[name]; ok {
		return name
	}
	dir, err := os.MkdirTemp("", "slmmux-model-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := WriteRandomModel(tb, dir, seed, size)
	res, err := d.Client.Import(context.Background(), name, path, RawTemplate)
	if err != nil {
		tb.Fatalf("create model %s: %v\ndaemon log:\n%s", name, err, d.Log())
	}
	d.models[name] = res.Digest
	return name
}
