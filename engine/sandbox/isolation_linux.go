package sandbox

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// nobody is the uid and gid a sandbox runs as outside its user namespace
// when the caller is root.
const nobody = 65534

// Without namespaces a root caller runs each sandbox as a uid of its own,
// drawn from [uidBase, uidBase+uidSpan): ids no account uses, so the
// sandbox owns no file but its folder, RLIMIT_NPROC counts its processes
// alone, and all of them can be found and killed at the end.
const (
	uidBase = 0x60000000
	uidSpan = 1 << 24
)

// identity is whom a sandbox runs as, seen from outside any namespace.
type identity struct {
	uid, gid int
	chown    bool   // the working folder must be given to uid
	own      bool   // uid is this run's alone: every process of it dies at the end
	release  func() // returns uid to the pool (own only)
}

// identityFor returns the identity of a run: with namespaces, nobody when
// the caller is root (uid 0 inside maps to it); without, a fresh uid when
// the caller is root; otherwise the caller's own ids.
func identityFor(private bool) identity {
	switch {
	case os.Geteuid() != 0:
		return identity{uid: os.Geteuid(), gid: os.Getegid()}
	case private:
		return identity{uid: nobody, gid: nobody, chown: true}
	}
	uid, release := freshUID()
	return identity{uid: uid, gid: uid, chown: true, own: true, release: release}
}

// inUse holds the fresh uids of this process's running sandboxes.
var inUse sync.Map

// freshUID draws a uid from the sandbox range that no running process has
// and no other sandbox of this process holds.
func freshUID() (int, func()) {
	for {
		uid := uidBase + rand.IntN(uidSpan)
		if _, taken := inUse.LoadOrStore(uid, true); taken {
			continue
		}
		if len(processesOf(uid, true)) > 0 {
			inUse.Delete(uid)
			continue
		}
		return uid, func() { inUse.Delete(uid) }
	}
}

// processesOf returns the pids whose real uid is uid, zombies included
// when zombies is set.
func processesOf(uid int, zombies bool) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := strconv.Itoa(uid)
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		var real, state string
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Uid:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					real = f[0]
				}
			} else if v, ok := strings.CutPrefix(line, "State:"); ok {
				state = strings.TrimSpace(v)
			}
		}
		if real == want && (zombies || !strings.HasPrefix(state, "Z")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killUID kills every live process of a sandbox's own uid, again until
// none is left (a process may fork while its siblings die; RLIMIT_NPROC
// bounds how many there can be). It refuses any uid outside the sandbox
// range.
func killUID(uid int) {
	if uid < uidBase || uid >= uidBase+uidSpan {
		return
	}
	for range 100 {
		pids := processesOf(uid, false)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sysProcAttr returns the process attributes of the prelude: its own
// process group, killed with its parent, and, when private is set, new
// user, network, PID and mount namespaces in which uid and gid 0 map to
// id outside (see the package doc); without them it runs as id.
func sysProcAttr(private bool, id identity) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	root := os.Geteuid() == 0
	switch {
	case private:
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: id.uid, Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: id.gid, Size: 1}}
		// Only a privileged parent may let the child call setgroups; root
		// uses it to drop its supplementary groups (group 0 among them).
		a.GidMappingsEnableSetgroups = root
		// setuid(0) inside the namespace is what makes the process nobody
		// outside: until then it keeps the caller's uid.
		a.Credential = &syscall.Credential{Uid: 0, Gid: 0}
	case root:
		a.Credential = &syscall.Credential{Uid: uint32(id.uid), Gid: uint32(id.gid), Groups: []uint32{}}
	}
	return a
}

// isNamespaceRefusal reports whether err is the kernel refusing to create
// the namespaces (user namespaces disabled or exhausted, or forbidden by a
// seccomp policy), so Run should fall back.
func isNamespaceRefusal(err error) bool {
	var se *startError
	if !errors.As(err, &se) {
		return false
	}
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EUSERS) ||
		errors.Is(err, syscall.EACCES)
}
