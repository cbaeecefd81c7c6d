# The sandbox's prelude: run by `python3 -I -S -c` as the first process of
# a sandbox, before any untrusted code. Go cannot set rlimits on a child or
# run code between clone and exec, so this script does both, then forks the
# program and stays behind as its reaper (the init of the sandbox's PID
# namespace when there is one).
#
# argv: prog work cpu_seconds memory_bytes file_bytes procs files private
# fd 3: a pipe back to Go; lines "fs private", "fs shared REASON",
#       "exit N" or "signal N", "error TEXT".
import os
import resource
import signal
import sys

PROG, WORK = sys.argv[1], sys.argv[2]
CPU, MEM, FSIZE, NPROC, NOFILE = (int(x) for x in sys.argv[3:8])
PRIVATE = sys.argv[8] == "1"

report = os.fdopen(3, "w", buffering=1)
LIBC = None


def say(line):
    report.write(line.replace("\n", " ") + "\n")


def check(rc, what):
    if rc != 0:
        import ctypes

        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def cap(res, soft, hard):
    _, old = resource.getrlimit(res)
    if old != resource.RLIM_INFINITY:
        soft, hard = min(soft, old), min(hard, old)
    resource.setrlimit(res, (soft, hard))


def private_fs(code):
    """Make every mount read-only, hide /tmp, homes and other sandboxes
    behind fresh tmpfs mounts, and mount this PID namespace's own /proc.
    Returns the working folder and the program's path inside the tmpfs."""
    import ctypes

    libc = LIBC
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                           ctypes.c_ulong, ctypes.c_char_p]
    libc.syscall.restype = ctypes.c_long
    MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
    check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")

    class MountAttr(ctypes.Structure):
        _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                    ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]

    MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID = 1, 2
    attr = MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, 0)
    SYS_mount_setattr, AT_FDCWD, AT_RECURSIVE = 442, -100, 0x8000
    check(libc.syscall(SYS_mount_setattr, ctypes.c_int(AT_FDCWD), b"/",
                       ctypes.c_uint(AT_RECURSIVE), ctypes.byref(attr),
                       ctypes.c_size_t(ctypes.sizeof(attr))), "make / read-only")
    # Empty, read-only folders over the places that hold other people's files.
    for d in ("/root", "/home", "/var/tmp", "/dev/shm", "/run"):
        if os.path.isdir(d):
            check(libc.mount(b"tmpfs", d.encode(), b"tmpfs",
                             MS_NOSUID | MS_NODEV | MS_NOEXEC | 1,
                             b"size=4k,mode=0755"), "hide " + d)
    # A fresh, writable /tmp, limited in size: the only writable place.
    size = max(4 * FSIZE, 1 << 20)
    check(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV,
                     b"size=%d,mode=1777" % size), "mount /tmp")
    try:
        check(libc.mount(b"proc", b"/proc", b"proc",
                         MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mount /proc")
    except OSError:
        pass  # the host's /proc stays (read-only); processes are still confined
    work, prog = "/tmp/work", "/tmp/main.py"
    with open(prog, "wb") as f:
        f.write(code)
    os.chmod(prog, 0o444)
    os.mkdir(work, 0o777)
    return work, prog


def drop_capabilities():
    """Empty the bounding set (so exec gives the program no capabilities
    even as uid 0 of the user namespace) and this process's own sets."""
    import ctypes

    libc = LIBC
    PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for c in range(last + 1):
        check(libc.prctl(PR_CAPBSET_DROP, c, 0, 0, 0), "drop capability %d" % c)
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    check(libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")


def processes_of(uid):
    """Counts the threads of uid's processes other than this one."""
    n = 0
    try:
        pids = os.listdir("/proc")
    except OSError:
        return 0  # no /proc (not Linux)
    for pid in pids:
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/status" % pid) as f:
                fields = dict(l.split(":", 1) for l in f if ":" in l)
            if int(fields["Uid"].split()[0]) == uid:
                n += int(fields.get("Threads", "1"))
        except (OSError, KeyError, ValueError):
            pass
    return n


def main():
    work, prog = WORK, PROG
    if PRIVATE:
        global LIBC
        import ctypes

        LIBC = ctypes.CDLL(None, use_errno=True)
        with open(PROG, "rb") as f:
            code = f.read()
        try:
            work, prog = private_fs(code)
            say("fs private")
        except OSError as e:
            say("fs shared " + str(e))
        try:
            drop_capabilities()
        except OSError as e:
            say("error " + str(e))
            return 70
    else:
        say("fs shared no user namespace")
    os.chdir(work)
    cap(resource.RLIMIT_CORE, 0, 0)
    cap(resource.RLIMIT_CPU, CPU, CPU + 1)
    cap(resource.RLIMIT_AS, MEM, MEM)
    cap(resource.RLIMIT_FSIZE, FSIZE, FSIZE)
    # RLIMIT_NPROC counts every process of the real uid. In a user
    # namespace of its own that is only this sandbox's; without one it
    # includes the uid's other processes (other sandboxes, daemons running
    # as nobody), so they are added to the budget.
    nproc = NPROC if PRIVATE else NPROC + processes_of(os.getuid())
    cap(resource.RLIMIT_NPROC, nproc, nproc)
    cap(resource.RLIMIT_NOFILE, NOFILE, NOFILE)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "TMPDIR": work,
           "LANG": "C.UTF-8"}
    # As the init of a PID namespace this process ignores every signal it
    # has no handler for; Python's SIGINT handler is removed so the program
    # cannot stop its reaper early.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        pid = os.fork()
    except OSError as e:
        say("error fork: " + str(e))
        return 71
    if pid == 0:
        try:
            os.close(3)
            os.execve(sys.executable, [sys.executable, "-I", "-B", prog], env)
        finally:
            os._exit(127)
    while True:
        try:
            p, status = os.wait()
        except ChildProcessError:
            return 0
        if p != pid:
            continue  # an orphaned grandchild
        if os.WIFSIGNALED(status):
            say("signal %d" % os.WTERMSIG(status))
            return 1
        code = os.waitstatus_to_exitcode(status)
        say("exit %d" % code)
        return code


sys.exit(main())
