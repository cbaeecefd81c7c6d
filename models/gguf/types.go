package gguf

import (
	"fmt"
	"math"
	"math/bits"
)

// TensorType is a ggml tensor element type, as stored in a GGUF tensor info.
type TensorType uint32

// The tensor types this package writes. The reader knows the sizes of all
// ggml types (quantised ones included) so it can check user files.
const (
	TypeF32  TensorType = 0
	TypeF16  TensorType = 1
	TypeBF16 TensorType = 30
)

// IsFloat reports whether t is an unquantized float type (F32, F16, BF16
// or F64): the types a quantizer can start from.
func (t TensorType) IsFloat() bool {
	return t == TypeF32 || t == TypeF16 || t == TypeBF16 || t == 28
}

type typeTraits struct {
	name  string
	block uint64 // elements per block
	bytes uint64 // bytes per block
}

// tensorTypes lists ggml's types with their block layout (ggml.c
// type_traits; 39-41 as in Ollama's fs/ggml).
var tensorTypes = map[TensorType]typeTraits{
	0: {"F32", 1, 4}, 1: {"F16", 1, 2}, 2: {"Q4_0", 32, 18}, 3: {"Q4_1", 32, 20},
	6: {"Q5_0", 32, 22}, 7: {"Q5_1", 32, 24}, 8: {"Q8_0", 32, 34}, 9: {"Q8_1", 32, 36},
	10: {"Q2_K", 256, 84}, 11: {"Q3_K", 256, 110}, 12: {"Q4_K", 256, 144},
	13: {"Q5_K", 256, 176}, 14: {"Q6_K", 256, 210}, 15: {"Q8_K", 256, 292},
	16: {"IQ2_XXS", 256, 66}, 17: {"IQ2_XS", 256, 74}, 18: {"IQ3_XXS", 256, 98},
	19: {"IQ1_S", 256, 50}, 20: {"IQ4_NL", 32, 18}, 21: {"IQ3_S", 256, 110},
	22: {"IQ2_S", 256, 82}, 23: {"IQ4_XS", 256, 136}, 24: {"I8", 1, 1},
	25: {"I16", 1, 2}, 26: {"I32", 1, 4}, 27: {"I64", 1, 8}, 28: {"F64", 1, 8},
	29: {"IQ1_M", 256, 56}, 30: {"BF16", 1, 2}, 34: {"TQ1_0", 256, 54},
	35: {"TQ2_0", 256, 66}, 39: {"MXFP4", 32, 17}, 40: {"NVFP4", 64, 36},
	41: {"Q1_0", 128, 18},
}

func (t TensorType) String() string {
	if tr, ok := tensorTypes[t]; ok {
		return tr.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// DataSize returns the number of data bytes a tensor of type t with the given
// dims (innermost-first) occupies, without padding. It fails for an unknown
// type, an innermost dimension that is not a whole number of blocks, or a
// size that overflows.
func (t TensorType) DataSize(dims []uint64) (uint64, error) {
	tr, ok := tensorTypes[t]
	if !ok {
		return 0, fmt.Errorf("unknown tensor type %d", uint32(t))
	}
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, fmt.Errorf("dims %v overflow", dims)
		}
		n = lo
	}
	if len(dims) > 0 && dims[0]%tr.block != 0 {
		return 0, fmt.Errorf("innermost dim %d is not a multiple of %s block size %d", dims[0], tr.name, tr.block)
	}
	hi, size := bits.Mul64(n/tr.block, tr.bytes)
	if hi != 0 || size > math.MaxInt64 {
		return 0, fmt.Errorf("dims %v overflow", dims)
	}
	return size, nil
}

// float16 converts f to IEEE 754 half precision, rounding to nearest even.
func float16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff > 0x7f800000: // NaN
		return sign | 0x7e00
	case exp >= 0x1f: // overflow or infinity
		return sign | 0x7c00
	case exp <= 0: // subnormal or zero
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - exp)
		half := mant >> shift
		rem := mant & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || (rem == mid && half&1 == 1) {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && half&1 == 1) {
		half++ // may carry into the exponent, which rounds up correctly
	}
	return sign | uint16(half)
}
