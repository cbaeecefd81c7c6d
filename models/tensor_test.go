package models_test

import (
	"testing"

	"github.com/slmmux/slmmux/models"
	"github.com/slmmux/slmmux/models/gguf"
)

// The byte sizes agree with the GGUF package's table of ggml types (which
// the reader checks user files against) for every type both know.
func TestTensorBytesAgreesWithGGUF(t *testing.T) {
	shape := []uint64{512, 3}
	seen := 0
	for id := gguf.TensorType(0); id < 64; id++ {
		name := id.String()
		want, gerr := id.DataSize(shape)
		got, err := models.TensorBytes(name, shape)
		if err != nil {
			continue
		}
		seen++
		if gerr != nil || got != want {
			t.Errorf("%s: %d bytes, gguf says %d (%v)", name, got, want, gerr)
		}
	}
	if seen < 20 {
		t.Errorf("only %d types compared", seen)
	}
}

func TestTensorBytes(t *testing.T) {
	for _, c := range []struct {
		typ   string
		shape []uint64
		want  uint64
	}{
		{"F32", []uint64{48, 280}, 48 * 280 * 4},
		{"F16", []uint64{48, 48}, 48 * 48 * 2},
		{"Q8_0", []uint64{64, 64}, 64 * 2 * 34},
		{"Q4_0", []uint64{32, 10}, 10 * 18},
		{"Q5_0", []uint64{192, 48}, 6 * 48 * 22},
		{"Q4_K", []uint64{256, 4}, 4 * 144},
		{"Q6_K", []uint64{512, 1}, 2 * 210},
		{"Q5_K", []uint64{256, 1}, 176},
	} {
		got, err := models.TensorBytes(c.typ, c.shape)
		if err != nil || got != c.want {
			t.Errorf("TensorBytes(%s, %v) = %d, %v; want %d", c.typ, c.shape, got, err, c.want)
		}
	}
	for _, bad := range []struct {
		typ   string
		shape []uint64
	}{{"Q4_K", []uint64{48, 2}}, {"IQ9", []uint64{32}}, {"F32", []uint64{1 << 40, 1 << 40}}} {
		if _, err := models.TensorBytes(bad.typ, bad.shape); err == nil {
			t.Errorf("TensorBytes(%s, %v): no error", bad.typ, bad.shape)
		}
	}
	if _, err := models.WeightBytes(nil); err == nil {
		t.Error("WeightBytes(nil): no error")
	}
	n, err := models.WeightBytes([]models.Tensor{{Name: "a", Type: "F32", Shape: []uint64{4}}, {Name: "b", Type: "Q8_0", Shape: []uint64{32, 2}}})
	if err != nil || n != 16+68 {
		t.Errorf("WeightBytes = %d, %v; want 84", n, err)
	}
}

func TestTensorTypeCounts(t *testing.T) {
	ts := []models.Tensor{{Type: "F32"}, {Type: "Q4_K"}, {Type: "Q4_K"}, {Type: "Q6_K"}, {Type: "Q4_K"}, {Type: "F32"}}
	if got := models.TensorTypeCounts(ts); got != "Q4_K x3, F32 x2, Q6_K x1" {
		t.Fatalf("got %q", got)
	}
}
