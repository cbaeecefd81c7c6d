package gguf

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCharVocab(t *testing.T) {
	v := CharVocab([]string{"▁", "a", "ab"})
	if err := v.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checks := []struct {
		id    int
		text  string
		typ   TokenType
		score float32
	}{
		{0, "<unk>", TokenUnknown, 0},
		{1, "<s>", TokenControl, 0},
		{2, "</s>", TokenControl, 0},
		{3, "<0x00>", TokenByte, 0},
		{3 + 0x0A, "<0x0A>", TokenByte, 0},
		{258, "<0xFF>", TokenByte, 0},
		{FirstPiece, "▁", TokenNormal, 0},
		{FirstPiece + 1, "a", TokenNormal, -1},
		{FirstPiece + 2, "ab", TokenNormal, -2},
	}
	for _, c := range checks {
		if v.Tokens[c.id] != c.text || v.Types[c.id] != c.typ || v.Scores[c.id] != c.score {
			t.Errorf("token %d = %q type %d score %g, want %q type %d score %g",
				c.id, v.Tokens[c.id], v.Types[c.id], v.Scores[c.id], c.text, c.typ, c.score)
		}
	}
	if len(v.Tokens) != FirstPiece+3 || v.BOS != 1 || v.EOS != 2 || v.UNK != 0 || !v.AddBOS || v.AddEOS {
		t.Errorf("vocab %d tokens bos %d eos %d unk %d add_bos %v add_eos %v", len(v.Tokens), v.BOS, v.EOS, v.UNK, v.AddBOS, v.AddEOS)
	}
}

func TestVocabValidate(t *testing.T) {
	tests := []struct {
		name  string
		vocab Vocab
		want  string
	}{
		{"empty", Vocab{}, "no tokens"},
		{"repeated piece", CharVocab([]string{"a", "a"}), `token 260 "a" repeats token 259`},
		{"piece clashes with byte token", CharVocab([]string{"<0x41>"}), "repeats token 68"},
		{"empty piece", CharVocab([]string{""}), "token 259 is empty"},
		{"short scores", Vocab{Tokens: []string{"a"}, Types: []TokenType{1}}, "1 tokens, 0 scores"},
		{"bos out of range", Vocab{Tokens: []string{"a"}, Scores: []float32{0}, Types: []TokenType{1}, BOS: 1}, "bos id 1"},
		{"bad type", Vocab{Tokens: []string{"a"}, Scores: []float32{0}, Types: []TokenType{7}}, "type 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.vocab.Validate()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	digits := CharVocab([]string{"▁", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
	random := CharVocab(randomPieces)
	merging := CharVocab([]string{"▁", "a", "b", "ab", "▁ab", "▁a"})
	noSteps := CharVocab([]string{"▁", "a", "b", "▁ab"})
	abFirst := CharVocab([]string{"a", "b", "c", "ab", "bc"})
	bcFirst := CharVocab([]string{"a", "b", "c", "bc", "ab"})
	noBOS := CharVocab([]string{"▁"})
	noBOS.AddBOS, noBOS.AddEOS = false, true
	byteID := func(b byte) int { return 3 + int(b) }
	tests := []struct {
		name  string
		vocab Vocab
		text  string
		want  []int
	}{
		{"notes example", digits, "What is 2+2?", []int{1, 259,
			byteID('W'), byteID('h'), byteID('a'), byteID('t'), 259, byteID('i'), byteID('s'), 259,
			262, byteID('+'), 262, byteID('?')}},
		{"empty", digits, "", []int{1}},
		{"only spaces", digits, "  ", []int{1, 259, 259, 259}},
		{"no bos, eos", noBOS, "a", []int{259, byteID('a'), 2}},
		{"utf-8 bytes", digits, "é1", []int{1, 259, byteID(0xC3), byteID(0xA9), 261}},
		{"invalid utf-8 groups by lead byte", digits, "\xe21", []int{1, 259, byteID(0xE2), byteID('1')}},
		{"control token in text", digits, "1<s>2", []int{1, 259, 261, 1, 259, 262}},
		{"eos and unk in text", digits, "</s><unk>", []int{1, 2, 0}},
		{"byte token text is not special", digits, "<0x41>", []int{1, 259,
			byteID('<'), 260, byteID('x'), 264, 261, byteID('>')}},
		{"merges best score first", merging, "ab ab", []int{1, 263, 263}},
		{"merge needs every step", noSteps, "ab", []int{1, 259, 260, 261}},
		{"higher score merges first", abFirst, "abc", []int{1, 229, 153, 132, 262, 261}},
		{"higher score merges first, reversed", bcFirst, "abc", []int{1, 229, 153, 132, 259, 262}},
		// Observed on the daemon: prompt_eval_count and the context of
		// /api/generate for a RandomLlama model on Ollama v0.6.5.
		{"daemon: What is 2+2?", random, "What is 2+2?", []int{1, 259, 90, 285, 278, 297, 259, 286, 296, 259, 262, 270, 262, 275}},
		{"daemon: héllo wörld", random, "héllo wörld", []int{1, 259, 285, 198, 172, 289, 289, 292, 259, 300, 198, 185, 295, 289, 281}},
		{"daemon: a<s>b", random, "a<s>b", []int{1, 259, 278, 1, 259, 279}},
		{"daemon: spaces", random, "  two  spaces ", []int{1, 259, 259, 259, 297, 300, 292, 259, 259, 296, 293, 278, 280, 282, 296, 259}},
		{"daemon: newline and tab", random, "line\nbreak\t!", []int{1, 259, 289, 286, 291, 282, 13, 279, 295, 282, 278, 288, 12, 36}},
		{"daemon: CJK", random, "€ 日本", []int{1, 259, 229, 133, 175, 259, 233, 154, 168, 233, 159, 175}},
		{"daemon: x<0x41>y", random, "x<0x41>y", []int{1, 259, 301, 63, 260, 301, 264, 261, 65, 302}},
		{"daemon: ab</s>", random, "ab</s>", []int{1, 259, 278, 279, 2}},
		{"daemon: <s>", random, "<s>", []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokenize(tt.vocab, tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tokenize(%q)\n got %v\nwant %v", tt.text, got, tt.want)
			}
		})
	}
}
