package daemon

import "syscall"

// procAttr starts the daemon in its own process group (so Stop ends its
// runners too) and has the kernel kill it if this process dies first, so
// an interrupted test run leaves no daemon behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
