package hardware

import (
	"io/fs"
	"os"
	"reflect"
	"testing"
	"testing/fstest"
)

func TestProbeAMD(t *testing.T) {
	tests := []struct {
		name      string
		fsys      fs.FS
		want      []GPU
		wantNotes []string
	}{
		{
			name: "fake sysfs tree",
			fsys: os.DirFS("testdata/sysroot/amd"),
			want: []GPU{
				{Index: 0, Vendor: "amd", Name: "AMD Radeon RX 7900 XTX", UUID: "8e3a1c2b4d5f6a7b", Driver: "amdgpu",
					TotalBytes: 25753026560, UsedBytes: 1 << 30, FreeBytes: 25753026560 - 1<<30, UsableBytes: 25753026560 - 1<<30},
				{Index: 1, Vendor: "amd", Name: "AMD GPU 0x73bf", Driver: "amdgpu",
					TotalBytes: 17163091968, FreeBytes: 17163091968, UsableBytes: 17163091968},
			},
			wantNotes: []string{"AMD card2 skipped: 512.0 MiB of VRAM, likely an integrated GPU sharing system RAM"},
		},
		{
			name: "no drm class",
			fsys: fstest.MapFS{},
		},
		{
			name: "corrupt VRAM file",
			fsys: fstest.MapFS{
				"sys/class/drm/card0/device/vendor":              {Data: []byte("0x1002\n")},
				"sys/class/drm/card0/device/mem_info_vram_total": {Data: []byte("n/a\n")},
			},
			wantNotes: []string{`AMD card0 skipped: mem_info_vram_total: strconv.ParseUint: parsing "n/a": invalid syntax`},
		},
		{
			name: "used missing, used above total",
			fsys: fstest.MapFS{
				"sys/class/drm/card1/device/vendor":               {Data: []byte("0x1002\n")},
				"sys/class/drm/card1/device/mem_info_vram_total":  {Data: []byte("8589934592\n")},
				"sys/class/drm/card10/device/vendor":              {Data: []byte("0x1002\n")},
				"sys/class/drm/card10/device/mem_info_vram_total": {Data: []byte("8589934592\n")},
				"sys/class/drm/card10/device/mem_info_vram_used":  {Data: []byte("9999999999\n")},
			},
			want: []GPU{
				{Index: 0, Vendor: "amd", Name: "AMD GPU", Driver: "amdgpu", TotalBytes: 8 << 30, FreeBytes: 8 << 30, UsableBytes: 8 << 30},
				{Index: 1, Vendor: "amd", Name: "AMD GPU", Driver: "amdgpu", TotalBytes: 8 << 30, UsedBytes: 8 << 30},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gpus, notes := probeAMD(tt.fsys)
			if !reflect.DeepEqual(gpus, tt.want) {
				t.Errorf("GPUs:\n got %+v\nwant %+v", gpus, tt.want)
			}
			if !reflect.DeepEqual(notes, tt.wantNotes) {
				t.Errorf("notes %q, want %q", notes, tt.wantNotes)
			}
		})
	}
}

func TestCardNumber(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   int
		wantOK bool
	}{
		{name: "card0", in: "card0", want: 0, wantOK: true},
		{name: "card12", in: "card12", want: 12, wantOK: true},
		{name: "connector", in: "card0-DP-1", wantOK: false},
		{name: "render node", in: "renderD128", wantOK: false},
		{name: "bare", in: "card", wantOK: false},
		{name: "signed", in: "card+1", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cardNumber(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("cardNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
