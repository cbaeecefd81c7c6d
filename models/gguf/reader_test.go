package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// raw builds hand-made GGUF bytes for malformed-input tests.
type raw []byte

func rawHeader(version uint32, nTensors, nKV uint64) raw {
	return raw("GGUF").u32(version).u64(nTensors).u64(nKV)
}

func (r raw) u32(v uint32) raw { return binary.LittleEndian.AppendUint32(r, v) }
func (r raw) u64(v uint64) raw { return binary.LittleEndian.AppendUint64(r, v) }
func (r raw) str(s string) raw { return append(r.u64(uint64(len(s))), s...) }

// smallFile is a valid file with metadata and two tensors.
func smallFile(tb testing.TB) []byte {
	tb.Helper()
	return mustWrite(tb, &File{
		KV: []KV{
			{"general.architecture", "llama"},
			{"tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>", "a"}},
		},
		Tensors: []Tensor{f32Tensor("blk.0.attn_q.weight", 4, 4), f32Tensor("output_norm.weight", 4)},
	})
}

func TestReadNotGGUF(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"zip", []byte("PK\x03\x04rest of a zip")},
		{"lowercase", []byte("gguf\x03\x00\x00\x00")},
		{"text", []byte("FROM ./tiny.gguf\n")},
		{"one wrong byte", []byte("GX")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadInfo(bytes.NewReader(tt.in), int64(len(tt.in)))
			if !errors.Is(err, ErrNotGGUF) || !strings.Contains(err.Error(), "bad magic") {
				t.Fatalf("err = %v, want ErrNotGGUF with bad magic", err)
			}
		})
	}
}

func TestReadTruncated(t *testing.T) {
	full := smallFile(t)
	at := func(s string) int { return bytes.Index(full, []byte(s)) }
	tests := []struct {
		name string
		size int
		want string
	}{
		{"in magic", 2, "header"},
		{"in version", 6, "header"},
		{"in counts", 20, "header"},
		{"in first key", 30, `metadata 0`},
		{"in string value", at("llama") + 2, `metadata 0 "general.architecture"`},
		{"in array", at("<s>") + 1, `metadata 1 "tokenizer.ggml.tokens"`},
		{"in tensor name", at("blk.0") + 3, "tensor info 0"},
		{"in dims", at("output_norm") + len("output_norm.weight") + 6, `tensor info 1 "output_norm.weight"`},
		{"before data", at("output_norm") + len("output_norm.weight") + 4 + 8 + 4 + 8, `tensor data 0 "blk.0.attn_q.weight"`},
		{"in first tensor", len(full) - 64 - 10, `tensor data 0 "blk.0.attn_q.weight"`},
		{"last byte", len(full) - 17, `tensor data 1 "output_norm.weight"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := full[:tt.size]
			_, err := ReadInfo(bytes.NewReader(in), int64(len(in)))
			if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrTruncated naming %q", err, tt.want)
			}
		})
	}
	// The reader trusts size, not the ReaderAt: a source shorter than its
	// declared size is truncated too.
	short := bytes.NewReader(full[:len(full)-20])
	if _, err := Read(short, int64(len(full))); !errors.Is(err, ErrTruncated) {
		t.Errorf("short source: err = %v, want ErrTruncated", err)
	}
}

func TestReadInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   raw
		want error
		msg  string
	}{
		{"version 1", rawHeader(1, 0, 0), ErrInvalid, "unsupported version 1"},
		{"big-endian", raw("GGUF\x00\x00\x00\x03").u64(0).u64(0), ErrInvalid, "unsupported version"},
		{"unknown value type", rawHeader(3, 0, 1).str("k").u32(13).u32(0), ErrInvalid, "unknown value type 13"},
		{"unknown element type", rawHeader(3, 0, 1).str("k").u32(9).u32(99).u64(0), ErrInvalid, "unknown array element type 99"},
		{"duplicate key", rawHeader(3, 0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(1), ErrInvalid, `metadata 1 "k": invalid GGUF: duplicate key`},
		{"deep nesting", rawHeader(3, 0, 1).str("k").u32(9).u32(9).u64(1).u32(9).u64(1).u32(9).u64(1).u32(9).u64(1).u32(4).u64(0),
			ErrInvalid, "nested deeper"},
		{"five dims", rawHeader(3, 1, 0).str("t").u32(5).u64(1).u64(1).u64(1).u64(1).u64(1).u32(0).u64(0), ErrInvalid, "5 dims"},
		{"misaligned", append(rawHeader(3, 1, 0).str("t").u32(1).u64(1).u32(0).u64(4), make([]byte, 64)...), ErrInvalid, "not a multiple of the alignment"},
		{"partial block", append(rawHeader(3, 1, 0).str("t").u32(1).u64(16).u32(8).u64(0), make([]byte, 64)...), ErrInvalid, "Q8_0 block size"},
		{"bad alignment", rawHeader(3, 0, 1).str("general.alignment").u32(4).u32(48), ErrInvalid, "power of two"},
		{"duplicate tensor", append(rawHeader(3, 2, 0).str("t").u32(1).u64(1).u32(0).u64(0).str("t").u32(1).u64(1).u32(0).u64(32), make([]byte, 64)...), ErrInvalid, "duplicate"},
		{"huge kv count", rawHeader(3, 0, 1<<60), ErrTruncated, "metadata"},
		{"huge tensor count", rawHeader(3, 1<<60, 0), ErrTruncated, "tensor info"},
		{"huge string", rawHeader(3, 0, 1).u64(1 << 62), ErrTruncated, "need 4611686018427387904 bytes"},
		{"huge array", rawHeader(3, 0, 1).str("k").u32(9).u32(8).u64(1 << 61), ErrTruncated, `metadata 0 "k"`},
		{"huge dims", append(rawHeader(3, 1, 0).str("t").u32(2).u64(1<<20).u64(1<<20).u32(0).u64(0), make([]byte, 32)...), ErrTruncated, "tensor data 0"},
		{"overflowing dims", append(rawHeader(3, 1, 0).str("t").u32(2).u64(1<<62).u64(1<<62).u32(0).u64(0), make([]byte, 32)...), ErrInvalid, "overflow"},
		{"huge offset", append(rawHeader(3, 1, 0).str("t").u32(1).u64(1).u32(0).u64(1<<63), make([]byte, 32)...), ErrInvalid, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadInfo(bytes.NewReader(tt.in), int64(len(tt.in)))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}

func TestReadInfoUnknownType(t *testing.T) {
	// A tensor type this package does not know is accepted by ReadInfo (a
	// newer quantisation must not make import reject a file), but Read
	// cannot size its data.
	in := append(rawHeader(3, 1, 0).str("t").u32(1).u64(256).u32(77).u64(0), make([]byte, 40)...)
	f, err := ReadInfo(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatalf("ReadInfo: %v", err)
	}
	if got := f.Tensors[0].Type.String(); got != "type(77)" {
		t.Errorf("type = %s, want type(77)", got)
	}
	if _, err := Read(bytes.NewReader(in), int64(len(in))); !errors.Is(err, ErrInvalid) {
		t.Errorf("Read err = %v, want ErrInvalid", err)
	}
}

func TestReadFileInfo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "small.gguf")
	if err := os.WriteFile(path, smallFile(t), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := ReadFileInfo(path)
	if err != nil {
		t.Fatalf("ReadFileInfo: %v", err)
	}
	if arch, _ := info.Get("general.architecture"); arch != "llama" || info.Tensors[0].Data != nil {
		t.Errorf("architecture %v, data %v: want llama and no data", arch, info.Tensors[0].Data)
	}
	full, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if q, ok := full.Tensor("blk.0.attn_q.weight"); !ok || len(q.Data) != 64 {
		t.Errorf("ReadFile did not load tensor data")
	}
	if _, err := ReadFileInfo(filepath.Join(t.TempDir(), "missing.gguf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

func FuzzRead(f *testing.F) {
	small := smallFile(f)
	f.Add(small)
	f.Add(small[:100])
	f.Add([]byte(rawHeader(3, 0, 1).str("k").u32(9).u32(9).u64(1).u32(8).u64(2).str("a").str("b")))
	f.Add([]byte(rawHeader(3, 1<<40, 1<<40)))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Read(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			if !errors.Is(err, ErrNotGGUF) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		for _, tensor := range got.Tensors {
			if tensor.Offset < 0 || tensor.Offset+int64(len(tensor.Data)) > int64(len(in)) {
				t.Fatalf("tensor %q [%d, +%d) outside the %d-byte input", tensor.Name, tensor.Offset, len(tensor.Data), len(in))
			}
		}
	})
}
