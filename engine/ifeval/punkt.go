package ifeval

import (
	"strings"
	"sync"
	"unicode"

	"github.com/neurosnap/sentences"
	"github.com/neurosnap/sentences/data"
)

// This file is NLTK 3.8's PunktSentenceTokenizer.tokenize (nltk/tokenize/
// punkt.py), the sentence splitter behind the authors' count_sentences
// and nltk.word_tokenize, ported for the tokenizing side only: it uses
// trained parameters and does not train. The English parameters are the
// ones github.com/neurosnap/sentences ships (NLTK's english.pickle as
// JSON). Positions are in characters (runes), as Python's are.

// Orthographic context flags (punkt.py _ORTHO_*).
const (
	orthoBegUC = 1 << 1
	orthoMidUC = 1 << 2
	orthoUnkUC = 1 << 3
	orthoBegLC = 1 << 4
	orthoMidLC = 1 << 5
	orthoUnkLC = 1 << 6
	orthoUC    = orthoBegUC + orthoMidUC + orthoUnkUC
	orthoLC    = orthoBegLC + orthoMidLC + orthoUnkLC
)

// punktParams are PunktParameters.
type punktParams struct {
	abbrevTypes  map[string]bool
	collocations map[[2]string]bool
	sentStarters map[string]bool
	orthoContext map[string]int
}

// english returns the English Punkt parameters, loaded on the first call.
var english = sync.OnceValues(func() (*punktParams, error) {
	b, err := data.Asset("data/english.json")
	if err != nil {
		return nil, err
	}
	st, err := sentences.LoadTraining(b)
	if err != nil {
		return nil, err
	}
	p := &punktParams{
		abbrevTypes:  map[string]bool{},
		collocations: map[[2]string]bool{},
		sentStarters: map[string]bool{},
		orthoContext: map[string]int{},
	}
	for k := range st.AbbrevTypes {
		p.abbrevTypes[k] = true
	}
	for k := range st.SentStarters {
		p.sentStarters[k] = true
	}
	for k := range st.Collocations {
		if a, b, ok := strings.Cut(k, ","); ok {
			p.collocations[[2]string{a, b}] = true
		}
	}
	for k, v := range st.OrthoContext {
		p.orthoContext[k] = v
	}
	return p, nil
})

// punktSentences is PunktSentenceTokenizer.tokenize(text) with
// realign_boundaries=True.
func (p *punktParams) sentences(text string) []string {
	rs := []rune(text)
	var out []string
	for _, s := range p.realign(rs, p.slices(rs)) {
		out = append(out, string(rs[s[0]:s[1]]))
	}
	return out
}

// slices is _slices_from_text: [start, end) spans of sentences.
func (p *punktParams) slices(rs []rune) [][2]int {
	var out [][2]int
	lastBreak := 0
	for _, c := range p.endContexts(rs) {
		if p.containsSentBreak(c.context) {
			out = append(out, [2]int{lastBreak, c.end})
			if c.nextTok >= 0 {
				lastBreak = c.nextTok
			} else {
				lastBreak = c.end
			}
		}
	}
	end := len(rs)
	for end > 0 && pyIsSpace(rs[end-1]) {
		end--
	}
	return append(out, [2]int{lastBreak, end})
}

// realign is _realign_boundaries: closing quotes and brackets after a
// sentence end move to the sentence they close; empty sentences are
// dropped.
func (p *punktParams) realign(rs []rune, slices [][2]int) [][2]int {
	var out [][2]int
	realign := 0
	for i, s1 := range slices {
		s1[0] += realign
		if i == len(slices)-1 {
			if s1[0] < s1[1] {
				out = append(out, s1)
			}
			continue
		}
		s2 := slices[i+1]
		var text2 []rune
		if s2[0] < s2[1] {
			text2 = rs[s2[0]:s2[1]]
		}
		if keep, end, ok := boundaryRealignment(text2); ok {
			out = append(out, [2]int{s1[0], s2[0] + keep})
			realign = end
		} else {
			realign = 0
			if s1[0] < s1[1] {
				out = append(out, s1)
			}
		}
	}
	return out
}

// boundaryRealignment is re_boundary_realignment.match(text):
// ["')\]}]+?(?:\s+|(?=--)|$) with MULTILINE. It returns the length of the
// match without trailing whitespace, and the match's end.
func boundaryRealignment(rs []rune) (keep, end int, ok bool) {
	for k := 1; k <= len(rs) && strings.ContainsRune(`"')]}`, rs[k-1]); k++ {
		switch {
		case k < len(rs) && pyIsSpace(rs[k]):
			e := k
			for e < len(rs) && pyIsSpace(rs[e]) {
				e++
			}
			return k, e, true
		case k+1 < len(rs) && rs[k] == '-' && rs[k+1] == '-':
			return k, k, true
		case k == len(rs) || rs[k] == '\n':
			return k, k, true
		}
	}
	return 0, 0, false
}

// endContext is one potential sentence end: the position after the end
// character, where the next token starts (-1 when after_tok is
// punctuation), and the text punkt decides on (previous word, end
// character, after_tok).
type endContext struct {
	end, nextTok int
	context      []rune
}

// isSentEnd reports whether r is one of punkt's sentence-ending characters.
func isSentEnd(r rune) bool { return r == '.' || r == '?' || r == '!' }

// isNonWord is _re_non_word_chars: [)\";}\]\*:@\'\({\[?!].
func isNonWord(r rune) bool { return strings.ContainsRune(`)";}]*:@'({[?!`, r) }

// periodContext is period_context_re matched at i (rs[i] is a sentence
// end): after_tok is a non-word character, or whitespace then a token.
// It returns the end of after_tok and where next_tok starts (-1 if none).
func periodContext(rs []rune, i int) (afterEnd, nextTok int, ok bool) {
	j := i + 1
	if j < len(rs) && isNonWord(rs[j]) {
		return j + 1, -1, true
	}
	k := j
	for k < len(rs) && pyIsSpace(rs[k]) {
		k++
	}
	if k == j || k == len(rs) {
		return 0, 0, false
	}
	e := k
	for e < len(rs) && !pyIsSpace(rs[e]) {
		e++
	}
	return e, k, true
}

// endContexts is _match_potential_end_contexts.
func (p *punktParams) endContexts(rs []rune) []endContext {
	type match struct{ start, afterEnd, nextTok int }
	var out []endContext
	prevSlice := [2]int{0, 0}
	var prev *match
	emit := func(m *match, slice [2]int) {
		ctx := append(append([]rune(nil), rs[slice[0]:slice[1]]...), rs[m.start:m.afterEnd]...)
		out = append(out, endContext{end: m.start + 1, nextTok: m.nextTok, context: ctx})
	}
	for i, r := range rs {
		if !isSentEnd(r) {
			continue
		}
		afterEnd, nextTok, ok := periodContext(rs, i)
		if !ok {
			continue
		}
		m := &match{i, afterEnd, nextTok}
		// _get_last_whitespace_index of the text since the last slice:
		// the last ASCII whitespace, or 0 when none (or at index 0).
		before := rs[prevSlice[1]:i]
		last := 0
		for k := len(before) - 1; k >= 0; k-- {
			if strings.ContainsRune(" \t\n\r\v\f", before[k]) {
				last = k
				break
			}
		}
		if last != 0 {
			last += prevSlice[1] + 1
		} else {
			last = prevSlice[0]
		}
		word := [2]int{last, i}
		if prev != nil && prevSlice[1] <= word[0] {
			emit(prev, prevSlice)
		}
		prev, prevSlice = m, word
	}
	if prev != nil {
		emit(prev, prevSlice)
	}
	return out
}

// punktToken is a PunktToken with the properties tokenizing uses.
type punktToken struct {
	tok, typ                  string
	periodFinal               bool
	sentBreak, abbr, ellipsis bool
}

func newPunktToken(tok string) *punktToken {
	return &punktToken{tok: tok, typ: punktType(tok), periodFinal: strings.HasSuffix(tok, ".")}
}

// punktType is _get_type: the lower-cased token, or "##number##" for a
// number (^-?[\.,]?\d[\d,\.-]*\.?$).
func punktType(tok string) string {
	low := pyLower(tok)
	rs := []rune(low)
	i := 0
	if i < len(rs) && rs[i] == '-' {
		i++
	}
	if i < len(rs) && (rs[i] == '.' || rs[i] == ',') {
		i++
	}
	if i >= len(rs) || !unicode.IsDigit(rs[i]) {
		return low
	}
	i++
	for i < len(rs) && (unicode.IsDigit(rs[i]) || rs[i] == ',' || rs[i] == '.' || rs[i] == '-') {
		i++
	}
	// [\d,\.-]* is greedy and may have taken a final "."; \.?$ then
	// matches the end either way.
	if i == len(rs) {
		return "##number##"
	}
	return low
}

func (t *punktToken) typeNoPeriod() string {
	if pyLen(t.typ) > 1 && strings.HasSuffix(t.typ, ".") {
		return t.typ[:len(t.typ)-1]
	}
	return t.typ
}

func (t *punktToken) typeNoSentPeriod() string {
	if t.sentBreak {
		return t.typeNoPeriod()
	}
	return t.typ
}

func (t *punktToken) firstUpper() bool {
	r, _ := firstRune(t.tok)
	_, up, _ := cased(r)
	return up
}

func (t *punktToken) firstLower() bool {
	r, _ := firstRune(t.tok)
	_, _, low := cased(r)
	return low
}

// isEllipsis is \.\.+$ matched at the start: two or more dots, only.
func (t *punktToken) isEllipsis() bool {
	return len(t.tok) >= 2 && strings.Trim(t.tok, ".") == ""
}

// isInitial is [^\W\d]\.$: one non-digit word character and a period.
func (t *punktToken) isInitial() bool {
	rs := []rune(t.tok)
	return len(rs) == 2 && rs[1] == '.' && pyIsWord(rs[0]) && !unicode.IsDigit(rs[0])
}

// multiChar is _re_multi_char_punct matched at i: \-{2,}|\.{2,}|(?:\.\s){2,}\.
// It returns the match length, 0 if none.
func multiChar(rs []rune, i int) int {
	run := func(c rune) int {
		n := 0
		for i+n < len(rs) && rs[i+n] == c {
			n++
		}
		return n
	}
	if n := run('-'); n >= 2 {
		return n
	}
	if n := run('.'); n >= 2 {
		return n
	}
	reps := 0
	for i+2*reps+1 < len(rs) && rs[i+2*reps] == '.' && pyIsSpace(rs[i+2*reps+1]) {
		reps++
	}
	for ; reps >= 2; reps-- {
		if i+2*reps < len(rs) && rs[i+2*reps] == '.' {
			return 2*reps + 1
		}
	}
	return 0
}

// wordEnd reports whether a word may end before position j (the
// lookahead of _word_tokenize_fmt): whitespace, the end, a non-word
// character, multi-character punctuation, or a comma followed by one of
// those.
func wordEnd(rs []rune, j int) bool {
	if j >= len(rs) || pyIsSpace(rs[j]) || isNonWord(rs[j]) || multiChar(rs, j) > 0 {
		return true
	}
	if rs[j] == ',' {
		k := j + 1
		return k >= len(rs) || pyIsSpace(rs[k]) || isNonWord(rs[k]) || multiChar(rs, k) > 0
	}
	return false
}

// punktWords is PunktLanguageVars.word_tokenize on one line.
func punktWords(rs []rune) []string {
	var out []string
	for i := 0; i < len(rs); {
		if pyIsSpace(rs[i]) {
			i++
			continue
		}
		if n := multiChar(rs, i); n > 0 {
			out = append(out, string(rs[i:i+n]))
			i += n
			continue
		}
		if !strings.ContainsRune("(\"`{[:;&#*@)}]-,", rs[i]) {
			j := i + 1
			for j < len(rs) && !pyIsSpace(rs[j]) && !wordEnd(rs, j) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
			continue
		}
		out = append(out, string(rs[i]))
		i++
	}
	return out
}

// tokenizeWords is _tokenize_words: the tokens of every non-blank line.
func tokenizeWords(rs []rune) []*punktToken {
	var toks []*punktToken
	for _, line := range strings.Split(string(rs), "\n") {
		if pyStrip(line) == "" {
			continue
		}
		for _, w := range punktWords([]rune(line)) {
			toks = append(toks, newPunktToken(w))
		}
	}
	return toks
}

// containsSentBreak is text_contains_sentbreak: some token other than the
// last ends a sentence.
func (p *punktParams) containsSentBreak(context []rune) bool {
	toks := p.annotate(tokenizeWords(context))
	for i, t := range toks {
		if t.sentBreak && i < len(toks)-1 {
			return true
		}
	}
	return false
}

// annotate is _annotate_tokens: the first pass on every token, then the
// second pass on each token with its successor.
func (p *punktParams) annotate(toks []*punktToken) []*punktToken {
	for _, t := range toks {
		p.firstPass(t)
	}
	for i, t := range toks {
		if i+1 < len(toks) {
			p.secondPass(t, toks[i+1])
		}
	}
	return toks
}

// firstPass is _first_pass_annotation.
func (p *punktParams) firstPass(t *punktToken) {
	switch {
	case t.tok == "." || t.tok == "?" || t.tok == "!":
		t.sentBreak = true
	case t.isEllipsis():
		t.ellipsis = true
	case t.periodFinal && !strings.HasSuffix(t.tok, ".."):
		stem := pyLower(t.tok[:len(t.tok)-1])
		parts := strings.Split(stem, "-")
		if p.abbrevTypes[stem] || p.abbrevTypes[parts[len(parts)-1]] {
			t.abbr = true
		} else {
			t.sentBreak = true
		}
	}
}

// secondPass is _second_pass_annotation.
func (p *punktParams) secondPass(t1, t2 *punktToken) {
	if !t1.periodFinal {
		return
	}
	typ, next := t1.typeNoPeriod(), t2.typeNoSentPeriod()
	initial := t1.isInitial()
	if p.collocations[[2]string{typ, next}] {
		t1.sentBreak, t1.abbr = false, true
		return
	}
	if (t1.abbr || t1.ellipsis) && !initial {
		starter := p.orthoHeuristic(t2)
		if starter == orthoTrue {
			t1.sentBreak = true
			return
		}
		if t2.firstUpper() && p.sentStarters[next] {
			t1.sentBreak = true
			return
		}
	}
	if initial || typ == "##number##" {
		starter := p.orthoHeuristic(t2)
		if starter == orthoFalse {
			t1.sentBreak, t1.abbr = false, true
			return
		}
		if starter == orthoUnknown && initial && t2.firstUpper() && p.orthoContext[next]&orthoLC == 0 {
			t1.sentBreak, t1.abbr = false, true
		}
	}
}

// The three answers of _ortho_heuristic.
const (
	orthoUnknown = iota
	orthoTrue
	orthoFalse
)

// orthoHeuristic is _ortho_heuristic: whether t starts a sentence.
func (p *punktParams) orthoHeuristic(t *punktToken) int {
	switch t.tok {
	case ";", ":", ",", ".", "!", "?":
		return orthoFalse
	}
	ctx := p.orthoContext[t.typeNoSentPeriod()]
	if t.firstUpper() && ctx&orthoLC != 0 && ctx&orthoMidUC == 0 {
		return orthoTrue
	}
	if t.firstLower() && (ctx&orthoUC != 0 || ctx&orthoBegLC == 0) {
		return orthoFalse
	}
	return orthoUnknown
}
