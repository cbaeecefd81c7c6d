//go:build !linux

package daemon

import "syscall"

// procAttr starts the daemon in its own process group, so Stop ends its
// runners too.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
