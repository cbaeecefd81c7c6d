package ollama

import (
	"testing"

	"github.com/slmmux/slmmux/models"
)

func TestReleaseAtLeast(t *testing.T) {
	for v, want := range map[string]bool{
		"0.24.0": true, "v0.9.3": true, "0.9.3-rc1": true, "0.10.0": true, "1.0.0": true,
		"0.9.2": false, "0.6.5": false, "0.0.0": false, "": false, "abc": false, "0.9": false,
	} {
		if got := releaseAtLeast(v, clampsContextSince); got != want {
			t.Errorf("releaseAtLeast(%q) = %v, want %v", v, got, want)
		}
	}
}

// v0.6.5 names a Q8_0 tensor "Q5_0" and a Q4_K one "Q3_K_M"; the file size
// tells which reading is right.
func TestTensorTypesFor(t *testing.T) {
	q8 := []models.Tensor{{Name: "a", Type: "Q5_0", Shape: []uint64{64, 64}}, {Name: "n", Type: "F32", Shape: []uint64{64}}}
	file := int64(64*2*34 + 256 + 4096)                      // Q8_0 data plus a header
	for _, v := range []string{"0.6.5", "0.0.0", "0.12.0"} { // by version, else by size
		if got := tensorTypesFor(q8, file, v); got[0].Type != "Q8_0" || got[1].Type != "F32" {
			t.Errorf("%s: Q8_0 model listed as Q5_0 read as %v", v, got)
		}
	}
	real := []models.Tensor{{Name: "a", Type: "Q5_0", Shape: []uint64{64, 64}}}
	if got := tensorTypesFor(real, int64(64*2*22+4096), "0.24.0"); got[0].Type != "Q5_0" {
		t.Errorf("v0.24.0: a real Q5_0 tensor read as %v", got)
	}
	if got := tensorTypesFor(real, int64(64*2*22+256), "0.0.0"); got[0].Type != "Q5_0" {
		t.Errorf("unknown version: a Q5_0 tensor that only fits as Q5_0 read as %v", got)
	}
	k := []models.Tensor{{Name: "a", Type: "Q3_K_M", Shape: []uint64{256, 4}}, {Name: "b", Type: "unknown", Shape: []uint64{64, 2}}}
	if got := tensorTypesFor(k, 1<<20, "0.6.5"); got[0].Type != "Q4_K" || got[1].Type != "Q5_0" {
		t.Errorf("v0.6.5 Q4_K_M model read as %v", got)
	}
	f := []models.Tensor{{Name: "a", Type: "F16", Shape: []uint64{8, 8}}}
	if got := tensorTypesFor(f, 1<<20, "0.6.5"); got[0].Type != "F16" {
		t.Errorf("F16 read as %v", got)
	}
}
