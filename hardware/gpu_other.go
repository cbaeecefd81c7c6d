//go:build !darwin

package hardware

import (
	"context"
	"runtime"
)

// probeGPUs finds NVIDIA GPUs through nvidia-smi and, on Linux, AMD GPUs
// through sysfs. It never reports Apple GPUs.
func probeGPUs(ctx context.Context, cfg Config, src sources, _ Info) ([]GPU, []string) {
	gpus, notes := probeNvidia(ctx, cfg, src.run)
	if runtime.GOOS == "linux" {
		amd, amdNotes := probeAMD(src.fsys)
		gpus = append(gpus, amd...)
		notes = append(notes, amdNotes...)
	}
	return gpus, notes
}
