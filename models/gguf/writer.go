package gguf

import (
	"encoding/binary"
	"fmt"
	"io"
)

const (
	magic            = "GGUF"
	version          = 3
	defaultAlignment = 32
	maxDims          = 4  // GGML_MAX_DIMS
	maxTensorName    = 63 // GGML_MAX_NAME - 1
	alignmentKey     = "general.alignment"
)

// File is a GGUF model: metadata and tensors, kept in the order they are
// written. The zero File is valid and writes an empty model.
type File struct {
	KV      []KV
	Tensors []Tensor
}

// KV is one metadata entry. Value holds one of the Go types that map to
// GGUF value types: uint8, int8, uint16, int16, uint32, int32, uint64,
// int64, float32, float64, bool, string, a slice of any of those, or []any
// whose elements are all such slices (a nested array).
type KV struct {
	Key   string
	Value any
}

// Tensor is one tensor. Dims are innermost-first, as GGUF stores them: a
// row-major matrix with R rows of C columns has Dims [C, R].
type Tensor struct {
	Name string
	Dims []uint64
	Type TensorType
	// Offset is the absolute file offset of the tensor's data. The reader
	// sets it; the writer ignores it and lays tensors out in order.
	Offset int64
	// Data holds the tensor's bytes (little-endian). ReadInfo leaves it nil.
	Data []byte
}

// Get returns the value of the metadata entry named key.
func (f *File) Get(key string) (any, bool) {
	for _, kv := range f.KV {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// Tensor returns the tensor named name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i], true
		}
	}
	return nil, false
}

// alignment returns the data alignment: general.alignment when present
// (a uint32 power of two), else 32.
func (f *File) alignment() (uint64, error) {
	v, ok := f.Get(alignmentKey)
	if !ok {
		return defaultAlignment, nil
	}
	a, ok := v.(uint32)
	if !ok || a == 0 || a&(a-1) != 0 {
		return 0, fmt.Errorf("%s %v: %w: want a uint32 power of two", alignmentKey, v, ErrInvalid)
	}
	return uint64(a), nil
}

// WriteTo writes f in GGUF v3 format. The output depends only on f, so equal
// files give equal bytes. It validates f first and writes nothing when f is
// invalid.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	header, err := f.header()
	if err != nil {
		return 0, err
	}
	align, _ := f.alignment() // checked by header
	var zeros [256]byte
	n, err := w.Write(header)
	total := int64(n)
	for i := 0; err == nil && i < len(f.Tensors); i++ {
		data := f.Tensors[i].Data
		n, err = w.Write(data)
		total += int64(n)
		if err == nil {
			n, err = writePadding(w, zeros[:], pad(uint64(len(data)), align))
			total += int64(n)
		}
	}
	if err != nil {
		return total, fmt.Errorf("gguf: write: %w", err)
	}
	return total, nil
}

func writePadding(w io.Writer, zeros []byte, n uint64) (int, error) {
	total := 0
	for n > 0 {
		k := min(n, uint64(len(zeros)))
		m, err := w.Write(zeros[:k])
		total += m
		if err != nil {
			return total, err
		}
		n -= k
	}
	return total, nil
}

// pad returns how many bytes take n up to a multiple of align.
func pad(n, align uint64) uint64 {
	return (align - n%align) % align
}

// header validates f and encodes everything before the tensor data,
// padding included.
func (f *File) header() ([]byte, error) { return f.encodeHeader(true) }

// encodeHeader is header; withData false lays the tensors out by the sizes
// their types and dims give, for a writer that streams the data (Data nil).
func (f *File) encodeHeader(withData bool) ([]byte, error) {
	align, err := f.alignment()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(f.Tensors)))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(f.KV)))
	keys := make(map[string]bool, len(f.KV))
	for _, kv := range f.KV {
		if kv.Key == "" || keys[kv.Key] {
			return nil, fmt.Errorf("gguf: metadata key %q: %w: empty or duplicate", kv.Key, ErrInvalid)
		}
		keys[kv.Key] = true
		b = appendString(b, kv.Key)
		if b, err = appendValue(b, kv.Value, true); err != nil {
			return nil, fmt.Errorf("gguf: metadata key %q: %w", kv.Key, err)
		}
	}
	names := make(map[string]bool, len(f.Tensors))
	var offset uint64
	for _, t := range f.Tensors {
		n, err := t.check(names, withData)
		if err != nil {
			return nil, fmt.Errorf("gguf: tensor %q: %w", t.Name, err)
		}
		b = appendString(b, t.Name)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.Dims)))
		for _, d := range t.Dims {
			b = binary.LittleEndian.AppendUint64(b, d)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(t.Type))
		b = binary.LittleEndian.AppendUint64(b, offset)
		offset += n + pad(n, align)
	}
	return append(b, make([]byte, pad(uint64(len(b)), align))...), nil
}

// check validates a tensor before it is written, records its name and
// returns its data size. withData also checks that Data has that size.
func (t *Tensor) check(names map[string]bool, withData bool) (uint64, error) {
	switch {
	case t.Name == "" || len(t.Name) > maxTensorName:
		return 0, fmt.Errorf("%w: name must be 1 to %d bytes", ErrInvalid, maxTensorName)
	case names[t.Name]:
		return 0, fmt.Errorf("%w: duplicate name", ErrInvalid)
	case len(t.Dims) == 0 || len(t.Dims) > maxDims:
		return 0, fmt.Errorf("%w: %d dims, want 1 to %d", ErrInvalid, len(t.Dims), maxDims)
	}
	names[t.Name] = true
	size, err := t.Type.DataSize(t.Dims)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if withData && size != uint64(len(t.Data)) {
		return 0, fmt.Errorf("%w: %s %v needs %d data bytes, have %d", ErrInvalid, t.Type, t.Dims, size, len(t.Data))
	}
	return size, nil
}
