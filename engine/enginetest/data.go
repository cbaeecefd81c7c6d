package enginetest

import (
	"os"
	"path/filepath"
	"testing"
)

// DataFile returns the path of a shipped data file, name in ../shared/data
// beside the checkout (found from the test's folder up to go.mod). A
// missing file fails the test under CI=true and skips it otherwise.
func DataFile(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := os.Getwd()
	for err == nil {
		if _, serr := os.Stat(filepath.Join(dir, "go.mod")); serr == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			err = os.ErrNotExist
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "data", name)
	if _, serr := os.Stat(path); err != nil || serr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("data file %s is missing (CI=true): %v %v", path, err, serr)
		}
		tb.Skipf("data file %s not available: %v %v", path, err, serr)
	}
	return path
}
