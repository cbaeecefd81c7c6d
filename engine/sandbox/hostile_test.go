//go:build unix

package sandbox

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The hostile samples of the issue: each must come back as a Result that
// did not pass, with the test process (and its machine) untouched. Their
// statuses and reasons are logged (go test -v -run Hostile).

// hostileLimits keeps the slow cases short.
var hostileLimits = Limits{CPU: 2 * time.Second, Wall: 5 * time.Second}

// mustNotPass runs code and fails the test if it passed.
func mustNotPass(t *testing.T, code string, l Limits) Result {
	t.Helper()
	r := mustRun(t, Program{Code: code}, l)
	if r.Status == Passed || r.Reason == "" {
		t.Errorf("status %s reason %q: want a failed execution with a reason\nstdout %q\nstderr %q",
			r.Status, r.Reason, r.Stdout, r.Stderr)
	}
	return r
}

func TestHostileInfiniteLoop(t *testing.T) {
	requirePython(t)
	r := mustNotPass(t, "while True:\n    pass\n", hostileLimits)
	if r.Status != Timeout {
		t.Errorf("status %s, want %s", r.Status, Timeout)
	}
}

func TestHostileAllocate64GiB(t *testing.T) {
	requirePython(t)
	r := mustNotPass(t, "b = bytearray(64 << 30)\nprint(len(b))\n", hostileLimits)
	if !strings.Contains(r.Reason, "MemoryError") {
		t.Errorf("reason %q, want a MemoryError", r.Reason)
	}
}

func TestHostilePrint1GiB(t *testing.T) {
	requirePython(t)
	code := "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n"
	r := mustNotPass(t, code, hostileLimits)
	if r.Status != OutputLimit || int64(len(r.Stdout)) > DefaultLimits().OutputBytes {
		t.Errorf("status %s with %d bytes kept, want %s and at most %d", r.Status, len(r.Stdout), OutputLimit, DefaultLimits().OutputBytes)
	}
}

func TestHostileWriteOutside(t *testing.T) {
	requireNamespaces(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	targets := []string{
		filepath.Join(t.TempDir(), "escaped"),                // under /tmp, world-reachable
		filepath.Join(wd, "escaped-from-sandbox"),            // the package folder
		filepath.Join(os.TempDir(), "slmmux-sandbox-escape"), // /tmp itself
	}
	for _, target := range targets {
		code := fmt.Sprintf("open(%q, 'w').write('escaped')\nprint('wrote')\n", target)
		r := mustRun(t, Program{Code: code}, hostileLimits)
		if _, err := os.Stat(target); err == nil {
			os.Remove(target)
			t.Errorf("%s: the sandbox wrote it", target)
		}
		// /tmp itself is the sandbox's own tmpfs: the write succeeds there
		// and vanishes with it. Elsewhere the write must fail.
		if filepath.Dir(target) != filepath.Clean(os.TempDir()) && r.Status == Passed {
			t.Errorf("%s: the write succeeded inside the sandbox", target)
		}
	}
}

func TestHostileReadHome(t *testing.T) {
	requireNamespaces(t)
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder:", err)
	}
	f, err := os.CreateTemp(home, "slmmux-sandbox-secret-")
	if err != nil {
		t.Skip("cannot write in the home folder:", err)
	}
	t.Cleanup(func() { os.Remove(f.Name()) })
	const secret = "the-secret-of-the-home-folder"
	if _, err := f.WriteString(secret); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chmod(f.Name(), 0o644); err != nil { // readable by anyone on the host
		t.Fatal(err)
	}
	r := mustNotPass(t, fmt.Sprintf("print(open(%q).read())\n", f.Name()), hostileLimits)
	if strings.Contains(r.Stdout, secret) || strings.Contains(r.Stderr, secret) {
		t.Errorf("the sandbox read %s", f.Name())
	}
}

func TestHostileLoopbackConnection(t *testing.T) {
	requireNamespaces(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	code := fmt.Sprintf("import socket\ns = socket.create_connection(('127.0.0.1', %d), timeout=3)\ns.sendall(b'hello')\n", port)
	mustNotPass(t, code, hostileLimits)
	ln.Close()
	<-done
	if n := accepted.Load(); n != 0 {
		t.Errorf("the listener accepted %d connections from the sandbox", n)
	}
}

// requireProcessLimit runs a harmless program that forks sleeping children
// until it cannot, and fails the test unless RLIMIT_NPROC stopped it: the
// fork bomb must not run where the limit is not enforced.
func requireProcessLimit(t *testing.T) {
	t.Helper()
	code := `
import os, time
n = 0
for i in range(64):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    n += 1
print(n)
`
	r := mustRun(t, Program{Code: code}, Limits{Procs: 8, Wall: 10 * time.Second})
	n, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
	if r.Status != Passed || err != nil || n >= 8 {
		t.Fatalf("the process limit of 8 is not enforced: %s, %q forks (%s)", r.Status, r.Stdout, r.Stderr)
	}
	t.Logf("under a limit of 8 processes, the program forked %d children", n)
	if r.Elapsed > 20*time.Second { // they sleep 30 s: a bound with room for a loaded machine, not a speed test
		t.Fatalf("the children outlived the program (%s): the PID namespace did not end them", r.Elapsed)
	}
}

func TestHostileForkBomb(t *testing.T) {
	requireNamespaces(t)
	requireProcessLimit(t)
	forkBomb(t)
}

func TestHostileKillParent(t *testing.T) {
	requireNamespaces(t)
	killParent(t)
}

// Without namespaces a root caller's sandbox is a uid of its own, which
// is what contains these two: RLIMIT_NPROC counts its processes alone, and
// kill(-1) reaches only them. The test makes sure of the uid first.
func TestHostileWithoutNamespaces(t *testing.T) {
	requirePython(t)
	if os.Geteuid() != 0 {
		t.Skip("as another user the fallback shares the user's processes: not run")
	}
	if noUserNS.Load() {
		t.Skip("already running without namespaces")
	}
	noUserNS.Store(true)
	defer noUserNS.Store(false)
	_, out := probe(t)
	if uid, err := strconv.Atoi(out["uid"]); err != nil || uid < uidBase || uid >= uidBase+uidSpan {
		t.Fatalf("the fallback runs as uid %q, not one of its own: the hostile programs are not run", out["uid"])
	}
	requireProcessLimit(t)
	t.Run("fork bomb", forkBomb)
	t.Run("kill parent", killParent)
}

func forkBomb(t *testing.T) {
	code := `
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
`
	l := Limits{CPU: 2 * time.Second, Wall: 3 * time.Second}
	start := time.Now()
	r := mustNotPass(t, code, l)
	if r.Status != Timeout {
		t.Errorf("status %s, want %s", r.Status, Timeout)
	}
	if d := time.Since(start); d > l.Wall+20*time.Second { // containment, with room for a loaded machine
		t.Errorf("Run took %s, the deadline is %s", d, l.Wall)
	}
}

func killParent(t *testing.T) {
	// A process of the caller's that the sandbox must not be able to reach.
	canary := exec.Command("sleep", "60")
	if err := canary.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { _ = canary.Process.Kill(); _ = canary.Wait() }()
	code := fmt.Sprintf(`
import os, signal
for what, f in [
    ("kill(ppid)", lambda: os.kill(os.getppid(), signal.SIGKILL)),
    ("kill(test pid)", lambda: os.kill(%d, signal.SIGKILL)),
    ("kill(canary pid)", lambda: os.kill(%d, signal.SIGKILL)),
    ("kill(1)", lambda: os.kill(1, signal.SIGKILL)),
    ("kill(-1)", lambda: os.kill(-1, signal.SIGKILL)),
    ("killpg(getpgid(0)=%%d)" %% os.getpgid(0), lambda: os.killpg(os.getpgid(0), signal.SIGKILL)),
    ("killpg(0), its own group, itself included", lambda: os.killpg(0, signal.SIGKILL)),
]:
    try:
        f()
        print(what, "sent", flush=True)
    except OSError as e:
        print(what, e, flush=True)
`, os.Getpid(), canary.Process.Pid)
	r := mustNotPass(t, code, hostileLimits)
	t.Logf("the program's account:\n%s", r.Stdout)
	if r.Status != Killed {
		t.Errorf("status %s, want %s: the last attempt kills the program itself", r.Status, Killed)
	}
	if err := canary.Process.Signal(syscallZero); err != nil {
		t.Errorf("the canary process died: %v", err)
	}
}

// syscallZero is signal 0: a liveness check.
var syscallZero = syscall.Signal(0)

func TestProcessLimit(t *testing.T) {
	requireNamespaces(t)
	requireProcessLimit(t)
}

// Without namespaces a root caller's sandbox has a uid of its own, so
// RLIMIT_NPROC counts its processes alone.
func TestProcessLimitWithoutNamespaces(t *testing.T) {
	requirePython(t)
	if os.Geteuid() != 0 {
		t.Skip("as another user the budget moves with the user's other processes")
	}
	if noUserNS.Load() {
		t.Skip("already running without namespaces")
	}
	noUserNS.Store(true)
	defer noUserNS.Store(false)
	requireProcessLimit(t)
}

// processesWith returns the host pids whose command line holds marker.
func processesWith(t *testing.T, marker string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	var pids []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), marker) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// daemonSurvivors runs a program that leaves a process behind in a session
// of its own (out of the process group) and returns the pids of it still
// alive once Run has returned (and kills them).
func daemonSurvivors(t *testing.T) []int {
	t.Helper()
	marker := fmt.Sprintf("slmmux-sandbox-daemon-%d", time.Now().UnixNano())
	code := fmt.Sprintf(`
import os, sys
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", %q])
print("left a daemon behind")
`, marker)
	r := mustRun(t, Program{Code: code}, hostileLimits)
	t.Logf("the program: %s %q", r.Status, strings.TrimSpace(r.Stdout))
	var alive []int
	for _, p := range processesWith(t, marker) {
		if n, err := strconv.Atoi(p); err == nil {
			alive = append(alive, n)
			_ = syscall.Kill(n, syscall.SIGKILL)
		}
	}
	return alive
}

// In a PID namespace the daemon dies with the namespace's init.
func TestHostileDaemonOutlivesProgram(t *testing.T) {
	requireNamespaces(t)
	if pids := daemonSurvivors(t); len(pids) > 0 {
		t.Errorf("the daemon survived the sandbox: pids %v", pids)
	}
}

// Without namespaces, a root caller's sandbox has a uid of its own, and
// every process of it is killed at the end: the daemon too.
func TestDaemonKilledWithoutNamespaces(t *testing.T) {
	requirePython(t)
	if os.Geteuid() != 0 {
		t.Skip("as another user the fallback cannot find a sandbox's processes (see the package doc)")
	}
	if noUserNS.Load() {
		t.Skip("already running without namespaces")
	}
	noUserNS.Store(true)
	defer noUserNS.Store(false)
	if pids := daemonSurvivors(t); len(pids) > 0 {
		t.Errorf("the daemon survived the sandbox: pids %v", pids)
	}
}
