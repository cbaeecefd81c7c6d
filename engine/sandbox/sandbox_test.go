//go:build unix

package sandbox

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// requirePython skips the test when the sandbox has no python3 to run,
// and fails it under CI=true.
func requirePython(t *testing.T) {
	t.Helper()
	if _, err := findPython(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 is missing (CI=true): %v", err)
		}
		t.Skipf("python3 not available: %v", err)
	}
}

// mustRun runs code under l and fails the test on an infrastructure error.
func mustRun(t *testing.T, p Program, l Limits) Result {
	t.Helper()
	r, err := Run(t.Context(), p, l)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("status=%s exit=%d reason=%q elapsed=%s network=%s fs=%s",
		r.Status, r.ExitCode, r.Reason, r.Elapsed.Round(time.Millisecond), r.Network, r.Filesystem)
	return r
}

func TestRunOutcomes(t *testing.T) {
	requirePython(t)
	tests := []struct {
		name   string
		prog   Program
		status Status
		exit   int
		stdout string
		reason string // a substring of Reason
	}{
		{name: "passes", prog: Program{Code: "print('hi')"}, status: Passed, stdout: "hi\n"},
		{name: "stdin", prog: Program{Code: "import sys\nprint(sys.stdin.read().upper())", Stdin: "abc"}, status: Passed, stdout: "ABC\n"},
		{name: "assert", prog: Program{Code: "def f(): return 1\nassert f() == 2, 'f is wrong'"},
			status: Failed, exit: 1, reason: "AssertionError: f is wrong"},
		{name: "exception", prog: Program{Code: "x = undefined_name"}, status: Failed, exit: 1,
			reason: "NameError: name 'undefined_name' is not defined"},
		{name: "syntax", prog: Program{Code: "def f(:\n"}, status: Failed, exit: 1, reason: "SyntaxError"},
		{name: "exit code", prog: Program{Code: "import sys\nsys.exit(3)"}, status: Failed, exit: 3, reason: "exit status 3"},
		{name: "signal", prog: Program{Code: "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"},
			status: Killed, exit: -1, reason: "SIGSEGV"},
		// Python ignores SIGXFSZ, so the write fails with EFBIG instead.
		{name: "file size", prog: Program{Code: "open('big', 'wb').write(b'x' * 3_000_000)"},
			status: Failed, exit: 1, reason: "File too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustRun(t, tt.prog, Limits{FileBytes: 1 << 20})
			if r.Status != tt.status || r.ExitCode != tt.exit {
				t.Errorf("status %s exit %d, want %s %d (stderr %q)", r.Status, r.ExitCode, tt.status, tt.exit, r.Stderr)
			}
			if tt.stdout != "" && r.Stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.Stdout, tt.stdout)
			}
			if !strings.Contains(r.Reason, tt.reason) || (tt.status == Passed) != (r.Reason == "") {
				t.Errorf("reason %q, want it to hold %q", r.Reason, tt.reason)
			}
		})
	}
}

func TestCPULimit(t *testing.T) {
	requirePython(t)
	r := mustRun(t, Program{Code: "while True: pass"}, Limits{CPU: time.Second, Wall: time.Minute})
	if r.Status != Timeout || !strings.Contains(r.Reason, "CPU time limit") {
		t.Errorf("got %s %q, want a timeout on the CPU limit", r.Status, r.Reason)
	}
}

func TestWallLimit(t *testing.T) {
	requirePython(t)
	r := mustRun(t, Program{Code: "import time\ntime.sleep(60)"}, Limits{Wall: 500 * time.Millisecond})
	if r.Status != Timeout || !strings.Contains(r.Reason, "wall-clock") {
		t.Errorf("got %s %q, want a wall-clock timeout", r.Status, r.Reason)
	}
}

func TestOutputCapped(t *testing.T) {
	requirePython(t)
	r := mustRun(t, Program{Code: "print('x' * 5000)"}, Limits{OutputBytes: 1000})
	if r.Status != OutputLimit || len(r.Stdout) != 1000 || !strings.Contains(r.Reason, "stdout") {
		t.Errorf("got %s %q with %d bytes of stdout, want output_limit and 1000 bytes", r.Status, r.Reason, len(r.Stdout))
	}
}

func TestCanceled(t *testing.T) {
	requirePython(t)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := Run(ctx, Program{Code: "import time\ntime.sleep(60)"}, Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestNoPython(t *testing.T) {
	_, err := usablePython([]string{t.TempDir()})
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("err %v, want exec.ErrNotFound", err)
	}
	ie := &InterpreterError{Name: "python3", Err: err}
	if !errors.Is(ie, ErrNoPython) || !strings.Contains(ie.Error(), "install Python 3") {
		t.Errorf("InterpreterError %q does not match ErrNoPython or name what to install", ie)
	}
}

func TestPythonUnderHiddenFolderSkipped(t *testing.T) {
	dir := t.TempDir() // under /tmp, which the sandbox replaces
	if err := os.WriteFile(dir+"/python3", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := usablePython([]string{dir})
	if err == nil || !strings.Contains(err.Error(), "skipped") {
		t.Errorf("usablePython(%s) = %q, %v; want it skipped", dir, got, err)
	}
}
