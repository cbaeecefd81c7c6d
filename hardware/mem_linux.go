package hardware

import "io/fs"

// hostMemSource names where gopsutil reads RAM on this platform.
const hostMemSource = "meminfo"

// cgroupMemoryLimit reads this process's cgroup memory limit and usage from
// fsys, the tree under Config.SysRoot.
func cgroupMemoryLimit(fsys fs.FS) (cgroupMemory, error) {
	return readCgroupMemory(fsys)
}
