package hardware_test

import (
	"context"
	"fmt"

	"github.com/slmmux/slmmux/hardware"
)

func ExampleProbe() {
	info, err := hardware.Probe(context.Background(), hardware.DefaultConfig())
	if err != nil {
		fmt.Println("probe:", err)
		return
	}
	// Keep 10% in reserve for the OS, the daemon and KV-cache growth.
	budget := info.BudgetBytes(0.10)
	fmt.Println(budget > 0)
	// Output: true
}

func ExampleInfo_BudgetBytes() {
	info := hardware.Info{
		Memory: hardware.Memory{TotalBytes: 64 << 30, AvailableBytes: 48 << 30},
		GPUs: []hardware.GPU{
			{Vendor: "nvidia", Name: "NVIDIA GeForce RTX 4090", UsableBytes: 22 << 30},
			{Vendor: "nvidia", Name: "NVIDIA GeForce RTX 3090", UsableBytes: 20 << 30},
		},
	}
	fmt.Println("GPUs:", info.BudgetBytes(0.25)>>30, "GiB")

	info.GPUs = nil
	fmt.Println("RAM: ", info.BudgetBytes(0.25)>>30, "GiB")
	// Output:
	// GPUs: 31 GiB
	// RAM:  36 GiB
}
