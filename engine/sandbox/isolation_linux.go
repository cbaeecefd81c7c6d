package sandbox

import (
	"errors"
	"os"
	"syscall"
)

// nobody is the uid and gid a sandbox runs as outside its user namespace
// when the caller is root.
const nobody = 65534

// sandboxIDs returns the uid and gid that own the sandbox's working folder
// outside any namespace, and whether they differ from the caller's (then
// the folder must be given to them).
func sandboxIDs() (uid, gid int, chown bool) {
	if os.Geteuid() == 0 {
		return nobody, nobody, true
	}
	return os.Geteuid(), os.Getegid(), false
}

// sysProcAttr returns the process attributes of the prelude: its own
// process group, killed with its parent, and, when private is set, new
// user, network, PID and mount namespaces in which uid and gid 0 map to
// sandboxIDs outside (see the package doc).
func sysProcAttr(private bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	uid, gid, root := sandboxIDs()
	switch {
	case private:
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
		// Only a privileged parent may let the child call setgroups; root
		// uses it to drop its supplementary groups (group 0 among them).
		a.GidMappingsEnableSetgroups = root
		// setuid(0) inside the namespace is what makes the process nobody
		// outside: until then it keeps the caller's uid.
		a.Credential = &syscall.Credential{Uid: 0, Gid: 0}
	case root:
		a.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
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
