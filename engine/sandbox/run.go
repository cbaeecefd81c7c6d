//go:build unix

package sandbox

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

//go:embed prelude.py
var prelude string

// findPython looks python3 up once per process: see [usablePython].
var findPython = sync.OnceValues(func() (string, error) {
	return usablePython(filepath.SplitList(os.Getenv("PATH")))
})

// hiddenDirs are the folders the prelude hides or replaces in a sandbox;
// an interpreter under them cannot run there.
var hiddenDirs = []string{"/root", "/home", "/tmp", "/var/tmp", "/dev/shm", "/run"}

// usablePython returns the first python3 in dirs that the sandbox can run:
// its real path (symbolic links resolved) lies outside hiddenDirs, and it
// and every folder above it can be executed by anyone, since the sandbox
// runs as nobody. A per-user install (pyenv's shims under /root, a venv
// in a home folder) is skipped for the system's python3.
func usablePython(dirs []string) (string, error) {
	var skipped []string
	for _, d := range dirs {
		if d == "" {
			continue
		}
		cand := filepath.Join(d, "python3")
		real, err := filepath.EvalSymlinks(cand)
		if err != nil {
			continue
		}
		if why := unusable(real); why != "" {
			skipped = append(skipped, cand+" ("+why+")")
			continue
		}
		return real, nil
	}
	if len(skipped) == 0 {
		return "", exec.ErrNotFound
	}
	return "", fmt.Errorf("%w; skipped %s", exec.ErrNotFound, strings.Join(skipped, ", "))
}

// unusable says why the interpreter at the resolved path real cannot run
// in a sandbox, or "" when it can.
func unusable(real string) string {
	for _, h := range hiddenDirs {
		if real == h || strings.HasPrefix(real, h+"/") {
			return "under " + h + ", which the sandbox hides"
		}
	}
	for p := real; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err.Error()
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return p + " is not executable by others"
		}
		if p == "/" {
			return ""
		}
	}
}

// noUserNS is set once the kernel has refused the namespaces; every later
// Run then uses the fallback without trying again.
var noUserNS atomic.Bool

// Run executes p in a sandbox under l (zero fields take [DefaultLimits])
// and waits for it. The program's own failure, whatever it does, is
// reported in the Result; the error is non-nil only when the sandbox could
// not be set up (no python3: an [*InterpreterError]; no temporary folder)
// or when ctx ended first (ctx.Err(), wrapped).
func Run(ctx context.Context, p Program, l Limits) (Result, error) {
	l = l.withDefaults()
	py, err := findPython()
	if err != nil {
		return Result{}, &InterpreterError{Name: "python3", Err: err}
	}
	dir, err := os.MkdirTemp("", "slmmux-sandbox-")
	if err != nil {
		return Result{}, fmt.Errorf("sandbox: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := prepareDir(dir, p.Code); err != nil {
		return Result{}, fmt.Errorf("sandbox: %w", err)
	}
	private := !noUserNS.Load()
	r, err := runAs(ctx, py, dir, p, l, private)
	if private && isNamespaceRefusal(err) {
		noUserNS.Store(true)
		r, err = runAs(ctx, py, dir, p, l, false)
	}
	return r, err
}

// runAs executes the program in dir as the identity of the mode, and, when
// that uid is the run's own, kills whatever of it is left at the end.
func runAs(ctx context.Context, py, dir string, p Program, l Limits, private bool) (Result, error) {
	id := identityFor(private)
	if id.release != nil {
		defer id.release()
	}
	if id.chown {
		if err := os.Chown(filepath.Join(dir, "work"), id.uid, id.gid); err != nil {
			return Result{}, fmt.Errorf("sandbox: %w", err)
		}
	}
	if id.own {
		defer killUID(id.uid)
	}
	return execute(ctx, py, dir, p, l, private, id)
}

// prepareDir writes the program into dir and makes the empty working
// folder dir/work; dir is made reachable by any uid.
func prepareDir(dir, code string) error {
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	prog := filepath.Join(dir, "main.py")
	if err := os.WriteFile(prog, []byte(code), 0o444); err != nil {
		return err
	}
	return os.Mkdir(filepath.Join(dir, "work"), 0o700)
}

// startError marks a failure to start the prelude process.
type startError struct{ err error }

func (e *startError) Error() string { return "sandbox: start python3: " + e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// run is the state of one execution while it runs.
type run struct {
	mu     sync.Mutex
	pgid   int
	killed Status // why Run killed it; "" when it did not
	detail string
}

// kill ends the whole process group once, remembering why. Before the
// group is known (output can arrive before Start returns) it only
// remembers, and started kills it. pgid 0 must never reach syscall.Kill:
// kill(0) is the caller's own process group.
func (r *run) kill(why Status, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed != "" {
		return
	}
	r.killed, r.detail = why, detail
	if r.pgid > 0 {
		_ = syscall.Kill(-r.pgid, syscall.SIGKILL)
	}
}

// started records the process group of the started prelude, and kills it
// at once when kill came first.
func (r *run) started(pgid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pgid = pgid
	if r.killed != "" && pgid > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// execute runs the prelude on the program in dir, in the namespaces when
// private is set.
func execute(ctx context.Context, py, dir string, p Program, l Limits, private bool, id identity) (Result, error) {
	repR, repW, err := os.Pipe()
	if err != nil {
		return Result{}, fmt.Errorf("sandbox: %w", err)
	}
	defer repR.Close()
	cpu := int64((l.CPU + time.Second - 1) / time.Second)
	cmd := exec.Command(py, "-I", "-S", "-c", prelude,
		filepath.Join(dir, "main.py"), filepath.Join(dir, "work"),
		strconv.FormatInt(cpu, 10), strconv.FormatInt(l.MemoryBytes, 10),
		strconv.FormatInt(l.FileBytes, 10), strconv.Itoa(l.Procs), strconv.Itoa(l.Files),
		flag(private))
	cmd.Env = []string{}
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(p.Stdin)
	st := &run{}
	stdout := &capped{max: l.OutputBytes, overflow: func() { st.kill(OutputLimit, "stdout") }}
	stderr := &capped{max: l.OutputBytes, overflow: func() { st.kill(OutputLimit, "stderr") }}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{repW}
	cmd.SysProcAttr = sysProcAttr(private, id)
	cmd.WaitDelay = time.Second
	start := time.Now()
	err = cmd.Start()
	repW.Close()
	if err != nil {
		return Result{}, &startError{err}
	}
	pgid := cmd.Process.Pid
	st.started(pgid)
	done := make(chan struct{})
	go func() {
		t := time.NewTimer(l.Wall)
		defer t.Stop()
		select {
		case <-t.C:
			st.kill(Timeout, "wall")
		case <-ctx.Done():
			st.kill(Timeout, "canceled")
		case <-done:
		}
	}()
	waitErr := cmd.Wait()
	close(done)
	elapsed := time.Since(start)
	if !private {
		// Grandchildren that outlived the prelude in its process group.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	// Only the prelude holds the pipe (the program's copy is closed before
	// its exec); the deadline guards against a descendant that kept it.
	_ = repR.SetReadDeadline(time.Now().Add(time.Second))
	report, _ := io.ReadAll(io.LimitReader(repR, 1<<16))
	st.mu.Lock()
	killed, detail := st.killed, st.detail
	st.mu.Unlock()
	if detail == "canceled" {
		return Result{}, fmt.Errorf("sandbox: %w", ctx.Err())
	}
	res := Result{
		Stdout: stdout.String(), Stderr: stderr.String(), Elapsed: elapsed,
		Network: Shared, Filesystem: Shared, ExitCode: -1,
	}
	if private {
		res.Network = NoNetwork
	}
	return classify(res, parseReport(string(report)), cmd.ProcessState, waitErr, killed, detail, l)
}

// flag is a boolean argument of the prelude.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// preludeReport is what the prelude wrote on fd 3.
type preludeReport struct {
	fsPrivate bool
	exited    bool
	exitCode  int
	signal    syscall.Signal // non-zero when a signal ended the program
	errText   string         // the prelude could not start the program
}

func parseReport(s string) preludeReport {
	var r preludeReport
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "fs":
			r.fsPrivate = val == "private"
		case "exit":
			r.exitCode, _ = strconv.Atoi(val)
			r.exited = true
		case "signal":
			n, _ := strconv.Atoi(val)
			r.signal = syscall.Signal(n)
		case "error":
			r.errText = val
		}
	}
	return r
}

// classify turns how the process ended into a Result.
func classify(res Result, rep preludeReport, ps *os.ProcessState, waitErr error, killed Status, detail string, l Limits) (Result, error) {
	if rep.fsPrivate {
		res.Filesystem = PrivateFiles
	}
	switch {
	case killed == OutputLimit:
		res.Status = OutputLimit
		res.Reason = fmt.Sprintf("wrote more than %d bytes to %s", l.OutputBytes, detail)
	case killed == Timeout:
		res.Status = Timeout
		res.Reason = fmt.Sprintf("wall-clock limit of %s", l.Wall)
	case rep.errText != "":
		return res, fmt.Errorf("sandbox: prelude: %s", rep.errText)
	case rep.signal != 0:
		res.Status, res.Reason = signalled(rep.signal, ps, l)
	case rep.exited && rep.exitCode == 0:
		res.Status, res.ExitCode = Passed, 0
	case rep.exited:
		res.Status, res.ExitCode = Failed, rep.exitCode
		res.Reason = lastLine(res.Stderr)
		if res.Reason == "" {
			res.Reason = fmt.Sprintf("exit status %d", rep.exitCode)
		}
	case ps != nil && !ps.Exited():
		// The prelude was killed before it could report: without a PID
		// namespace the program (same uid) can do that.
		res.Status = Killed
		res.Reason = "the sandbox's supervisor was killed"
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.Reason += " by " + sigName(ws.Signal())
		}
	default:
		// The prelude itself exited without a word: a start-up failure of
		// the sandbox, not of the program.
		msg := lastLine(res.Stderr)
		if msg == "" && waitErr != nil {
			msg = waitErr.Error()
		}
		return res, &startError{errors.New("the sandbox's prelude ended early: " + msg)}
	}
	return res, nil
}

// signalled names the limit behind a signal that ended the program.
func signalled(sig syscall.Signal, ps *os.ProcessState, l Limits) (Status, string) {
	cpu := time.Duration(0)
	if ps != nil {
		cpu = ps.UserTime() + ps.SystemTime()
	}
	switch {
	case sig == syscall.SIGXCPU || (sig == syscall.SIGKILL && cpu >= l.CPU):
		return Timeout, fmt.Sprintf("CPU time limit of %s", l.CPU)
	case sig == syscall.SIGXFSZ:
		return Killed, fmt.Sprintf("file size limit of %d bytes", l.FileBytes)
	default:
		return Killed, "killed by signal " + sigName(sig)
	}
}

func sigName(sig syscall.Signal) string {
	if s := unix.SignalName(sig); s != "" {
		return s
	}
	return strconv.Itoa(int(sig))
}

// lastLine returns the last non-blank line of s, trimmed: the exception
// line of a Python traceback.
func lastLine(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// capped keeps the first max bytes written to it and calls overflow once
// when more arrive; the rest is discarded.
type capped struct {
	mu       sync.Mutex
	buf      []byte
	max      int64
	over     bool
	overflow func()
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	room := c.max - int64(len(c.buf))
	if int64(len(p)) <= room {
		c.buf = append(c.buf, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	if room > 0 {
		c.buf = append(c.buf, p[:room]...)
	}
	first := !c.over
	c.over = true
	c.mu.Unlock()
	if first {
		c.overflow()
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}
