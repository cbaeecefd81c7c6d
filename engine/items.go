package engine

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/slmmux/slmmux/engine/benchmark"
)

// MaxPromptBytes bounds one question: far beyond any small model's
// context window, small enough that a wrong file fails at once.
const MaxPromptBytes = 1 << 20

// ErrNoItems reports a data file that holds no items.
var ErrNoItems = errors.New("holds no items")

// PromptSizeError reports an item whose question (with its choices) is
// over MaxPromptBytes; ID "" is a question read alone (ReadPrompt).
type PromptSizeError struct {
	ID    string
	Bytes int
}

func (e *PromptSizeError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("the question is over the %d-byte limit: no small model's context holds it", MaxPromptBytes)
	}
	return fmt.Sprintf("item %s has a question of %d bytes, over the %d-byte limit: no small model's context holds it", e.ID, e.Bytes, MaxPromptBytes)
}

// ReadPrompt reads one question from r, stopping past MaxPromptBytes: a
// longer one is a *PromptSizeError.
func ReadPrompt(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxPromptBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > MaxPromptBytes {
		return "", &PromptSizeError{Bytes: len(b)}
	}
	return string(b), nil
}

// LoadItems reads b's items from path, the first limit of them (0: all),
// refusing a file with none (ErrNoItems) and a question over
// MaxPromptBytes (*PromptSizeError). A file b cannot read is returned as
// b.Load's error.
func LoadItems(b benchmark.Benchmark, path string, limit int) ([]benchmark.Item, error) {
	items, err := b.Load(path)
	if err != nil {
		return nil, err
	}
	if limit > 0 && limit < len(items) {
		items = items[:limit]
	}
	if len(items) == 0 {
		return nil, ErrNoItems
	}
	for _, it := range items {
		if n := len(it.Question) + len(strings.Join(it.Choices, "")); n > MaxPromptBytes {
			return nil, &PromptSizeError{ID: it.ID, Bytes: n}
		}
	}
	return items, nil
}
