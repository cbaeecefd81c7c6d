//go:build unix && !linux

package sandbox

import (
	"os"
	"syscall"
)

const nobody = 65534

// Outside Linux there are no namespaces to try.
func init() { noUserNS.Store(true) }

// identity: see isolation_linux.go.
type identity struct {
	uid, gid int
	chown    bool
	own      bool
	release  func()
}

// identityFor is nobody for a root caller, else the caller's own ids.
func identityFor(bool) identity {
	if os.Geteuid() == 0 {
		return identity{uid: nobody, gid: nobody, chown: true}
	}
	return identity{uid: os.Geteuid(), gid: os.Getegid()}
}

// killUID is not needed: no identity here is a run's own.
func killUID(int) {}

// sysProcAttr has no namespaces outside Linux: a process group of its
// own, as id.
func sysProcAttr(_ bool, id identity) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	if os.Geteuid() == 0 {
		a.Credential = &syscall.Credential{Uid: uint32(id.uid), Gid: uint32(id.gid), Groups: []uint32{}}
	}
	return a
}

// isNamespaceRefusal: never tried outside Linux.
func isNamespaceRefusal(error) bool { return false }
