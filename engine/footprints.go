package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/sched"
)

// The footprint cache remembers the sizes the daemon reported for loaded
// models, by model digest, weight quantization and the settings a
// footprint depends on, in one JSON object:
// {"DIGEST|q=Q4_K_M|kv=f16|ctx=2048|slots=1": bytes, ...}. A measurement
// of one quantization or KV cache type never serves another.

func footprintKey(digest, quantization string, s sched.Settings) string {
	kv := s.KVCacheType
	if kv == "" {
		kv = "f16"
	}
	if quantization == "" {
		quantization = "unknown"
	}
	return fmt.Sprintf("%s|q=%s|kv=%s|ctx=%d|slots=%d", digest, quantization, kv, s.NumCtx, s.Slots)
}

// loadFootprintCache reads the cache; a missing or unreadable file is an
// empty cache.
func loadFootprintCache(path string) map[string]uint64 {
	m := map[string]uint64{}
	if path == "" {
		return m
	}
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// saveFootprints merges updates into the cache, atomically (temp file and
// rename), so concurrent runs never leave a half-written file.
func saveFootprints(path string, updates map[string]uint64) error {
	if path == "" || len(updates) == 0 {
		return nil
	}
	m := loadFootprintCache(path)
	for k, v := range updates {
		m[k] = v
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return runstore.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
