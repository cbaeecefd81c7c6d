//go:build !linux

package hardware

import (
	"io/fs"
	"runtime"
)

// hostMemSource names where gopsutil reads RAM on this platform.
var hostMemSource = memSourceFor(runtime.GOOS)

func memSourceFor(goos string) string {
	switch goos {
	case "darwin":
		return "sysctl"
	case "windows":
		return "GlobalMemoryStatusEx"
	default:
		return "gopsutil"
	}
}

// cgroupMemoryLimit reports no limit: cgroups exist only on Linux.
func cgroupMemoryLimit(fs.FS) (cgroupMemory, error) {
	return cgroupMemory{}, nil
}
