package gguf

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"testing"
)

func TestRandomLlamaDeterministic(t *testing.T) {
	sum := func(seed int64, size Size) [32]byte {
		f, err := RandomLlama(seed, size)
		if err != nil {
			t.Fatalf("RandomLlama: %v", err)
		}
		return sha256.Sum256(mustWrite(t, f))
	}
	tests := []struct {
		name string
		size Size
	}{
		{"tiny", Size{}},
		{"f16", Size{EmbeddingLength: 64, FeedForwardLength: 128, F16: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if first, again := sum(1, tt.size), sum(1, tt.size); first != again {
				t.Error("same seed gave different files")
			}
			if sum(1, tt.size) == sum(2, tt.size) {
				t.Error("different seeds gave the same file")
			}
		})
	}
}

func TestRandomLlamaWeights(t *testing.T) {
	for _, size := range []Size{{}, {F16: true}} {
		f, err := RandomLlama(42, size)
		if err != nil {
			t.Fatalf("RandomLlama: %v", err)
		}
		b := mustWrite(t, f)
		if got, want := int64(len(b)), size.FileBytes(); got != want {
			t.Errorf("F16=%v: file is %d bytes, FileBytes says %d", size.F16, got, want)
		}
		if !size.F16 && (len(b) < 150_000 || len(b) > 180_000) {
			t.Errorf("tiny model is %d bytes, want about 160 KB", len(b))
		}
		for _, tensor := range mustRead(t, b).Tensors {
			checkWeights(t, tensor)
		}
	}
}

// checkWeights checks that norms are 1 and matrices are small, finite and
// not all zero.
func checkWeights(t *testing.T, tensor Tensor) {
	t.Helper()
	var maxAbs, sumSq float64
	n, step := 0, 4
	if tensor.Type == TypeF16 {
		step = 2
	}
	for i := 0; i < len(tensor.Data); i += step {
		var v float64
		switch tensor.Type {
		case TypeF32:
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(tensor.Data[i:])))
		case TypeF16:
			// Enough of float16 decoding for normal values.
			h := binary.LittleEndian.Uint16(tensor.Data[i:])
			v = math.Ldexp(1+float64(h&0x3ff)/1024, int(h>>10&0x1f)-15)
			if h&0x8000 != 0 {
				v = -v
			}
			if h&0x7fff == 0 {
				v = 0
			}
		}
		if len(tensor.Dims) == 1 && v != 1 {
			t.Fatalf("%s[%d] = %g, want 1", tensor.Name, i/step, v)
		}
		maxAbs, sumSq, n = max(maxAbs, math.Abs(v)), sumSq+v*v, n+1
	}
	if len(tensor.Dims) == 2 {
		if dev := math.Sqrt(sumSq / float64(n)); maxAbs > 0.2 || dev < 0.01 || dev > 0.03 || math.IsNaN(dev) {
			t.Errorf("%s: max |w| %g, deviation %g; want about 0.02", tensor.Name, maxAbs, dev)
		}
	}
}

func TestSizeForBytes(t *testing.T) {
	tiny := Size{}.FileBytes()
	tests := []struct {
		target int64
		f16    bool
	}{
		{1, false},
		{tiny + 1000, false},
		{1 << 20, false},
		{8 << 20, false},
		{64 << 20, true},
		{300_000_000, true},
		{1 << 30, true},
		{4 << 30, true},
	}
	for _, tt := range tests {
		s := SizeForBytes(tt.target)
		got := s.FileBytes()
		want := max(tt.target, tiny)
		if s.F16 != tt.f16 || math.Abs(float64(got-want)) > 0.05*float64(want) {
			t.Errorf("SizeForBytes(%d) = %+v: %d bytes (F16 %v), want within 5%% of %d (F16 %v)", tt.target, s, got, s.F16, want, tt.f16)
		}
		if err := s.config().withDefaults().validate(); err != nil {
			t.Errorf("SizeForBytes(%d) = %+v: %v", tt.target, s, err)
		}
	}
	// Build one mid-sized model to check FileBytes against a real file.
	s := SizeForBytes(1 << 20)
	f, err := RandomLlama(3, s)
	if err != nil {
		t.Fatalf("RandomLlama(%+v): %v", s, err)
	}
	if got := int64(len(mustWrite(t, f))); got != s.FileBytes() {
		t.Errorf("%+v: wrote %d bytes, FileBytes says %d", s, got, s.FileBytes())
	}
}

func TestRandomLlamaInvalidSize(t *testing.T) {
	for _, s := range []Size{{EmbeddingLength: 30}, {BlockCount: -1}, {HeadCount: 3}} {
		if _, err := RandomLlama(1, s); err == nil {
			t.Errorf("RandomLlama(%+v) succeeded, want an error", s)
		}
	}
}
