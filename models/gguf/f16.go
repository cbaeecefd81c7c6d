package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// FileType returns general.file_type and whether the file has one (as a
// uint32, the type llama.cpp writes).
func (f *File) FileType() (uint32, bool) {
	v, ok := f.Get(fileTypeKey)
	if !ok {
		return 0, false
	}
	ft, ok := v.(uint32)
	return ft, ok
}

// QuantizedTypes lists, sorted and once each, the types of f's tensors that
// are not floats (Q4_K, Q8_0, ...): none for a file a quantizer can start
// from.
func (f *File) QuantizedTypes() []string {
	var out []string
	for _, t := range f.Tensors {
		if s := t.Type.String(); !t.Type.IsFloat() && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// ErrNotFloat is ConvertF16's error for a source with quantized tensors.
var ErrNotFloat = errors.New("GGUF file has quantized tensors")

// maxF16 is the largest finite half-precision value.
const maxF16 = 65504

// ConvertF16 writes to w a copy of the GGUF file r of size bytes with every
// F32 tensor of two or more dims (the matrices) stored as F16 and
// general.file_type set to FileTypeMostlyF16, as llama.cpp's converter
// writes an F16 model; 1-D tensors (norms) stay F32, and F16 and BF16
// tensors are copied as they are. It streams, one chunk of a tensor at a
// time, so the file need not fit in memory. It fails, wrapping ErrNotFloat,
// when a tensor is quantized, and when a finite F32 value is beyond F16's
// range (±65504), which F16 would turn into infinity. It returns the number
// of tensors it converted.
func ConvertF16(w io.Writer, r io.ReaderAt, size int64) (int, error) {
	src, err := ReadInfo(r, size)
	if err != nil {
		return 0, err
	}
	if q := src.QuantizedTypes(); len(q) > 0 {
		return 0, fmt.Errorf("gguf: %w (%v): F16 conversion needs F32, F16 or BF16 tensors", ErrNotFloat, q)
	}
	out := &File{KV: slices.Clone(src.KV), Tensors: make([]Tensor, len(src.Tensors))}
	labelled := false
	for i := range out.KV {
		if out.KV[i].Key == fileTypeKey {
			out.KV[i].Value, labelled = FileTypeMostlyF16, true
		}
	}
	if !labelled {
		out.KV = append(out.KV, KV{fileTypeKey, FileTypeMostlyF16})
	}
	converted := 0
	for i, t := range src.Tensors {
		out.Tensors[i] = Tensor{Name: t.Name, Dims: t.Dims, Type: t.Type}
		if t.Type == TypeF32 && len(t.Dims) > 1 {
			out.Tensors[i].Type = TypeF16
			converted++
		}
	}
	header, err := out.encodeHeader(false)
	if err != nil {
		return 0, err
	}
	align, _ := out.alignment() // checked by encodeHeader
	if _, err := w.Write(header); err != nil {
		return 0, fmt.Errorf("gguf: write: %w", err)
	}
	var zeros [256]byte
	in := make([]byte, 1<<20)
	half := make([]byte, len(in)/2)
	for i, t := range src.Tensors {
		n, _ := t.Type.DataSize(t.Dims) // checked by ReadInfo
		toF16 := out.Tensors[i].Type != t.Type
		written := uint64(0)
		for off := uint64(0); off < n; {
			chunk := in[:min(uint64(len(in)), n-off)]
			if k, err := r.ReadAt(chunk, t.Offset+int64(off)); k < len(chunk) {
				if errors.Is(err, io.EOF) {
					err = ErrTruncated
				}
				return 0, fmt.Errorf("gguf: tensor data %q: %w", t.Name, err)
			}
			data := chunk
			if toF16 {
				data = half[:len(chunk)/2]
				for j := 0; j < len(chunk); j += 4 {
					v := math.Float32frombits(binary.LittleEndian.Uint32(chunk[j:]))
					if v > maxF16 || v < -maxF16 {
						if !math.IsInf(float64(v), 0) && !math.IsNaN(float64(v)) {
							return 0, fmt.Errorf("gguf: tensor %q: %w: value %g is beyond F16's range (±%d); keep the model in F32", t.Name, ErrInvalid, v, maxF16)
						}
					}
					binary.LittleEndian.PutUint16(data[j/2:], float16(v))
				}
			}
			if _, err := w.Write(data); err != nil {
				return 0, fmt.Errorf("gguf: write: %w", err)
			}
			off += uint64(len(chunk))
			written += uint64(len(data))
		}
		if _, err := writePadding(w, zeros[:], pad(written, align)); err != nil {
			return 0, fmt.Errorf("gguf: write: %w", err)
		}
	}
	return converted, nil
}
