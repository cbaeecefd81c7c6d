package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// Size picks the dimensions of a random model. A zero field takes the tiny
// default: embedding 32, feed-forward 64, 2 blocks, 4 heads, context 2048
// (HeadCount defaults to EmbeddingLength/64 when that is 256 or more).
// F16 stores the matrices as F16; norms are always F32.
type Size struct {
	EmbeddingLength   int
	FeedForwardLength int
	BlockCount        int
	HeadCount         int
	ContextLength     int
	F16               bool
}

// randomPieces is the vocabulary of random models after the byte tokens:
// "▁", the digits, a few operators and the lowercase letters.
var randomPieces = []string{
	"\u2581", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
	"+", "-", "*", "/", "=", "?", ".", ",",
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
	"n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
}

func (s Size) withDefaults() Size {
	if s.EmbeddingLength == 0 {
		s.EmbeddingLength = 32
	}
	if s.FeedForwardLength == 0 {
		s.FeedForwardLength = 64
	}
	if s.BlockCount == 0 {
		s.BlockCount = 2
	}
	if s.HeadCount == 0 {
		s.HeadCount = max(4, s.EmbeddingLength/64)
	}
	if s.ContextLength == 0 {
		s.ContextLength = DefaultContextLength
	}
	return s
}

func (s Size) config() LlamaConfig {
	s = s.withDefaults()
	return LlamaConfig{
		Name:              "slmmux-random",
		Vocab:             CharVocab(randomPieces),
		ContextLength:     s.ContextLength,
		EmbeddingLength:   s.EmbeddingLength,
		BlockCount:        s.BlockCount,
		FeedForwardLength: s.FeedForwardLength,
		HeadCount:         s.HeadCount,
	}
}

// tensorType is the type RandomLlama gives a tensor of the given dims.
func (s Size) tensorType(dims []uint64) TensorType {
	if s.F16 && len(dims) > 1 {
		return TypeF16
	}
	return TypeF32
}

// FileBytes returns the exact size of the file RandomLlama writes for s
// (for a valid s).
func (s Size) FileBytes() int64 {
	cfg := s.config().withDefaults()
	fileType := FileTypeAllF32
	if s.F16 {
		fileType = FileTypeMostlyF16
	}
	n := uint64(4 + 4 + 8 + 8)
	for _, kv := range cfg.metadata(fileType) {
		b, _ := appendValue(nil, kv.Value, true)
		n += 8 + uint64(len(kv.Key)) + uint64(len(b))
	}
	var data uint64
	for _, spec := range cfg.TensorSpecs() {
		n += 8 + uint64(len(spec.Name)) + 4 + 8*uint64(len(spec.Dims)) + 4 + 8
		size, _ := s.tensorType(spec.Dims).DataSize(spec.Dims)
		data += size + pad(size, defaultAlignment)
	}
	return int64(n + pad(n, defaultAlignment) + data)
}

// SizeForBytes returns a Size whose file is roughly n bytes (within a few
// percent above the tiny model's size; never smaller than the tiny model).
// It uses F16 from 64 MiB up, widens the embedding as n grows (keeping at
// most 16 blocks while a wider embedding is available), and then tunes the
// feed-forward length to hit n.
func SizeForBytes(n int64) Size {
	tiny := Size{}.withDefaults()
	if n <= tiny.FileBytes() {
		return tiny
	}
	s := Size{F16: n >= 64<<20, ContextLength: DefaultContextLength}
	bpp := int64(4)
	if s.F16 {
		bpp = 2
	}
	vocab := int64(FirstPiece + len(randomPieces))
	widths := []int64{32, 64, 128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192}
	for i, e := range widths {
		rest := n/bpp - 2*vocab*e // parameters left for the blocks
		perBlock := 4*e*e + 3*e*(3*e)
		blocks := (rest + perBlock/2) / perBlock
		if blocks > 16 && i < len(widths)-1 {
			continue
		}
		blocks = max(blocks, 1)
		ff := (rest/blocks - 4*e*e) / (3 * e)
		ff = min(max((ff+16)/32*32, 32), 8*e)
		s.EmbeddingLength, s.FeedForwardLength, s.BlockCount = int(e), int(ff), int(blocks)
		break
	}
	return s.withDefaults()
}

// RandomLlama returns a llama model of the given size with seeded random
// weights: matrices drawn from a normal distribution with deviation 0.02,
// norms all 1, so that the daemon produces (random) text without NaNs. The
// same seed and size give a byte-identical file. The vocabulary is
// CharVocab of "▁", digits, operators and lowercase letters.
func RandomLlama(seed int64, size Size) (*File, error) {
	size = size.withDefaults()
	cfg := size.config()
	if err := cfg.withDefaults().validate(); err != nil {
		return nil, fmt.Errorf("gguf: random: %w", err)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x736c6d6d7578)) // "slmmux"
	specs := cfg.TensorSpecs()
	tensors := make([]Tensor, 0, len(specs))
	for _, spec := range specs {
		t := Tensor{Name: spec.Name, Dims: spec.Dims, Type: size.tensorType(spec.Dims)}
		n, err := t.Type.DataSize(t.Dims)
		if err != nil {
			return nil, fmt.Errorf("gguf: random: %w", err)
		}
		t.Data = make([]byte, n)
		fillRandom(t, rng)
		tensors = append(tensors, t)
	}
	return NewLlama(cfg, tensors)
}

// fillRandom fills a norm with ones and a matrix with N(0, 0.02²) values.
func fillRandom(t Tensor, rng *rand.Rand) {
	if len(t.Dims) == 1 {
		for i := 0; i < len(t.Data); i += 4 {
			binary.LittleEndian.PutUint32(t.Data[i:], math.Float32bits(1))
		}
		return
	}
	if t.Type == TypeF16 {
		for i := 0; i < len(t.Data); i += 2 {
			binary.LittleEndian.PutUint16(t.Data[i:], float16(float32(rng.NormFloat64()*0.02)))
		}
		return
	}
	for i := 0; i < len(t.Data); i += 4 {
		binary.LittleEndian.PutUint32(t.Data[i:], math.Float32bits(float32(rng.NormFloat64()*0.02)))
	}
}
