package gguf

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// mustWrite writes f and fails the test on error.
func mustWrite(tb testing.TB, f *File) []byte {
	tb.Helper()
	var buf bytes.Buffer
	n, err := f.WriteTo(&buf)
	if err != nil {
		tb.Fatalf("WriteTo: %v", err)
	}
	if n != int64(buf.Len()) {
		tb.Fatalf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
	}
	return buf.Bytes()
}

func mustRead(tb testing.TB, b []byte) *File {
	tb.Helper()
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return f
}

func f32Tensor(name string, dims ...uint64) Tensor {
	n := uint64(1)
	for _, d := range dims {
		n *= d
	}
	data := make([]byte, 4*n)
	for i := range data {
		data[i] = byte(i*7 + len(name))
	}
	return Tensor{Name: name, Dims: dims, Type: TypeF32, Data: data}
}

func TestRoundTrip(t *testing.T) {
	allValues := []KV{
		{"u8", uint8(1)}, {"i8", int8(-2)}, {"u16", uint16(3)}, {"i16", int16(-4)},
		{"u32", uint32(5)}, {"i32", int32(-6)}, {"f32", float32(0.5)}, {"bool", true},
		{"str", "héllo"}, {"u64", uint64(1 << 40)}, {"i64", int64(-1 << 40)}, {"f64", math.Pi},
		{"a.u8", []uint8{1, 2}}, {"a.i8", []int8{-1}}, {"a.u16", []uint16{7}}, {"a.i16", []int16{-7}},
		{"a.u32", []uint32{1, 2, 3}}, {"a.i32", []int32{-1, 0, 1}}, {"a.f32", []float32{0.25, -1}},
		{"a.bool", []bool{true, false}}, {"a.str", []string{"", "▁", "<0x0A>"}},
		{"a.u64", []uint64{9}}, {"a.i64", []int64{-9}}, {"a.f64", []float64{1e300}},
		{"a.empty", []string{}}, {"a.nested", []any{[]int32{1, 2}, []string{"x"}, []any{[]bool{true}}}},
	}
	tests := []struct {
		name  string
		file  File
		align int64
	}{
		{"empty", File{}, 32},
		{"metadata only", File{KV: allValues}, 32},
		{"tensors", File{
			KV: []KV{{"general.architecture", "llama"}},
			Tensors: []Tensor{
				f32Tensor("a", 3),
				{Name: "h", Dims: []uint64{5, 3}, Type: TypeF16, Data: make([]byte, 30)},
				f32Tensor("b", 8, 2, 1, 1),
				f32Tensor("zero", 0),
			},
		}, 32},
		{"alignment 64", File{
			KV:      []KV{{"general.alignment", uint32(64)}},
			Tensors: []Tensor{f32Tensor("a", 5), f32Tensor("b", 17)},
		}, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustWrite(t, &tt.file)
			got := mustRead(t, b)
			if len(got.KV) != len(tt.file.KV) || (len(got.KV) > 0 && !reflect.DeepEqual(got.KV, tt.file.KV)) {
				t.Errorf("KV:\n got %#v\nwant %#v", got.KV, tt.file.KV)
			}
			if len(got.Tensors) != len(tt.file.Tensors) {
				t.Fatalf("got %d tensors, want %d", len(got.Tensors), len(tt.file.Tensors))
			}
			for i, want := range tt.file.Tensors {
				g := got.Tensors[i]
				if g.Name != want.Name || g.Type != want.Type || !reflect.DeepEqual(g.Dims, want.Dims) || !bytes.Equal(g.Data, want.Data) {
					t.Errorf("tensor %d: got %s %v %s (%d bytes), want %s %v %s (%d bytes)",
						i, g.Name, g.Dims, g.Type, len(g.Data), want.Name, want.Dims, want.Type, len(want.Data))
				}
				if g.Offset%tt.align != 0 {
					t.Errorf("tensor %q at offset %d, not aligned to %d", g.Name, g.Offset, tt.align)
				}
			}
			if len(tt.file.Tensors) > 0 && int64(len(b))%tt.align != 0 {
				t.Errorf("file size %d is not padded to %d", len(b), tt.align)
			}
			if again := mustWrite(t, got); !bytes.Equal(again, b) {
				t.Error("writing the file read back changed its bytes")
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		file File
		want string
	}{
		{"empty key", File{KV: []KV{{"", uint32(1)}}}, `metadata key ""`},
		{"duplicate key", File{KV: []KV{{"a", uint32(1)}, {"a", uint32(2)}}}, `metadata key "a"`},
		{"int value", File{KV: []KV{{"a", 1}}}, "unsupported value type int"},
		{"map value", File{KV: []KV{{"a", map[string]int{}}}}, "unsupported value type map"},
		{"nested scalar", File{KV: []KV{{"a", []any{uint32(1)}}}}, "not a slice"},
		{"bad alignment", File{KV: []KV{{"general.alignment", uint32(24)}}}, "power of two"},
		{"alignment type", File{KV: []KV{{"general.alignment", uint64(32)}}}, "power of two"},
		{"short data", File{Tensors: []Tensor{{Name: "t", Dims: []uint64{4}, Type: TypeF32, Data: make([]byte, 15)}}}, "needs 16 data bytes, have 15"},
		{"no dims", File{Tensors: []Tensor{{Name: "t", Type: TypeF32}}}, "0 dims"},
		{"five dims", File{Tensors: []Tensor{f32Tensor("t", 1, 1, 1, 1, 1)}}, "5 dims"},
		{"duplicate tensor", File{Tensors: []Tensor{f32Tensor("t", 1), f32Tensor("t", 1)}}, "duplicate name"},
		{"long name", File{Tensors: []Tensor{f32Tensor(strings.Repeat("n", 64), 1)}}, "name must be"},
		{"unknown type", File{Tensors: []Tensor{{Name: "t", Dims: []uint64{1}, Type: 99, Data: []byte{0}}}}, "unknown tensor type 99"},
		{"partial block", File{Tensors: []Tensor{{Name: "t", Dims: []uint64{16}, Type: 8, Data: make([]byte, 34)}}}, "not a multiple of Q8_0 block size 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := tt.file.WriteTo(&buf)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteTo error = %v, want ErrInvalid containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes of an invalid file", buf.Len())
			}
		})
	}
}

func TestFloat16(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{65504, 0x7bff},
		{65520, 0x7c00}, // rounds up to infinity
		{1e6, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00},
		{float32(math.NaN()), 0x7e00},
		{5.960464477539063e-08, 0x0001}, // smallest subnormal
		{2.98e-08, 0x0000},              // below half of it
		{6.103515625e-05, 0x0400},       // smallest normal
		{1.0009765625, 0x3c01},
		{1.00048828125, 0x3c00}, // tie, rounds to even
		{1.00146484375, 0x3c02}, // tie, rounds to even
		{0.02, 0x251f},
	}
	for _, tt := range tests {
		if got := float16(tt.in); got != tt.want {
			t.Errorf("float16(%g) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
}
