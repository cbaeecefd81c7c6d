package models

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// ggmlBlock is a ggml type's block layout: elements per block and bytes
// per block (ggml.c's type_traits).
type ggmlBlock struct{ elems, bytes uint64 }

// ggmlTypes are the ggml tensor types by the names Ollama's /api/show
// gives them. K-quants pack 256 elements into a block with per-block
// scales; Q8_0, Q4_0, Q5_0 and friends 32.
var ggmlTypes = map[string]ggmlBlock{
	"F32": {1, 4}, "F16": {1, 2}, "BF16": {1, 2}, "F64": {1, 8},
	"I8": {1, 1}, "I16": {1, 2}, "I32": {1, 4}, "I64": {1, 8},
	"Q4_0": {32, 18}, "Q4_1": {32, 20}, "Q5_0": {32, 22}, "Q5_1": {32, 24},
	"Q8_0": {32, 34}, "Q8_1": {32, 36},
	"Q2_K": {256, 84}, "Q3_K": {256, 110}, "Q4_K": {256, 144}, "Q5_K": {256, 176},
	"Q6_K": {256, 210}, "Q8_K": {256, 292},
	"IQ4_NL": {32, 18}, "IQ4_XS": {256, 136}, "MXFP4": {32, 17},
}

// TensorBytes returns the bytes a tensor of ggml type typ and shape takes:
// elements / block size × bytes per block. It fails for a type it does not
// know, an innermost dimension that is not a whole number of blocks, or an
// overflow.
func TensorBytes(typ string, shape []uint64) (uint64, error) {
	b, ok := ggmlTypes[typ]
	if !ok {
		return 0, fmt.Errorf("unknown tensor type %q", typ)
	}
	n := uint64(1)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, fmt.Errorf("shape %v overflows", shape)
		}
		n = lo
	}
	if len(shape) > 0 && shape[0]%b.elems != 0 {
		return 0, fmt.Errorf("%s tensor with %d columns: not a whole number of %d-element blocks", typ, shape[0], b.elems)
	}
	return n / b.elems * b.bytes, nil
}

// WeightBytes adds up TensorBytes over ts. It fails when ts is empty or a
// tensor's size cannot be known, so the caller can fall back to the size
// on disk.
func WeightBytes(ts []Tensor) (uint64, error) {
	if len(ts) == 0 {
		return 0, fmt.Errorf("no tensors listed")
	}
	var total uint64
	for _, t := range ts {
		n, err := TensorBytes(t.Type, t.Shape)
		if err != nil {
			return 0, fmt.Errorf("tensor %s: %w", t.Name, err)
		}
		if total += n; total < n {
			return 0, fmt.Errorf("weights overflow")
		}
	}
	return total, nil
}

// TensorTypeCounts summarises tensor types, most frequent first, e.g.
// "Q4_K x12, F32 x5".
func TensorTypeCounts(ts []Tensor) string {
	counts := map[string]int{}
	var types []string
	for _, t := range ts {
		if counts[t.Type] == 0 {
			types = append(types, t.Type)
		}
		counts[t.Type]++
	}
	slices.SortStableFunc(types, func(x, y string) int { return counts[y] - counts[x] })
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%s x%d", t, counts[t])
	}
	return strings.Join(parts, ", ")
}
