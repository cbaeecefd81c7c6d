package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/benchmark"
)

func TestLoadItems(t *testing.T) {
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: "number"})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	three := write("three.jsonl", `{"id":"1","question":"1+1","answer":"2"}
{"id":"2","question":"2+2","answer":"4"}
{"id":"3","question":"3+3","answer":"6"}
`)
	if items, err := LoadItems(b, three, 2); err != nil || len(items) != 2 || items[1].ID != "2" {
		t.Errorf("limit 2: %v, %v", items, err)
	}
	if items, err := LoadItems(b, three, 0); err != nil || len(items) != 3 {
		t.Errorf("limit 0 (all): %v, %v", items, err)
	}
	if _, err := LoadItems(b, write("empty.jsonl", ""), 0); !errors.Is(err, ErrNoItems) {
		t.Errorf("an empty file: %v, want ErrNoItems", err)
	}
	big := write("big.jsonl", `{"id":"x","question":"`+strings.Repeat("a", MaxPromptBytes+1)+`","answer":"1"}`+"\n")
	var pe *PromptSizeError
	if _, err := LoadItems(b, big, 0); !errors.As(err, &pe) || pe.ID != "x" || pe.Bytes != MaxPromptBytes+1 {
		t.Errorf("a question over the limit: %v, want a *PromptSizeError", err)
	}
	if _, err := LoadItems(b, filepath.Join(t.TempDir(), "missing.jsonl"), 0); err == nil || errors.Is(err, ErrNoItems) {
		t.Errorf("a missing file: %v, want the benchmark's error", err)
	}
}

func TestReadPrompt(t *testing.T) {
	if q, err := ReadPrompt(strings.NewReader("What is 2+2?")); q != "What is 2+2?" || err != nil {
		t.Fatalf("%q, %v", q, err)
	}
	if _, err := ReadPrompt(strings.NewReader(strings.Repeat("x", MaxPromptBytes))); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	_, err := ReadPrompt(strings.NewReader(strings.Repeat("x", MaxPromptBytes+1)))
	var pe *PromptSizeError
	if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "the question is over the 1048576-byte limit") {
		t.Fatalf("over the limit: %v", err)
	}
}
