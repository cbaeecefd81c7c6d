package ifeval

import (
	"regexp"
	"strings"
)

// countWords is the authors' count_words: the number of tokens of NLTK's
// RegexpTokenizer(r"\w+"), that is, of maximal runs of Python word
// characters.
func countWords(text string) int {
	n, in := 0, false
	for _, r := range text {
		w := pyIsWord(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// splitSentences is NLTK's sent_tokenize (PunktSentenceTokenizer with
// the English parameters).
func splitSentences(text string) []string {
	p, err := english()
	if err != nil {
		// The parameters are compiled in; failing to read them is a bug.
		panic("ifeval: loading the Punkt parameters: " + err.Error())
	}
	return p.sentences(text)
}

// countSentences is the authors' count_sentences.
func countSentences(text string) int { return len(splitSentences(text)) }

// wordTokenize is nltk.word_tokenize: Punkt sentences, each split by
// NLTK's improved Treebank word tokenizer (NLTKWordTokenizer, NLTK 3.8).
func wordTokenize(text string) []string {
	var tokens []string
	for _, s := range splitSentences(text) {
		tokens = append(tokens, treebankTokenize(s)...)
	}
	return tokens
}

// rule is one substitution of the Treebank tokenizer, with Python's
// replacement template translated to Go's.
type rule struct {
	re   *regexp.Regexp
	repl string
}

func rules(pairs ...string) []rule {
	out := make([]rule, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, rule{regexp.MustCompile(pairs[i]), pairs[i+1]})
	}
	return out
}

// The NLTKWordTokenizer's substitutions, in order. Python's \s, \d and \w
// are Unicode-aware, so they are spelled out as classes; the one lookahead
// (wanna) and the starting-quote rule with a negative lookahead are done
// in code.
var (
	startingQuotes = rules(
		"([«“‘„]|[`]+)", " ${1} ",
		`^"`, "``",
		"(``)", " ${1} ",
		`([ \(\[{<])("|'{2})`, "${1} `` ",
	)
	punctuation = rules(
		`([^\.])(\.)([\]\)}>"'»”’ ]*)`+pySpaceClass+`*$`, "${1} ${2} ${3} ",
		`([:,])([^\p{Nd}])`, " ${1} ${2}",
		`([:,])$`, " ${1} ",
		`\.{2,}`, " ${0} ",
		`[;@#$%&]`, " ${0} ",
		`([^\.])(\.)([\]\)}>"']*)`+pySpaceClass+`*$`, "${1} ${2}${3} ",
		`[?!]`, " ${0} ",
		`([^'])' `, "${1} ' ",
		`[*]`, " ${0} ",
	)
	parensBrackets = rules(`[\]\[\(\)\{\}\<\>]`, " ${0} ", `--`, " -- ")
	endingQuotes   = rules(
		"([»”’])", " ${1} ",
		`''`, " '' ",
		`"`, " '' ",
		`([^' ])('[sS]|'[mM]|'[dD]|') `, "${1} ${2} ",
		`([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) `, "${1} ${2} ",
	)
	contractions = rules(
		`(?i)\b(can)(not)\b`, " ${1} ${2} ",
		`(?i)\b(d)('ye)\b`, " ${1} ${2} ",
		`(?i)\b(gim)(me)\b`, " ${1} ${2} ",
		`(?i)\b(gon)(na)\b`, " ${1} ${2} ",
		`(?i)\b(got)(ta)\b`, " ${1} ${2} ",
		`(?i)\b(lem)(me)\b`, " ${1} ${2} ",
		`(?i)\b(more)('n)\b`, " ${1} ${2} ",
	)
	// wanna: (?i)\b(wan)(na)(?=\s), the lookahead handled by wanna.
	wannaRe       = regexp.MustCompile(`(?i)\b(wan)(na)` + pySpaceClass)
	contractions3 = rules(
		`(?i) ('t)(is)\b`, " ${1} ${2} ",
		`(?i) ('t)(was)\b`, " ${1} ${2} ",
	)
)

func apply(text string, rs []rule) string {
	for _, r := range rs {
		text = r.re.ReplaceAllString(text, r.repl)
	}
	return text
}

// treebankTokenize is NLTKWordTokenizer.tokenize (NLTK 3.8) without
// parenthesis conversion.
func treebankTokenize(text string) []string {
	text = apply(text, startingQuotes)
	text = quoteBeforeLetter(text)
	text = apply(text, punctuation)
	text = apply(text, parensBrackets)
	text = " " + text + " "
	text = apply(text, endingQuotes)
	text = apply(text, contractions)
	text = wanna(text)
	text = apply(text, contractions3)
	return pyFields(text)
}

// quoteBeforeLetter is re.sub(r"(?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b",
// r"\1 \2", text): a quote before a one-character word that does not begin
// a contraction gets a space after it.
func quoteBeforeLetter(text string) string {
	rs := []rune(text)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		b.WriteRune(rs[i])
		if rs[i] != '\'' || i+1 >= len(rs) || !pyIsWord(rs[i+1]) {
			continue
		}
		if i+2 < len(rs) && pyIsWord(rs[i+2]) {
			continue // \b after the one word character fails
		}
		rest := strings.ToLower(string(rs[i+1 : min(len(rs), i+3)]))
		contraction := false
		for _, c := range []string{"re", "ve", "ll", "m", "t", "s", "d", "n"} {
			if strings.HasPrefix(rest, c) {
				contraction = true
				break
			}
		}
		if contraction {
			continue
		}
		b.WriteRune(' ')
		b.WriteRune(rs[i+1])
		i++
	}
	return b.String()
}

// wanna splits "wanna" before whitespace into "wan na", leaving the
// whitespace in place (the lookahead of NLTK's pattern).
func wanna(text string) string {
	return wannaRe.ReplaceAllStringFunc(text, func(m string) string {
		_, size := lastRune(m)
		return " " + m[:3] + " " + m[3:len(m)-size] + " " + m[len(m)-size:]
	})
}
