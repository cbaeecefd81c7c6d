package gguf

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
)

// Tokenize returns the token ids that Ollama v0.6.5 feeds a model with
// vocabulary v for the prompt text. It reproduces llama.cpp's SPM tokenizer
// as the daemon calls it (add_special and parse_special on):
//
//   - BOS comes first when v.AddBOS is set, EOS last when v.AddEOS is set;
//   - the text of a control, unknown or user-defined token (such as "<s>")
//     becomes that token;
//   - every other run of text gets a space in front (at the start and after
//     such a token), and each space becomes "▁" (U+2581);
//   - the text is split into UTF-8 characters, and adjacent symbols merge,
//     best score first, while the merged string is itself a token;
//   - each remaining symbol that is a token is used as is; any other is
//     spelled in byte tokens (<0xXX>).
//
// With the single-character pieces of CharVocab no merge ever happens, so
// "What is 2+2?" with pieces "▁" and the digits becomes ▁ W h a t ▁ i s ▁ 2
// <0x2B> 2 <0x3F>, every letter as its byte token.
func Tokenize(v Vocab, text string) []int {
	ids := make(map[string]int, len(v.Tokens))
	for id, tok := range v.Tokens {
		ids[tok] = id
	}
	var out []int
	if v.AddBOS {
		out = append(out, v.BOS)
	}
	prevSpecial := true
	for _, frag := range splitSpecial(v, text) {
		if frag.id >= 0 {
			out = append(out, frag.id)
			prevSpecial = true
			continue
		}
		s := frag.text
		if prevSpecial {
			s = " " + s
		}
		out = spm(v, ids, strings.ReplaceAll(s, " ", "\u2581"), out)
		prevSpecial = false
	}
	if v.AddEOS {
		out = append(out, v.EOS)
	}
	return out
}

// fragment is raw text (id < 0) or a special token.
type fragment struct {
	text string
	id   int
}

// splitSpecial cuts text at every occurrence of a control, unknown or
// user-defined token, longest tokens first (llama.cpp's
// tokenizer_st_partition).
func splitSpecial(v Vocab, text string) []fragment {
	if text == "" {
		return nil
	}
	var specials []int
	for id, t := range v.Types {
		if (t == TokenControl || t == TokenUnknown || t == TokenUserDefined) && id < len(v.Tokens) && v.Tokens[id] != "" {
			specials = append(specials, id)
		}
	}
	slices.SortStableFunc(specials, func(a, b int) int { return cmp.Compare(len(v.Tokens[b]), len(v.Tokens[a])) })
	frags := []fragment{{text: text, id: -1}}
	for _, id := range specials {
		tok := v.Tokens[id]
		var next []fragment
		for _, f := range frags {
			if f.id >= 0 {
				next = append(next, f)
				continue
			}
			rest := f.text
			for i := strings.Index(rest, tok); i >= 0; i = strings.Index(rest, tok) {
				if i > 0 {
					next = append(next, fragment{text: rest[:i], id: -1})
				}
				next = append(next, fragment{id: id})
				rest = rest[i+len(tok):]
			}
			if rest != "" {
				next = append(next, fragment{text: rest, id: -1})
			}
		}
		frags = next
	}
	return frags
}

type symbol struct{ start, n, prev, next int }

type bigram struct {
	left, right, size int
	score             float32
}

// bigrams is a max-heap: best score first, then leftmost.
type bigrams []bigram

func (h bigrams) Len() int { return len(h) }
func (h bigrams) Less(i, j int) bool {
	return h[i].score > h[j].score || (h[i].score == h[j].score && h[i].left < h[j].left)
}
func (h bigrams) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *bigrams) Push(x any)   { *h = append(*h, x.(bigram)) }
func (h *bigrams) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length implied by a
// lead byte, without validation.
func utf8Len(b byte) int {
	return [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}[b>>4]
}

// spm tokenizes one escaped run of text (llm_tokenizer_spm_session) and
// appends the ids to out.
func spm(v Vocab, ids map[string]int, s string, out []int) []int {
	var syms []symbol
	for off := 0; off < len(s); {
		n := min(utf8Len(s[off]), len(s)-off)
		syms = append(syms, symbol{start: off, n: n, prev: len(syms) - 1, next: len(syms) + 1})
		off += n
	}
	if len(syms) == 0 {
		return out
	}
	syms[len(syms)-1].next = -1
	h := &bigrams{}
	text := func(i int) string { return s[syms[i].start : syms[i].start+syms[i].n] }
	try := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		merged := s[syms[l].start : syms[r].start+syms[r].n]
		if id, ok := ids[merged]; ok && id < len(v.Scores) {
			heap.Push(h, bigram{left: l, right: r, size: len(merged), score: v.Scores[id]})
		}
	}
	for i := 1; i < len(syms); i++ {
		try(i-1, i)
	}
	for h.Len() > 0 {
		b := heap.Pop(h).(bigram)
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		try(l.prev, b.left)
		try(b.left, l.next)
	}
	for i := 0; i != -1; i = syms[i].next {
		if id, ok := ids[text(i)]; ok {
			out = append(out, id)
			continue
		}
		for _, c := range []byte(text(i)) {
			out = append(out, byteID(v, ids, c))
		}
	}
	return out
}

// byteID is llama.cpp's byte_to_token for SPM: <0xXX>, else the byte
// itself as a token; where llama.cpp would abort, it returns UNK.
func byteID(v Vocab, ids map[string]int, c byte) int {
	if id, ok := ids[byteToken(c)]; ok {
		return id
	}
	if id, ok := ids[string([]byte{c})]; ok {
		return id
	}
	return v.UNK
}
