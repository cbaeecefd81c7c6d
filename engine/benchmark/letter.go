package benchmark

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slmmux/slmmux/engine/answer"
)

// gpqaBench is GPQA (spec §5): four-way multiple choice, answered with a
// letter.
type gpqaBench struct{ style PromptStyle }

func (gpqaBench) Name() string { return "gpqa" }

// Kind is answer.Short.
func (gpqaBench) Kind() answer.Kind { return answer.Short }

type gpqaRecord struct {
	Question string          `json:"question"`
	Choices  json.RawMessage `json:"choices"`
	Answer   json.RawMessage `json:"answer"`
}

// Load reads a JSON array of {question, choices, answer}. choices is a
// JSON list, or one string holding a Python list literal; choices that do
// not start with their letters ("A ...", as in the shipped file) get them.
// answer is the correct letter, or the text of the correct choice.
func (b gpqaBench) Load(path string) ([]Item, error) {
	data, err := readData(b.Name(), path)
	if err != nil {
		return nil, err
	}
	var items []Item
	err = decodeArray(b.Name(), path, data, func(i, line int, raw json.RawMessage) error {
		fail := func(format string, args ...any) error {
			return itemError(b.Name(), path, i, line, format, args...)
		}
		var rec gpqaRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fail("%v", err)
		}
		choices, err := parseChoices(rec.Choices)
		if err == nil {
			choices, err = labelChoices(choices)
		}
		if err != nil {
			return fail("%v", err)
		}
		answer, _ := jsonText(rec.Answer)
		ref, err := letterReference(answer, choices)
		if err != nil {
			return fail("%v", err)
		}
		if rec.Question == "" {
			return fail(`want a non-empty "question"`)
		}
		items = append(items, Item{ID: fmt.Sprintf("gpqa-%04d", i), Question: rec.Question, Reference: ref, Choices: choices})
		return nil
	})
	return items, err
}

func (b gpqaBench) Prompt(it Item) Prompt { return gpqaPrompt(it.Question, it.Choices) }

// Extract returns the chosen letter (spec §11 item 18 fixed), or "".
func (gpqaBench) Extract(response string, it Item) string {
	return extractLetter(response, it.Choices)
}

// Correct compares letters, ignoring case and spaces.
func (gpqaBench) Correct(answer string, it Item) bool { return letterCorrect(answer, it.Reference) }

func letterCorrect(answer, ref string) bool {
	a := strings.TrimSpace(answer)
	return a != "" && strings.EqualFold(a, strings.TrimSpace(ref))
}

// letterSet holds the valid answer letters A–Z.
type letterSet [26]bool

// validLetters returns the uppercased first letters of choices (A–D when
// there are none). Choices that start with anything else add no letter.
func validLetters(choices []string) letterSet {
	var v letterSet
	if len(choices) == 0 {
		choices = defaultChoices
	}
	for _, c := range choices {
		if c != "" && isASCIILetter(c[0]) {
			v[c[0]&^0x20-'A'] = true
		}
	}
	return v
}

// has reports whether c is a valid letter; lower case counts when lower.
func (v *letterSet) has(c byte, lower bool) bool {
	if lower && c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return c >= 'A' && c <= 'Z' && v[c-'A']
}

// letterReference turns a data set's answer into its letter: the letter
// itself (any case, optionally as "(B)" or "B."), or the text of a choice.
func letterReference(answer string, choices []string) (string, error) {
	valid := validLetters(choices)
	t := strings.Trim(strings.TrimSpace(answer), "()[]. ")
	if len(t) == 1 && valid.has(t[0], true) {
		return strings.ToUpper(t), nil
	}
	for _, c := range choices {
		c = strings.TrimSpace(c)
		if c != "" && isASCIILetter(c[0]) && (t == c || t == strings.TrimLeft(c[1:], " ).:")) {
			return strings.ToUpper(c[:1]), nil
		}
	}
	return "", fmt.Errorf(`"answer" %q is not a letter of the choices`, answer)
}

// extractLetter is the improved multiple-choice extractor. In order, it
// takes the last valid letter from: "##Answer: X##" (spacing-tolerant, the
// closing ## optional after "answer"); an "answer is X" / "Answer: (X)"
// phrase; a line holding only the letter; "(X)"; else the first capital
// letter standing alone as a word. The pronoun "I" before a lower-case word
// is never an option.
func extractLetter(s string, choices []string) string {
	valid := validLetters(choices)
	for _, find := range []func(string, *letterSet) byte{
		lastHashAnswer, lastAnswerPhrase, lastLetterLine, lastParenLetter, firstLoneLetter,
	} {
		if c := find(s, &valid); c != 0 {
			return string(rune(c))
		}
	}
	return ""
}

// lastHashAnswer finds "##Answer: X##", "## X ##", "##Answer: (X)" and
// the like.
func lastHashAnswer(s string, valid *letterSet) byte {
	var last byte
	for i := strings.Index(s, "##"); i >= 0; {
		next := i + 1
		if c, end := hashAnswerAt(s, i+2); c != 0 && valid.has(c, true) {
			last, next = c&^0x20, end
		}
		k := strings.Index(s[next:], "##")
		if k < 0 {
			break
		}
		i = next + k
	}
	return last
}

// hashAnswerAt parses what follows "##" at s[j:] and returns the letter and
// the end of the match.
func hashAnswerAt(s string, j int) (byte, int) {
	j = skipSet(s, j, " \t")
	keyword := foldHasWord(s, j, "answer")
	if keyword {
		j = skipSet(s, j+len("answer"), " \t:")
	}
	j = skipSet(s, j, " \t([*{")
	if j >= len(s) || !isASCIILetter(s[j]) || j+1 < len(s) && isWordByte(s[j+1]) {
		return 0, 0
	}
	c := s[j]
	end := skipSet(s, j+1, " \t)]*}.")
	if strings.HasPrefix(s[end:], "##") {
		return c, end + 2
	}
	if keyword && (end == len(s) || !isWordByte(s[end])) {
		return c, end
	}
	return 0, 0
}

// answerFillers may sit between "answer" and the letter.
var answerFillers = map[string]bool{
	"is": true, "be": true, "would": true, "should": true, "must": true, "will": true,
	"the": true, "correct": true, "final": true, "option": true, "choice": true,
	"letter": true, "therefore": true, "thus": true, "so": true, "then": true, "clearly": true,
	"probably": true, "likely": true, "definitely": true, "certainly": true, "surely": true,
	"for": true, "sure": true, "most": true,
}

// lastAnswerPhrase finds "answer is X", "Answer: (X)", "answer is
// **option B**", "answer: $\boxed{C}$": the word "answer", up to eight
// filler words and punctuation, then a capital letter standing alone.
func lastAnswerPhrase(s string, valid *letterSet) byte {
	var last byte
	for i := 0; i+6 <= len(s); i++ {
		if !foldHasWord(s, i, "answer") || i > 0 && isASCIILetter(s[i-1]) {
			continue
		}
		j := i + len("answer")
		for range 8 {
			j = skipFiller(s, j)
			w := j
			for w < len(s) && isASCIILetter(s[w]) {
				w++
			}
			if w-j < 2 || !answerFillers[strings.ToLower(s[j:w])] {
				break
			}
			j = w
		}
		if c := phraseLetter(s, j, valid); c != 0 {
			last = c
		}
		i = j - 1
	}
	return last
}

// phraseLetter reads the letter that ends an answer phrase at s[j:]: a
// capital standing alone, or a lower-case letter that ends the phrase
// ("answer: d."), unlike the article in "answer: a detailed ...".
func phraseLetter(s string, j int, valid *letterSet) byte {
	if j >= len(s) || !valid.has(s[j], true) || isPronounI(s, j) {
		return 0
	}
	if j+1 == len(s) {
		return s[j] &^ 0x20
	}
	next := s[j+1]
	if isASCIIUpper(s[j]) && !isWordByte(next) || strings.IndexByte("\n\r.)]}*$#", next) >= 0 {
		return s[j] &^ 0x20
	}
	return 0
}

func isASCIIUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// skipFiller skips punctuation and LaTeX wrappers (\boxed{, \text{, $).
func skipFiller(s string, j int) int {
	for j < len(s) {
		switch c := s[j]; {
		case strings.IndexByte(" \t\n\r:*_-=\"'`$({[", c) >= 0:
			j++
		case c == '\\':
			k := j + 1
			for k < len(s) && isASCIILetter(s[k]) {
				k++
			}
			if k == j+1 {
				return j
			}
			j = k
		default:
			return j
		}
	}
	return j
}

// lastLetterLine finds the last line that is only a letter, possibly
// decorated: "D", "**D**", "(d)", "D.".
func lastLetterLine(s string, valid *letterSet) byte {
	var last byte
	for line := range strings.Lines(s) {
		t := strings.Trim(line, " \t\r\n*#()[]{}.:_`>$")
		if len(t) == 1 && valid.has(t[0], true) {
			last = t[0] &^ 0x20
		}
	}
	return last
}

// lastParenLetter finds the last "(X)" with a capital valid letter.
func lastParenLetter(s string, valid *letterSet) byte {
	for i := len(s) - 3; i >= 0; i-- {
		if s[i] == '(' && s[i+2] == ')' && valid.has(s[i+1], false) {
			return s[i+1]
		}
	}
	return 0
}

// firstLoneLetter finds the first valid capital letter that is a word by
// itself: not part of a word, a LaTeX command, a script or a hyphenation.
// It is the last resort, reached only when no answer phrase, letter line or
// "(X)" was found; then the letter named first is the one chosen, and later
// ones are usually being rejected ("C, not B"; "D. it can't be A or B").
func firstLoneLetter(s string, valid *letterSet) byte {
	for i := range len(s) {
		if !valid.has(s[i], false) || isPronounI(s, i) || isNegated(s[:i]) {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+1:])
		if i > 0 && isLetterGlue(before) || i+1 < len(s) && isLetterGlue(after) {
			continue
		}
		return s[i]
	}
	return 0
}

// isPronounI reports whether s[i] is the pronoun "I" followed by a
// lower-case word ("I don't know", "I think"), not the option I.
func isPronounI(s string, i int) bool {
	if s[i] != 'I' {
		return false
	}
	j := skipSet(s, i+1, " ")
	return j > i+1 && j < len(s) && s[j] >= 'a' && s[j] <= 'z' || strings.HasPrefix(s[i+1:], "'")
}

// isNegated reports whether the text before a letter rejects it: "not A",
// "can't be A", "non A", "不是 A".
func isNegated(before string) bool {
	before = before[max(0, len(before)-24):] // the phrase is short: stay linear
	t := strings.ToLower(strings.TrimRight(before, " \t*("))
	t = strings.TrimSuffix(strings.TrimSuffix(t, " be"), " option")
	for _, neg := range []string{"not", "n't", "non", "不是", "nor"} {
		if strings.HasSuffix(t, neg) && (len(t) == len(neg) || neg == "n't" || neg == "不是" || t[len(t)-len(neg)-1] == ' ') {
			return true
		}
	}
	return false
}

// isLetterGlue reports whether r joins a letter into a word. Han
// characters do not: "B不是 A" names B.
func isLetterGlue(r rune) bool {
	return unicode.IsLetter(r) && !unicode.Is(unicode.Han, r) || unicode.IsDigit(r) || strings.ContainsRune(`\_^'-`, r)
}

func isWordByte(c byte) bool { return isASCIILetter(c) || isASCIIDigit(c) || c == '_' }

// foldHasWord reports whether s[i:] starts with the lower-case ASCII word
// w, in any case, not followed by a letter.
func foldHasWord(s string, i int, w string) bool {
	if i+len(w) > len(s) || !strings.EqualFold(s[i:i+len(w)], w) {
		return false
	}
	return i+len(w) == len(s) || !isASCIILetter(s[i+len(w)])
}

// skipSet skips bytes of set at s[j:].
func skipSet(s string, j int, set string) int {
	for j < len(s) && strings.IndexByte(set, s[j]) >= 0 {
		j++
	}
	return j
}
