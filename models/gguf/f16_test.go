package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"
)

// The F16 copy of a random F32 model is byte for byte the random model
// written in F16 from the same seed: matrices rounded as float16 rounds,
// norms kept F32, file type MOSTLY_F16.
func TestConvertF16MatchesF16Model(t *testing.T) {
	for _, size := range []Size{{}, {EmbeddingLength: 64, FeedForwardLength: 128, BlockCount: 3}} {
		f32, err := RandomLlama(7, size)
		if err != nil {
			t.Fatal(err)
		}
		src := mustWrite(t, f32)
		size.F16 = true
		f16, err := RandomLlama(7, size)
		if err != nil {
			t.Fatal(err)
		}
		want := mustWrite(t, f16)
		var out bytes.Buffer
		n, err := ConvertF16(&out, bytes.NewReader(src), int64(len(src)))
		if err != nil {
			t.Fatal(err)
		}
		if specs := len(f32.Tensors) - (1 + 2*size.withDefaults().BlockCount); n != specs {
			t.Errorf("converted %d tensors, want %d (all but the norms)", n, specs)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("%+v: F16 copy differs from the F16 model (%d vs %d bytes)", size, out.Len(), len(want))
		}
		if got := int64(out.Len()); got != size.FileBytes() {
			t.Errorf("F16 copy has %d bytes, FileBytes says %d", got, size.FileBytes())
		}
		g := mustRead(t, out.Bytes())
		if ft, ok := g.FileType(); !ok || ft != FileTypeMostlyF16 {
			t.Errorf("file_type = %v, %v; want %d", ft, ok, FileTypeMostlyF16)
		}
	}
}

// A file without general.file_type gets one; F16 tensors, 1-D F32 tensors
// and other metadata pass through unchanged; a second conversion changes
// nothing.
func TestConvertF16Passthrough(t *testing.T) {
	h := Tensor{Name: "h", Dims: []uint64{4, 2}, Type: TypeF16, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}
	m := Tensor{Name: "m", Dims: []uint64{2, 2}, Type: TypeF32, Data: make([]byte, 16)}
	for i, v := range []float32{1, -2.5, 65504, 1e-8} {
		binary.LittleEndian.PutUint32(m.Data[4*i:], math.Float32bits(v))
	}
	src := &File{KV: []KV{{"general.architecture", "x"}, {"a", []any{[]int32{1}}}},
		Tensors: []Tensor{f32Tensor("norm", 3), h, m}}
	b := mustWrite(t, src)
	var out bytes.Buffer
	if _, err := ConvertF16(&out, bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	g := mustRead(t, out.Bytes())
	wantKV := append(src.KV, KV{"general.file_type", FileTypeMostlyF16})
	if !reflect.DeepEqual(g.KV, wantKV) {
		t.Errorf("KV = %v, want %v", g.KV, wantKV)
	}
	if !bytes.Equal(g.Tensors[0].Data, src.Tensors[0].Data) || g.Tensors[0].Type != TypeF32 {
		t.Errorf("1-D F32 tensor changed")
	}
	if !bytes.Equal(g.Tensors[1].Data, h.Data) || g.Tensors[1].Type != TypeF16 {
		t.Errorf("F16 tensor changed")
	}
	var wantM []byte
	for _, bits := range []uint16{0x3c00, 0xc100, 0x7bff, 0x0000} {
		wantM = binary.LittleEndian.AppendUint16(wantM, bits)
	}
	if g.Tensors[2].Type != TypeF16 || !bytes.Equal(g.Tensors[2].Data, wantM) {
		t.Errorf("matrix = %s %x, want F16 %x", g.Tensors[2].Type, g.Tensors[2].Data, wantM)
	}
	var again bytes.Buffer
	if n, err := ConvertF16(&again, bytes.NewReader(out.Bytes()), int64(out.Len())); err != nil || n != 0 || !bytes.Equal(again.Bytes(), out.Bytes()) {
		t.Errorf("second conversion: %d tensors, %v, equal %v; want 0, nil, true", n, err, bytes.Equal(again.Bytes(), out.Bytes()))
	}
}

func TestConvertF16Errors(t *testing.T) {
	q := Tensor{Name: "q", Dims: []uint64{32, 1}, Type: 8, Data: make([]byte, 34)} // Q8_0
	b := mustWrite(t, &File{Tensors: []Tensor{f32Tensor("a", 2, 2), q}})
	var out bytes.Buffer
	if _, err := ConvertF16(&out, bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrNotFloat) {
		t.Errorf("quantized source: err = %v, want ErrNotFloat", err)
	}
	if out.Len() != 0 {
		t.Errorf("quantized source: wrote %d bytes, want none", out.Len())
	}
	big := Tensor{Name: "big", Dims: []uint64{1, 2}, Type: TypeF32, Data: make([]byte, 8)}
	binary.LittleEndian.PutUint32(big.Data[4:], math.Float32bits(70000))
	b = mustWrite(t, &File{Tensors: []Tensor{big}})
	if _, err := ConvertF16(&out, bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrInvalid) {
		t.Errorf("value beyond F16: err = %v, want ErrInvalid", err)
	}
	b = mustWrite(t, &File{Tensors: []Tensor{f32Tensor("m", 4, 2)}}) // 32 data bytes, no padding
	if _, err := ConvertF16(&out, bytes.NewReader(b[:len(b)-1]), int64(len(b)-1)); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated source: err = %v, want ErrTruncated", err)
	}
	f := &File{Tensors: []Tensor{q, f32Tensor("n", 4)}}
	if got := f.QuantizedTypes(); !reflect.DeepEqual(got, []string{"Q8_0"}) {
		t.Errorf("QuantizedTypes = %v, want [Q8_0]", got)
	}
}
