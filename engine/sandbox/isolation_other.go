//go:build unix && !linux

package sandbox

import (
	"os"
	"syscall"
)

const nobody = 65534

// Outside Linux there are no namespaces to try.
func init() { noUserNS.Store(true) }

// sandboxIDs: see isolation_linux.go.
func sandboxIDs() (uid, gid int, chown bool) {
	if os.Geteuid() == 0 {
		return nobody, nobody, true
	}
	return os.Geteuid(), os.Getegid(), false
}

// sysProcAttr has no namespaces outside Linux: a process group of its
// own, as nobody when the caller is root.
func sysProcAttr(private bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	if os.Geteuid() == 0 {
		a.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
	}
	return a
}

// isNamespaceRefusal: never tried outside Linux.
func isNamespaceRefusal(error) bool { return false }
