package engine

import (
	"sync"

	"github.com/slmmux/slmmux/engine/runstore"
)

// Sink stores the samples Eval generates. *runstore.Writer (a run folder)
// satisfies it, and so does the in-memory sink Ask uses. Implementations
// are safe for concurrent use.
type Sink interface {
	// Done reports whether the sample is already stored (Eval skips it).
	Done(k runstore.Key) bool
	// Append stores one sample.
	Append(s runstore.Sample) error
}

// answerSource is a Sink that can tell a stored sample's answer, which
// adaptive sampling needs to resume (*runstore.Writer and memSink are).
type answerSource interface {
	Answer(k runstore.Key) (string, bool)
}

// memSink keeps samples in memory.
type memSink struct {
	mu      sync.Mutex
	samples map[runstore.Key]runstore.Sample
}

func newMemSink() *memSink { return &memSink{samples: map[runstore.Key]runstore.Sample{}} }

func (m *memSink) Done(k runstore.Key) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.samples[k]
	return ok
}

func (m *memSink) Append(s runstore.Sample) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.samples[s.Key()]; !ok {
		m.samples[s.Key()] = s
	}
	return nil
}

func (m *memSink) get(k runstore.Key) (runstore.Sample, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.samples[k]
	return s, ok
}

func (m *memSink) Answer(k runstore.Key) (string, bool) {
	s, ok := m.get(k)
	return s.Answer, ok
}
