package hardware

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// cgroupMemory is the memory accounting of the cgroup whose limit binds
// this process.
type cgroupMemory struct {
	Version      int    // 1 or 2; 0 when no cgroup memory controller was found
	Path         string // the cgroup, e.g. "/user.slice/app.service"
	Limit        uint64 // bytes; 0 when there is no limit
	Usage        uint64 // bytes charged to the cgroup, page cache included
	InactiveFile uint64 // bytes of page cache the kernel reclaims first
}

// workingSet is the cgroup's usage that cannot be reclaimed cheaply: usage
// less the inactive page cache, as the kubelet and `docker stats` count it.
func (c cgroupMemory) workingSet() uint64 {
	if c.InactiveFile >= c.Usage {
		return 0
	}
	return c.Usage - c.InactiveFile
}

// v1Unlimited is the threshold at or above which a cgroup v1
// memory.limit_in_bytes means "no limit". The kernel writes
// PAGE_COUNTER_MAX pages, e.g. 9223372036854771712 with 4 KiB pages; no
// machine has 4 EiB of RAM.
const v1Unlimited = 1 << 62

// parseCgroupMax parses a cgroup v2 memory.max: a byte count, or "max" for
// no limit, which it returns as 0.
func parseCgroupMax(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, nil
	}
	return parseCgroupUint(s)
}

// parseCgroupV1Limit parses a cgroup v1 memory.limit_in_bytes. Values of
// v1Unlimited or more, or -1, mean no limit and are returned as 0.
func parseCgroupV1Limit(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "-1" {
		return 0, nil
	}
	n, err := parseCgroupUint(s)
	if err != nil || n >= v1Unlimited {
		return 0, err
	}
	return n, nil
}

// parseCgroupUint parses a single byte count such as memory.current or
// memory.usage_in_bytes.
func parseCgroupUint(s string) (uint64, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse cgroup value: %w", err)
	}
	return n, nil
}

// parseMemoryStat reads the inactive page cache from a memory.stat file:
// "inactive_file" in v2, the hierarchical "total_inactive_file" in v1 when
// present. It returns 0 when the file has neither.
func parseMemoryStat(r io.Reader) (uint64, error) {
	var inactive, total uint64
	var haveTotal bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok || (key != "inactive_file" && key != "total_inactive_file") {
			continue
		}
		n, err := parseCgroupUint(val)
		if err != nil {
			return 0, fmt.Errorf("memory.stat %s: %w", key, err)
		}
		if key == "total_inactive_file" {
			total, haveTotal = n, true
		} else {
			inactive = n
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read memory.stat: %w", err)
	}
	if haveTotal {
		return total, nil
	}
	return inactive, nil
}

// parseProcCgroup reads /proc/self/cgroup ("hierarchy-ID:controllers:path"
// per line) and returns the path in the v1 memory hierarchy and the path in
// the v2 unified hierarchy; either is empty when absent.
func parseProcCgroup(r io.Reader) (v1Memory, v2 string, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.SplitN(strings.TrimSpace(sc.Text()), ":", 3)
		if len(fields) != 3 {
			continue
		}
		id, controllers, p := fields[0], fields[1], fields[2]
		if id == "0" && controllers == "" {
			v2 = p
			continue
		}
		for c := range strings.SplitSeq(controllers, ",") {
			if c == "memory" {
				v1Memory = p
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("read cgroup list: %w", err)
	}
	return v1Memory, v2, nil
}

// cgroupLayout names the files of one cgroup version's memory controller.
type cgroupLayout struct {
	version         int
	base            string // the hierarchy's mount point, relative to the root
	limit, usage    string
	parseLimit      func(string) (uint64, error)
	procCgroupIndex int // 0: the v1 memory path, 1: the v2 path
}

var cgroupLayouts = []cgroupLayout{
	{2, "sys/fs/cgroup", "memory.max", "memory.current", parseCgroupMax, 1},
	{1, "sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes", parseCgroupV1Limit, 0},
}

// readCgroupMemory finds the memory limit that binds this process in the
// cgroup tree under fsys (the tree under Config.SysRoot). It checks the
// process's own cgroup, from /proc/self/cgroup, and each of its ancestors,
// and keeps the lowest limit, since a parent's limit applies to its
// children. Inside a container the hierarchy is usually mounted at the
// container's cgroup, so paths that do not exist are skipped and the mount
// point itself is always checked. A host without cgroup files yields no
// limit and no error.
func readCgroupMemory(fsys fs.FS) (cgroupMemory, error) {
	var paths [2]string
	if f, err := fsys.Open("proc/self/cgroup"); err == nil {
		paths[0], paths[1], err = parseProcCgroup(f)
		_ = f.Close()
		if err != nil {
			return cgroupMemory{}, err
		}
	}
	for _, l := range cgroupLayouts {
		if l.version == 2 && !exists(fsys, path.Join(l.base, "cgroup.controllers")) {
			continue // not a unified hierarchy (v1 or hybrid mode)
		}
		if !exists(fsys, l.base) {
			continue
		}
		return l.read(fsys, paths[l.procCgroupIndex])
	}
	return cgroupMemory{}, nil
}

// read walks from the cgroup at rel up to the hierarchy's root.
func (l cgroupLayout) read(fsys fs.FS, rel string) (cgroupMemory, error) {
	best := cgroupMemory{Version: l.version}
	var bestDir string
	dir := path.Join(l.base, rel)
	if !strings.HasPrefix(dir+"/", l.base+"/") {
		dir = l.base // a path that escapes the mount ("/.."): use the mount
	}
	for {
		s, err := fs.ReadFile(fsys, path.Join(dir, l.limit))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return cgroupMemory{}, fmt.Errorf("read %s: %w", l.limit, err)
		default:
			n, err := l.parseLimit(string(s))
			if err != nil {
				return cgroupMemory{}, fmt.Errorf("%s/%s: %w", dir, l.limit, err)
			}
			if n != 0 && (best.Limit == 0 || n < best.Limit) {
				best.Limit, bestDir = n, dir
			}
		}
		if dir == l.base {
			break
		}
		dir = path.Dir(dir)
	}
	if best.Limit == 0 {
		return best, nil
	}
	best.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(bestDir, l.base), "/")
	if s, err := fs.ReadFile(fsys, path.Join(bestDir, l.usage)); err == nil {
		if best.Usage, err = parseCgroupUint(string(s)); err != nil {
			return cgroupMemory{}, fmt.Errorf("%s/%s: %w", bestDir, l.usage, err)
		}
	}
	if f, err := fsys.Open(path.Join(bestDir, "memory.stat")); err == nil {
		best.InactiveFile, err = parseMemoryStat(f)
		_ = f.Close()
		if err != nil {
			return cgroupMemory{}, fmt.Errorf("%s: %w", bestDir, err)
		}
	}
	return best, nil
}

// exists reports whether name exists in fsys.
func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}
