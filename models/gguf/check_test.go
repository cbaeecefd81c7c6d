package gguf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCheckRunnable(t *testing.T) {
	// The 24-byte file that crashed the pinned daemon: a header, nothing else.
	empty := &File{}
	var buf bytes.Buffer
	if _, err := empty.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("%d-byte header: %v", buf.Len(), err)
	}
	err = f.CheckRunnable()
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "general.architecture") || !strings.Contains(err.Error(), "tensors") {
		t.Fatalf("empty file: %v", err)
	}
	noTensors := &File{KV: []KV{{"general.architecture", "llama"}, {"llama.block_count", uint32(1)}}}
	if err := noTensors.CheckRunnable(); !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "llama.embedding_length") {
		t.Fatalf("no tensors: %v", err)
	}
}

func TestRandomModelIsRunnable(t *testing.T) {
	f, err := RandomLlama(1, Size{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckRunnable(); err != nil {
		t.Fatal(err)
	}
}
