package hardware

import (
	"context"
	"runtime"
	"syscall"
)

// probeGPUs finds the GPU of an Apple silicon Mac. An Intel Mac's GPU is not
// probed: Ollama runs models there on the CPU. NVIDIA and AMD tools do not
// exist on current macOS.
func probeGPUs(_ context.Context, _ Config, _ sources, info Info) ([]GPU, []string) {
	if runtime.GOARCH != "arm64" {
		return nil, []string{"Intel Mac: GPU not probed"}
	}
	// iogpu.wired_limit_mb is 0 unless an administrator raised or lowered
	// the GPU's limit; older macOS versions lack it.
	wiredMB, err := syscall.SysctlUint32("iogpu.wired_limit_mb")
	if err != nil {
		wiredMB = 0
	}
	g, note := appleGPU(info.CPU.Model, info.Memory, uint64(wiredMB)*mib)
	return []GPU{g}, []string{note}
}
