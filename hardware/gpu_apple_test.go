package hardware

import (
	"testing"
)

func TestAppleGPU(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name       string
		chip       string
		mem        Memory
		wiredLimit uint64
		wantUsable uint64
		wantNote   string
	}{
		{name: "16 GiB idle: 2/3", chip: "Apple M2", mem: Memory{TotalBytes: 16 * gib, AvailableBytes: 14 * gib},
			wantUsable: 16 * gib / 3 * 2, wantNote: "Apple silicon: unified memory, ~67% usable by GPU"},
		{name: "36 GiB: still 2/3", chip: "Apple M3 Pro", mem: Memory{TotalBytes: 36 * gib, AvailableBytes: 30 * gib},
			wantUsable: 24 * gib, wantNote: "Apple silicon: unified memory, ~67% usable by GPU"},
		{name: "64 GiB: 3/4", chip: "Apple M2 Max", mem: Memory{TotalBytes: 64 * gib, AvailableBytes: 60 * gib},
			wantUsable: 48 * gib, wantNote: "Apple silicon: unified memory, ~75% usable by GPU"},
		{name: "busy machine: capped by available", chip: "Apple M1", mem: Memory{TotalBytes: 8 * gib, AvailableBytes: 3 * gib},
			wantUsable: 3 * gib, wantNote: "Apple silicon: unified memory, ~67% usable by GPU"},
		{name: "wired limit override", chip: "Apple M4 Max", mem: Memory{TotalBytes: 128 * gib, AvailableBytes: 120 * gib},
			wiredLimit: 112 * gib, wantUsable: 112 * gib, wantNote: "Apple silicon: unified memory, 112.0 GiB usable by GPU (iogpu.wired_limit_mb)"},
		{name: "wired limit above RAM", chip: "", mem: Memory{TotalBytes: 8 * gib, AvailableBytes: 8 * gib},
			wiredLimit: 64 * gib, wantUsable: 8 * gib, wantNote: "Apple silicon: unified memory, 8.0 GiB usable by GPU (iogpu.wired_limit_mb)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, note := appleGPU(tt.chip, tt.mem, tt.wiredLimit)
			if g.UsableBytes != tt.wantUsable {
				t.Errorf("UsableBytes = %d, want %d", g.UsableBytes, tt.wantUsable)
			}
			if note != tt.wantNote {
				t.Errorf("note %q, want %q", note, tt.wantNote)
			}
			if !g.Unified || g.Vendor != "apple" || g.TotalBytes != tt.mem.TotalBytes || g.FreeBytes != tt.mem.AvailableBytes ||
				g.UsedBytes+g.FreeBytes != g.TotalBytes || g.Name == "" {
				t.Errorf("GPU %+v inconsistent with memory %+v", g, tt.mem)
			}
		})
	}
}
