package gguf

import "fmt"

// TokenType is a sentencepiece token type, as stored in
// tokenizer.ggml.token_type.
type TokenType int32

// Token types (llama.cpp's LLAMA_TOKEN_TYPE_*).
const (
	TokenNormal      TokenType = 1
	TokenUnknown     TokenType = 2
	TokenControl     TokenType = 3
	TokenUserDefined TokenType = 4
	TokenUnused      TokenType = 5
	TokenByte        TokenType = 6
)

// FirstPiece is the id of the first piece in a vocabulary made by
// CharVocab: it follows <unk>, <s>, </s> and the 256 byte tokens.
const FirstPiece = 3 + 256

// Vocab is a sentencepiece-style ("llama") vocabulary. Tokens, Scores and
// Types are indexed by token id and must have equal lengths.
type Vocab struct {
	Tokens []string
	Scores []float32
	Types  []TokenType
	// BOS, EOS and UNK are the ids of the beginning-of-sequence,
	// end-of-sequence and unknown tokens.
	BOS, EOS, UNK int
	// AddBOS and AddEOS say whether the tokenizer adds BOS in front of and
	// EOS after every prompt.
	AddBOS, AddEOS bool
}

// CharVocab returns a vocabulary of <unk> (id 0), <s> (1, BOS), </s> (2,
// EOS), the byte tokens <0x00>..<0xFF> (ids 3..258) and then pieces, in order,
// from id FirstPiece. Piece i scores -i, so earlier pieces win merges. BOS is
// added to prompts, EOS is not. Pieces are normally single characters, such
// as "▁" (U+2581, which stands for a space), digits and letters; with those,
// Tokenize uses each character that is a piece as is and spells any other
// character in byte tokens. NewLlama rejects a vocabulary whose pieces
// repeat or clash with the special and byte tokens.
func CharVocab(pieces []string) Vocab {
	n := FirstPiece + len(pieces)
	v := Vocab{
		Tokens: make([]string, 0, n),
		Scores: make([]float32, n),
		Types:  make([]TokenType, 0, n),
		BOS:    1, EOS: 2, UNK: 0,
		AddBOS: true,
	}
	v.Tokens = append(v.Tokens, "<unk>", "<s>", "</s>")
	v.Types = append(v.Types, TokenUnknown, TokenControl, TokenControl)
	for b := range 256 {
		v.Tokens = append(v.Tokens, byteToken(byte(b)))
		v.Types = append(v.Types, TokenByte)
	}
	for i, p := range pieces {
		v.Tokens = append(v.Tokens, p)
		v.Types = append(v.Types, TokenNormal)
		v.Scores[FirstPiece+i] = -float32(i)
	}
	return v
}

// byteToken returns the text of the byte token for b, e.g. <0x0A>.
func byteToken(b byte) string {
	return fmt.Sprintf("<0x%02X>", b)
}

// Validate checks that the vocabulary is one llama.cpp loads: equal
// lengths, no empty or repeated token, valid types, and BOS, EOS and UNK
// in range.
func (v *Vocab) Validate() error {
	n := len(v.Tokens)
	switch {
	case n == 0:
		return fmt.Errorf("vocab: %w: no tokens", ErrInvalid)
	case len(v.Scores) != n || len(v.Types) != n:
		return fmt.Errorf("vocab: %w: %d tokens, %d scores, %d types", ErrInvalid, n, len(v.Scores), len(v.Types))
	}
	for _, special := range []struct {
		name string
		id   int
	}{{"bos", v.BOS}, {"eos", v.EOS}, {"unk", v.UNK}} {
		if special.id < 0 || special.id >= n {
			return fmt.Errorf("vocab: %w: %s id %d out of range [0, %d)", ErrInvalid, special.name, special.id, n)
		}
	}
	seen := make(map[string]int, n)
	for id, tok := range v.Tokens {
		if tok == "" {
			return fmt.Errorf("vocab: %w: token %d is empty", ErrInvalid, id)
		}
		if prev, ok := seen[tok]; ok {
			return fmt.Errorf("vocab: %w: token %d %q repeats token %d", ErrInvalid, id, tok, prev)
		}
		seen[tok] = id
		if t := v.Types[id]; t < TokenNormal || t > TokenByte {
			return fmt.Errorf("vocab: %w: token %d %q has type %d", ErrInvalid, id, tok, t)
		}
	}
	return nil
}
