package hardware

import "fmt"

// appleShareThreshold is the RAM size up to which macOS lets the GPU wire
// about 2/3 of unified memory by default; above it, about 3/4. This
// approximates Metal's recommendedMaxWorkingSetSize, which Ollama reports as
// the GPU's memory and which cannot be read without cgo.
const appleShareThreshold = 36 << 30

// appleGPUShare returns the bytes of unified memory that the GPU may wire by
// default on a Mac with total bytes of RAM.
func appleGPUShare(total uint64) uint64 {
	if total <= appleShareThreshold {
		return total / 3 * 2
	}
	return total / 4 * 3
}

// appleGPU describes the GPU of an Apple silicon Mac, whose memory is the
// system RAM m. name is the chip ("Apple M2 Pro"). wiredLimit is the
// iogpu.wired_limit_mb override in bytes, 0 for the OS default. The usable
// memory is the GPU's share, capped by the RAM available now.
func appleGPU(name string, m Memory, wiredLimit uint64) (GPU, string) {
	share := appleGPUShare(m.TotalBytes)
	note := fmt.Sprintf("Apple silicon: unified memory, ~%d%% usable by GPU", percent(share, m.TotalBytes))
	if wiredLimit > 0 {
		share = min(wiredLimit, m.TotalBytes)
		note = fmt.Sprintf("Apple silicon: unified memory, %s usable by GPU (iogpu.wired_limit_mb)", formatBytes(share))
	}
	if name == "" {
		name = "Apple silicon GPU"
	}
	avail := min(m.AvailableBytes, m.TotalBytes)
	return GPU{
		Vendor:      "apple",
		Name:        name,
		Driver:      "Metal",
		Unified:     true,
		TotalBytes:  m.TotalBytes,
		UsedBytes:   m.TotalBytes - avail,
		FreeBytes:   avail,
		UsableBytes: min(share, avail),
	}, note
}

// percent returns 100*part/whole rounded to the nearest integer.
func percent(part, whole uint64) uint64 {
	if whole == 0 {
		return 0
	}
	return uint64(float64(part)/float64(whole)*100 + 0.5)
}
