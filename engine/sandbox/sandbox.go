// Package sandbox runs untrusted Python code (model-written solutions and
// their test programs) outside the calling process, with resource limits,
// a wall-clock deadline, capped output, no network and a throwaway folder.
//
// [Run] executes one [Program] under [Limits] and returns a [Result]; the
// code's failure, however hostile, is a Result, never an error. [Pool]
// bounds how many run at once.
//
// # How a program is confined
//
// Each Run starts its own `python3 -I -S -c PRELUDE` process with an empty
// environment. On Linux the process is cloned into new user, network, PID
// and mount namespaces (CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWPID|CLONE_NEWNS)
// whose only uid and gid, 0, map to the unprivileged uid and gid 65534
// (nobody) outside when the caller is root, or to the caller's own ids
// otherwise. The prelude (prelude.py, embedded) then:
//   - makes every mount read-only and nosuid, hides /root, /home, /var/tmp,
//     /dev/shm and /run behind empty tmpfs mounts, mounts a fresh tmpfs of
//     4 x Limits.FileBytes on /tmp (the only writable place, which also hides
//     other sandboxes' folders) and the PID namespace's own /proc; other
//     files stay readable where their mode lets anyone read them (the
//     system's Python library among them);
//   - empties its capability bounding set, sets no_new_privs and drops its
//     own capabilities, so the program runs with none;
//   - sets the rlimits (CPU, address space, file size, processes, open
//     files, no core files), forks, and execs `python3 -I -B` on the
//     program with HOME and TMPDIR in /tmp/work, staying behind as the
//     namespace's init: when it exits the kernel kills everything left.
//
// Why a Python prelude rather than prlimit(1) or re-executing the Go
// binary: it needs nothing beyond the python3 the code needs anyway, works
// the same from tests and from the CLI (a re-exec helper would need a hook
// in every binary that links this package), and it is the only place that
// can run code between the namespaces' creation and the program's exec.
//
// The network namespace has only a loopback interface that is down, so no
// connection leaves the sandbox, loopback included. A program's uid
// outside is never root, so RLIMIT_NPROC is enforced (it is not for root),
// and the count is per user namespace, so parallel runs do not share the
// budget. In the PID namespace the program cannot see or signal any
// process outside. A run costs about 35 ms on an idle machine (two Python
// starts: the prelude's and the program's).
//
// Where the kernel refuses user namespaces (Result.Network "shared"; a
// container's default seccomp policy does), Run falls back to a process
// group of its own. A root caller then runs each sandbox as a uid of its
// own, drawn at random from 0x60000000 up (no account has it): RLIMIT_NPROC
// counts that sandbox's processes alone, and every process of the uid is
// killed when the program ends, so nothing it started survives. Other
// callers run it as themselves; the prelude then adds their other
// processes to RLIMIT_NPROC, and a grandchild that leaves the process
// group outlives the run. Either way rlimits and the deadline hold, but
// the network and the file system (world-writable folders such as /tmp)
// are shared. The fallback happens once per process and is reported in
// every Result, so a run's metadata can say so.
package sandbox

import (
	"errors"
	"fmt"
	"time"
)

// Limits bounds one execution. A zero field takes its value from
// [DefaultLimits].
type Limits struct {
	// CPU is the CPU time of each process of the program (RLIMIT_CPU,
	// rounded up to whole seconds).
	CPU time.Duration
	// Wall is the wall-clock deadline of the whole execution; at it every
	// process of the sandbox is killed.
	Wall time.Duration
	// MemoryBytes is each process's address space (RLIMIT_AS).
	MemoryBytes int64
	// FileBytes is the largest file a process may write (RLIMIT_FSIZE) and
	// a quarter of the size of the sandbox's writable /tmp.
	FileBytes int64
	// OutputBytes caps stdout and stderr each; a program that writes more
	// is killed (Status OutputLimit) and the rest is discarded.
	OutputBytes int64
	// Procs is the number of processes and threads the sandbox may run at
	// once (RLIMIT_NPROC), the prelude included; at least 2. Without a user
	// namespace the uid's other processes are added (RLIMIT_NPROC counts
	// them all).
	Procs int
	// Files is the number of open files per process (RLIMIT_NOFILE).
	Files int
}

// DefaultLimits returns the limits used for zero fields: 10 s of CPU, a
// 15 s deadline, 1 GiB of address space, 16 MiB files, 1 MiB of output
// per stream, 4 processes (the prelude, the program and two more
// processes or threads) and 64 open files. Memory and processes are kept
// small because only their product bounds what a sandbox can hold (4 GiB
// here): rlimits are per process, and a cgroup is not used.
func DefaultLimits() Limits {
	return Limits{
		CPU:         10 * time.Second,
		Wall:        15 * time.Second,
		MemoryBytes: 1 << 30,
		FileBytes:   16 << 20,
		OutputBytes: 1 << 20,
		Procs:       4,
		Files:       64,
	}
}

// withDefaults fills the zero (or negative) fields of l.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.CPU, d.CPU)
	orDefault(&l.Wall, d.Wall)
	orDefault(&l.MemoryBytes, d.MemoryBytes)
	orDefault(&l.FileBytes, d.FileBytes)
	orDefault(&l.OutputBytes, d.OutputBytes)
	orDefault(&l.Procs, d.Procs)
	l.Procs = max(l.Procs, 2) // the prelude and the program
	orDefault(&l.Files, d.Files)
	return l
}

// orDefault sets *v to def when it is unset (zero or negative).
func orDefault[T ~int | ~int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Program is the Python source to run and its standard input.
type Program struct {
	Code  string
	Stdin string
}

// Status is how an execution ended.
type Status string

// The statuses of a Result. Only Passed means the program ran to the end.
const (
	// Passed: the program exited with status 0.
	Passed Status = "passed"
	// Failed: the program exited with another status (an exception, a
	// failed assert, sys.exit(1), a MemoryError under the memory limit).
	Failed Status = "failed"
	// Timeout: the wall-clock deadline or the CPU limit ended it.
	Timeout Status = "timeout"
	// Killed: a signal ended it (a file-size limit, a crash).
	Killed Status = "killed"
	// OutputLimit: it wrote more than Limits.OutputBytes to stdout or
	// stderr and was killed.
	OutputLimit Status = "output_limit"
)

// Isolation values of Result.Network and Result.Filesystem.
const (
	// NoNetwork (Network): a network namespace of its own, whose only
	// interface is a loopback that is down.
	NoNetwork = "none"
	// PrivateFiles (Filesystem): the host's mounts read-only, homes and
	// /tmp hidden, a fresh tmpfs /tmp (see the package doc).
	PrivateFiles = "private"
	// Shared (either): the host's network, or its file system as the
	// sandbox's uid may use it.
	Shared = "shared"
)

// Result is the outcome of one execution.
type Result struct {
	Status   Status
	ExitCode int // the program's exit status; -1 when a signal ended it
	// Stdout and Stderr hold at most Limits.OutputBytes each.
	Stdout, Stderr string
	// Reason says in one line why the program did not pass ("" when it
	// passed): the exception line of a traceback, the limit it hit.
	Reason  string
	Elapsed time.Duration
	// Network is NoNetwork or Shared; Filesystem is PrivateFiles or
	// Shared.
	Network, Filesystem string
}

// OK reports whether the program ran to the end and exited with status 0.
func (r Result) OK() bool { return r.Status == Passed }

// ErrNoPython is matched by the error Run returns when no python3
// interpreter can be found.
var ErrNoPython = errors.New("sandbox: python3 not found")

// InterpreterError reports that the interpreter could not be found or
// started; it matches ErrNoPython when it could not be found.
type InterpreterError struct {
	Name string // the command looked for, "python3"
	Err  error
}

// Error says what is missing and what to install.
func (e *InterpreterError) Error() string {
	return fmt.Sprintf("sandbox: cannot run %s (install Python 3, e.g. the python3 package): %v", e.Name, e.Err)
}

// Unwrap returns the cause.
func (e *InterpreterError) Unwrap() error { return e.Err }

// Is matches ErrNoPython.
func (e *InterpreterError) Is(target error) bool { return target == ErrNoPython }
