package runstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrLocked reports a run folder that another process is writing.
var ErrLocked = errors.New("run folder is being written by another process")

// LockedError names the process that holds a run folder; it wraps
// ErrLocked.
type LockedError struct {
	Dir string
	PID int // 0 when unknown
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%s: %v: %s holds it", e.Dir, ErrLocked, who)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

var errHeld = errors.New("held")

// LockFile records the pid of the process writing a run folder.
const LockFile = ".lock"

// Lock is a writer's exclusive hold on a run folder.
type Lock struct {
	f *os.File
	// Notes are what Create found worth saying about a resumed run (a
	// host that now runs another daemon version), one sentence each.
	Notes []string
}

// Close releases the lock.
func (l *Lock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	return l.f.Close()
}

// lock takes dir for this process, or fails at once with a *LockedError.
func lock(dir string) (*Lock, error) {
	f, err := lockDir(dir)
	if errors.Is(err, errHeld) {
		pid, _ := strconv.Atoi(strings.TrimSpace(readSmall(filepath.Join(dir, LockFile))))
		return nil, &LockedError{Dir: dir, PID: pid}
	}
	if err != nil {
		return nil, err
	}
	_ = os.WriteFile(filepath.Join(dir, LockFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	return &Lock{f: f}, nil
}

func readSmall(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 64 {
		return ""
	}
	return string(b)
}

// removeTemps deletes the temporary files an atomic write leaves when the
// process is killed between creating and renaming them.
func removeTemps(dir string) {
	for _, name := range []string{MetaFile, ItemsFile, ResultsFile} {
		matches, _ := filepath.Glob(filepath.Join(dir, "."+name+".*"))
		for _, m := range matches {
			_ = os.Remove(m)
		}
	}
}
