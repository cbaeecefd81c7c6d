package hardware

import (
	"strings"
	"testing"
)

func TestWriteRows(t *testing.T) {
	i := Info{CPU: CPU{Model: "Test CPU", LogicalCores: 4, PhysicalCores: 2},
		Memory: Memory{TotalBytes: 16 << 30, AvailableBytes: 10 << 30, Source: "meminfo"},
		Notes:  []string{"nvidia-smi not found"}}
	var b strings.Builder
	i.WriteRows(&b, 0.25)
	want := "CPU\tTest CPU, 4 logical / 2 physical cores\n" +
		"RAM\t16.0 GiB total, 10.0 GiB available (meminfo)\n" +
		"GPU\tnone found: models run on the CPU\n" +
		"Budget\t7.5 GiB for models (25% kept free, as Ollama does)\n" +
		"Note\tnvidia-smi not found\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	i.GPUs = []GPU{{Index: 0, Name: "RTX", Vendor: "nvidia", TotalBytes: 8 << 30, FreeBytes: 6 << 30, UsableBytes: 5 << 30}}
	b.Reset()
	i.WriteRows(&b, 0.25)
	if !strings.Contains(b.String(), "GPU 0\tRTX (nvidia), 8.0 GiB total, 6.0 GiB free, 5.0 GiB usable\n") || strings.Contains(b.String(), "none found") {
		t.Fatalf("with a GPU:\n%s", b.String())
	}
}
