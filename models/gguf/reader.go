package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
)

const (
	maxNesting         = 4             // how deeply metadata arrays may nest
	minKVBytes         = 8 + 4 + 1     // key length, value type, 1-byte value
	minTensorInfoBytes = 8 + 4 + 4 + 8 // name length, n_dims, type, offset
)

// ReadFileInfo is ReadInfo on the file at path.
func ReadFileInfo(path string) (*File, error) {
	return readFile(path, ReadInfo)
}

// ReadFile is Read on the file at path.
func ReadFile(path string) (*File, error) {
	return readFile(path, Read)
}

func readFile(path string, read func(io.ReaderAt, int64) (*File, error)) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	return read(fh, st.Size())
}

// Read parses a whole GGUF file of size bytes, tensor data included.
func Read(r io.ReaderAt, size int64) (*File, error) {
	f, err := ReadInfo(r, size)
	if err != nil {
		return nil, err
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		n, err := t.Type.DataSize(t.Dims)
		if err != nil {
			return nil, fmt.Errorf("gguf: tensor %q: %w: %w", t.Name, ErrInvalid, err)
		}
		t.Data = make([]byte, n) // ReadInfo checked it lies inside the file
		if n, err := r.ReadAt(t.Data, t.Offset); n < len(t.Data) {
			if errors.Is(err, io.EOF) {
				err = ErrTruncated
			}
			return nil, fmt.Errorf("gguf: tensor data %q: %w", t.Name, err)
		}
	}
	return f, nil
}

// ReadInfo parses the metadata and tensor infos of a GGUF file of size
// bytes and checks that every tensor's data lies inside the file; it leaves
// Tensor.Data nil. It accepts versions 2 and 3. Errors wrap ErrNotGGUF for a
// file without the GGUF magic, ErrTruncated (naming the section that was
// cut) for a file that ends early, and ErrInvalid for anything malformed.
// Lengths and counts are checked against the bytes left in the file before
// anything is allocated, so hostile input cannot cause huge allocations.
func ReadInfo(r io.ReaderAt, size int64) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("gguf: negative size %d: %w", size, ErrInvalid)
	}
	d := &decoder{r: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10), size: size}
	d.section = "header"
	nTensors, nKV, err := d.header()
	if err != nil {
		return nil, err
	}
	// Counts are not trusted for allocation: capacity is capped by what the
	// rest of the file could hold, and reading runs out where it is cut.
	left := uint64(size - d.pos)
	f := &File{
		KV:      make([]KV, 0, min(nKV, left/minKVBytes)),
		Tensors: make([]Tensor, 0, min(nTensors, left/minTensorInfoBytes)),
	}
	if err := d.metadata(f, nKV); err != nil {
		return nil, err
	}
	align, err := f.alignment()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	if err := d.tensorInfos(f, nTensors); err != nil {
		return nil, err
	}
	dataStart := d.pos + int64(pad(uint64(d.pos), align))
	for i := range f.Tensors {
		if err := d.placeTensor(i, &f.Tensors[i], dataStart, align); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// decoder reads sequentially and knows how many bytes are left, so every
// length can be checked before it is trusted.
type decoder struct {
	r         *bufio.Reader
	pos, size int64
	section   string // what is being read, for error messages
	index     uint64
	name      string
}

func (d *decoder) where() string {
	switch {
	case d.name != "":
		return fmt.Sprintf("%s %d %q", d.section, d.index, d.name)
	case d.section == "header":
		return d.section
	}
	return fmt.Sprintf("%s %d", d.section, d.index)
}

func (d *decoder) truncated(need uint64) error {
	return fmt.Errorf("gguf: %s: %w: need %d bytes at offset %d, file has %d",
		d.where(), ErrTruncated, need, d.pos, d.size)
}

func (d *decoder) invalid(format string, args ...any) error {
	return fmt.Errorf("gguf: %s: %w: %s", d.where(), ErrInvalid, fmt.Sprintf(format, args...))
}

// need fails unless count items of at least unit bytes each fit in what is
// left of the file.
func (d *decoder) need(count, unit uint64) error {
	left := uint64(d.size - d.pos)
	if unit != 0 && count > left/unit {
		hi, lo := bits.Mul64(count, unit)
		if hi != 0 {
			lo = math.MaxUint64
		}
		return d.truncated(lo)
	}
	return nil
}

func (d *decoder) bytes(n uint64) ([]byte, error) {
	if err := d.need(n, 1); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, d.truncated(n)
		}
		return nil, fmt.Errorf("gguf: %s: %w", d.where(), err)
	}
	d.pos += int64(n)
	return b, nil
}

func (d *decoder) uint32() (uint32, error) {
	b, err := d.bytes(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) uint64() (uint64, error) {
	b, err := d.bytes(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (d *decoder) string() (string, error) {
	n, err := d.uint64()
	if err != nil {
		return "", err
	}
	b, err := d.bytes(n)
	return string(b), err
}

func (d *decoder) header() (nTensors, nKV uint64, err error) {
	head := min(d.size, 4)
	b, err := d.bytes(uint64(head))
	if err != nil {
		return 0, 0, err
	}
	if string(b) != magic[:head] || head == 0 {
		return 0, 0, fmt.Errorf("gguf: bad magic %q: %w", b, ErrNotGGUF)
	}
	if head < 4 {
		return 0, 0, d.truncated(4)
	}
	v, err := d.uint32()
	if err != nil {
		return 0, 0, err
	}
	if v != 2 && v != 3 {
		return 0, 0, d.invalid("unsupported version %d (want 2 or 3, little-endian)", v)
	}
	if nTensors, err = d.uint64(); err != nil {
		return 0, 0, err
	}
	if nKV, err = d.uint64(); err != nil {
		return 0, 0, err
	}
	return nTensors, nKV, nil
}

func (d *decoder) metadata(f *File, n uint64) error {
	d.section = "metadata"
	seen := make(map[string]bool, cap(f.KV))
	for d.index = 0; d.index < n; d.index++ {
		d.name = ""
		key, err := d.string()
		if err != nil {
			return err
		}
		d.name = key
		if seen[key] {
			return d.invalid("duplicate key")
		}
		seen[key] = true
		t, err := d.uint32()
		if err != nil {
			return err
		}
		v, err := d.value(valueType(t), 0)
		if err != nil {
			return err
		}
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	d.name = ""
	return nil
}

func (d *decoder) tensorInfos(f *File, n uint64) error {
	d.section = "tensor info"
	seen := make(map[string]bool, cap(f.Tensors))
	for d.index = 0; d.index < n; d.index++ {
		d.name = ""
		name, err := d.string()
		if err != nil {
			return err
		}
		d.name = name
		if seen[name] || name == "" || len(name) > maxTensorName {
			return d.invalid("empty, duplicate or over-long name")
		}
		seen[name] = true
		nDims, err := d.uint32()
		if err != nil {
			return err
		}
		if nDims > maxDims {
			return d.invalid("%d dims, at most %d allowed", nDims, maxDims)
		}
		t := Tensor{Name: name, Dims: make([]uint64, nDims)}
		for i := range t.Dims {
			if t.Dims[i], err = d.uint64(); err != nil {
				return err
			}
		}
		typ, err := d.uint32()
		if err != nil {
			return err
		}
		t.Type = TensorType(typ)
		off, err := d.uint64()
		if err != nil {
			return err
		}
		t.Offset = int64(off & (1<<63 - 1))
		if off != uint64(t.Offset) {
			return d.invalid("offset %d out of range", off)
		}
		f.Tensors = append(f.Tensors, t)
	}
	d.name = ""
	return nil
}

// placeTensor turns a tensor's relative offset into an absolute one and
// checks that its data is aligned and inside the file. For a type this
// package does not know, only the start of the data is checked.
func (d *decoder) placeTensor(i int, t *Tensor, dataStart int64, align uint64) error {
	d.section, d.index, d.name = "tensor data", uint64(i), t.Name
	if uint64(t.Offset)%align != 0 {
		return d.invalid("offset %d is not a multiple of the alignment %d", t.Offset, align)
	}
	size, err := t.Type.DataSize(t.Dims)
	if _, known := tensorTypes[t.Type]; known && err != nil {
		return d.invalid("%v", err)
	}
	start := uint64(dataStart) + uint64(t.Offset)
	if max(uint64(t.Offset), size) > uint64(d.size) || start+size > uint64(d.size) {
		return fmt.Errorf("gguf: %s: %w: %s %v needs bytes [%d, %d), file has %d",
			d.where(), ErrTruncated, t.Type, t.Dims, start, start+size, d.size)
	}
	t.Offset = int64(start)
	return nil
}
