package hardware

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// amdVendorID is AMD's PCI vendor ID, as the sysfs vendor file writes it.
const amdVendorID = "0x1002"

// amdMinVRAM is the VRAM below which a card is taken for an integrated GPU
// (an APU's carve-out from system RAM) and skipped, as Ollama does: models
// placed there would compete with the CPU for the same RAM.
const amdMinVRAM = 1 << 30

// drmDir is the DRM class directory, relative to Config.SysRoot.
const drmDir = "sys/class/drm"

// probeAMD reads AMD GPUs from the amdgpu sysfs files under fsys (the tree
// under Config.SysRoot):
//
//	sys/class/drm/cardN/device/vendor                  0x1002
//	sys/class/drm/cardN/device/mem_info_vram_total     bytes
//	sys/class/drm/cardN/device/mem_info_vram_used      bytes
//	sys/class/drm/cardN/device/product_name            optional
//	sys/class/drm/cardN/device/unique_id               optional
//
// It needs no ROCm tools. Cards that are not AMD or report no VRAM are
// skipped, and so, with a note, are cards under amdMinVRAM; a host without /sys/class/drm
// has no AMD GPU and gets no note.
func probeAMD(fsys fs.FS) ([]GPU, []string) {
	entries, err := fs.ReadDir(fsys, drmDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, []string{fmt.Sprintf("AMD GPUs not probed: %v", err)}
	}
	var cards []int
	for _, e := range entries {
		if n, ok := cardNumber(e.Name()); ok {
			cards = append(cards, n)
		}
	}
	slices.Sort(cards)

	var gpus []GPU
	var notes []string
	for _, n := range cards {
		dev := path.Join(drmDir, "card"+strconv.Itoa(n), "device")
		if readTrimmed(fsys, path.Join(dev, "vendor")) != amdVendorID {
			continue
		}
		g, err := readAMDCard(fsys, dev)
		if err != nil {
			notes = append(notes, fmt.Sprintf("AMD card%d skipped: %v", n, err))
			continue
		}
		if g.TotalBytes == 0 {
			continue
		}
		if g.TotalBytes < amdMinVRAM {
			notes = append(notes, fmt.Sprintf("AMD card%d skipped: %s of VRAM, likely an integrated GPU sharing system RAM", n, formatBytes(g.TotalBytes)))
			continue
		}
		g.Index = len(gpus)
		gpus = append(gpus, g)
	}
	return gpus, notes
}

// readAMDCard reads one amdgpu device directory.
func readAMDCard(fsys fs.FS, dev string) (GPU, error) {
	total, err := readBytesFile(fsys, path.Join(dev, "mem_info_vram_total"))
	if errors.Is(err, fs.ErrNotExist) {
		return GPU{}, nil // not driven by amdgpu, or too old a kernel
	}
	if err != nil {
		return GPU{}, err
	}
	used, err := readBytesFile(fsys, path.Join(dev, "mem_info_vram_used"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return GPU{}, err
	}
	used = min(used, total)
	g := GPU{
		Vendor:      "amd",
		Name:        readTrimmed(fsys, path.Join(dev, "product_name")),
		UUID:        readTrimmed(fsys, path.Join(dev, "unique_id")),
		Driver:      "amdgpu",
		TotalBytes:  total,
		UsedBytes:   used,
		FreeBytes:   total - used,
		UsableBytes: total - used,
	}
	if g.Name == "" {
		g.Name = "AMD GPU"
		if id := readTrimmed(fsys, path.Join(dev, "device")); id != "" {
			g.Name += " " + id
		}
	}
	return g, nil
}

// cardNumber parses a DRM entry name "cardN"; connectors such as
// "card0-DP-1" and render nodes are not cards.
func cardNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "card")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// readBytesFile reads a sysfs file holding one decimal byte count.
func readBytesFile(fsys fs.FS, name string) (uint64, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path.Base(name), err)
	}
	return n, nil
}

// readTrimmed returns a small sysfs file's trimmed content, or "" when it
// cannot be read.
func readTrimmed(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
