package ifeval

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The instruction ids of IFEval, as the authors' instructions_registry.py
// names them.
const (
	KeywordsExistence             = "keywords:existence"
	KeywordsFrequency             = "keywords:frequency"
	KeywordsForbiddenWords        = "keywords:forbidden_words"
	KeywordsLetterFrequency       = "keywords:letter_frequency"
	LanguageResponseLanguage      = "language:response_language"
	LengthNumberSentences         = "length_constraints:number_sentences"
	LengthNumberParagraphs        = "length_constraints:number_paragraphs"
	LengthNumberWords             = "length_constraints:number_words"
	LengthNthParagraphFirstWord   = "length_constraints:nth_paragraph_first_word"
	ContentNumberPlaceholders     = "detectable_content:number_placeholders"
	ContentPostscript             = "detectable_content:postscript"
	FormatNumberBulletLists       = "detectable_format:number_bullet_lists"
	FormatConstrainedResponse     = "detectable_format:constrained_response"
	FormatNumberHighlightSections = "detectable_format:number_highlighted_sections"
	FormatMultipleSections        = "detectable_format:multiple_sections"
	FormatJSON                    = "detectable_format:json_format"
	FormatTitle                   = "detectable_format:title"
	CombinationTwoResponses       = "combination:two_responses"
	CombinationRepeatPrompt       = "combination:repeat_prompt"
	StartEndEndChecker            = "startend:end_checker"
	ChangeCaseCapitalWordFreq     = "change_case:capital_word_frequency"
	ChangeCaseEnglishCapital      = "change_case:english_capital"
	ChangeCaseEnglishLowercase    = "change_case:english_lowercase"
	PunctuationNoComma            = "punctuation:no_comma"
	StartEndQuotation             = "startend:quotation"
)

// checker reports whether a response follows one instruction
// (the authors' check_following).
type checker func(response string) bool

// builder makes a checker from an instruction's kwargs (the authors'
// build_description).
type builder func(kw kwargs) (checker, error)

var registry = map[string]builder{
	KeywordsExistence:             buildKeywordExistence,
	KeywordsFrequency:             buildKeywordFrequency,
	KeywordsForbiddenWords:        buildForbiddenWords,
	KeywordsLetterFrequency:       buildLetterFrequency,
	LanguageResponseLanguage:      buildResponseLanguage,
	LengthNumberSentences:         buildNumberSentences,
	LengthNumberParagraphs:        buildNumberParagraphs,
	LengthNumberWords:             buildNumberWords,
	LengthNthParagraphFirstWord:   buildNthParagraphFirstWord,
	ContentNumberPlaceholders:     buildPlaceholders,
	ContentPostscript:             buildPostscript,
	FormatNumberBulletLists:       buildBulletLists,
	FormatConstrainedResponse:     buildConstrainedResponse,
	FormatNumberHighlightSections: buildHighlights,
	FormatMultipleSections:        buildSections,
	FormatJSON:                    buildJSON,
	FormatTitle:                   buildTitle,
	CombinationTwoResponses:       buildTwoResponses,
	CombinationRepeatPrompt:       buildRepeatPrompt,
	StartEndEndChecker:            buildEndChecker,
	ChangeCaseCapitalWordFreq:     buildCapitalWordFrequency,
	ChangeCaseEnglishCapital:      buildEnglishCapital,
	ChangeCaseEnglishLowercase:    buildEnglishLowercase,
	PunctuationNoComma:            buildNoComma,
	StartEndQuotation:             buildQuotation,
}

// InstructionIDs returns the 25 instruction ids that IFEval checks, sorted.
func InstructionIDs() []string {
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// comparison relations (the authors' _COMPARISON_RELATION).
const (
	lessThan = "less than"
	atLeast  = "at least"
)

// compare applies a relation: n < threshold for "less than", n >= threshold
// for "at least".
func compare(relation string, n, threshold int) bool {
	if relation == lessThan {
		return n < threshold
	}
	return n >= threshold
}

// kwargs are one instruction's arguments, as decoded from JSON.
type kwargs map[string]any

// str returns the string argument name.
func (kw kwargs) str(name string) (string, error) {
	v, ok := kw[name]
	if !ok || v == nil {
		return "", fmt.Errorf("missing argument %q", name)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("argument %q is %T, want a string", name, v)
	}
	return s, nil
}

// int returns the integer argument name.
func (kw kwargs) int(name string) (int, error) {
	v, ok := kw[name]
	if !ok || v == nil {
		return 0, fmt.Errorf("missing argument %q", name)
	}
	switch n := v.(type) {
	case float64:
		if n != float64(int(n)) {
			return 0, fmt.Errorf("argument %q is %v, want an integer", name, n)
		}
		return int(n), nil
	case int:
		return n, nil
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return 0, fmt.Errorf("argument %q is %v, want an integer", name, n)
		}
		return int(i), nil
	}
	return 0, fmt.Errorf("argument %q is %T, want an integer", name, v)
}

// strs returns the list-of-strings argument name.
func (kw kwargs) strs(name string) ([]string, error) {
	v, ok := kw[name]
	if !ok || v == nil {
		return nil, fmt.Errorf("missing argument %q", name)
	}
	switch l := v.(type) {
	case []string:
		return append([]string(nil), l...), nil
	case []any:
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("argument %q item %d is %T, want a string", name, i, e)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("argument %q is %T, want a list of strings", name, v)
}

// relation returns a relation argument, which must be "less than" or
// "at least" (the authors raise ValueError otherwise).
func (kw kwargs) relation(name string) (string, error) {
	r, err := kw.str(name)
	if err != nil {
		return "", err
	}
	if r != lessThan && r != atLeast {
		return "", fmt.Errorf("argument %q is %q, want %q or %q", name, r, lessThan, atLeast)
	}
	return r, nil
}

// pyRegexp compiles prefix + data + suffix with Go's syntax, where data is
// a Python pattern taken from the data (a keyword used as a pattern, as
// the authors do) and prefix and suffix are this package's own regexp
// parts. When RE2 cannot compile it (lookarounds, backreferences, an
// unbalanced bracket), data alone falls back to its literal text, and the
// prefix and suffix keep their meaning.
func pyRegexp(prefix, data, suffix string) *regexp.Regexp {
	re, err := regexp.Compile(prefix + data + suffix)
	if err != nil {
		return regexp.MustCompile(prefix + regexp.QuoteMeta(data) + suffix)
	}
	return re
}

func buildKeywordExistence(kw kwargs) (checker, error) {
	words, err := kw.strs("keywords")
	if err != nil {
		return nil, err
	}
	// The authors sort the keywords; the order cannot change the verdict
	// (every keyword must match), so they are checked as given.
	res := make([]*regexp.Regexp, len(words))
	for i, w := range words {
		res[i] = pyRegexp("(?i)", w, "")
	}
	return func(value string) bool {
		for _, re := range res {
			if !re.MatchString(value) {
				return false
			}
		}
		return true
	}, nil
}

func buildKeywordFrequency(kw kwargs) (checker, error) {
	word, err := kw.str("keyword")
	if err != nil {
		return nil, err
	}
	freq, err := kw.int("frequency")
	if err != nil {
		return nil, err
	}
	rel, err := kw.relation("relation")
	if err != nil {
		return nil, err
	}
	re := pyRegexp("(?i)", pyStrip(word), "")
	return func(value string) bool {
		return compare(rel, len(re.FindAllStringIndex(value, -1)), freq)
	}, nil
}

func buildForbiddenWords(kw kwargs) (checker, error) {
	words, err := kw.strs("forbidden_words")
	if err != nil {
		return nil, err
	}
	sort.Strings(words)
	res := make([]*regexp.Regexp, 0, len(words))
	for i, w := range words {
		if i > 0 && w == words[i-1] {
			continue // the authors de-duplicate with set()
		}
		res = append(res, pyRegexp("(?i)", w, ""))
	}
	return func(value string) bool {
		for _, re := range res {
			if searchWord(re, value) {
				return false
			}
		}
		return true
	}, nil
}

// searchWord is re.search(r"\b" + word + r"\b", value) with Python's
// Unicode word boundaries: it reports whether re matches somewhere with a
// word boundary at both ends of the match.
func searchWord(re *regexp.Regexp, value string) bool {
	for start := 0; start <= len(value); {
		loc := re.FindStringIndex(value[start:])
		if loc == nil {
			return false
		}
		b, e := start+loc[0], start+loc[1]
		if b != e && isBoundary(value, b) && isBoundary(value, e) {
			return true
		}
		// Try again one character after the start of this match.
		_, size := firstRune(value[b:])
		if size == 0 {
			return false
		}
		start = b + size
	}
	return false
}

func buildLetterFrequency(kw kwargs) (checker, error) {
	letter, err := kw.str("letter")
	if err != nil {
		return nil, err
	}
	freq, err := kw.int("let_frequency")
	if err != nil {
		return nil, err
	}
	rel, err := kw.relation("let_relation")
	if err != nil {
		return nil, err
	}
	if pyLen(letter) != 1 {
		// The authors pick a random letter here; a fixed data set never
		// gets there.
		return nil, fmt.Errorf("argument \"letter\" is %q, want one character", letter)
	}
	l := pyLower(pyStrip(letter))
	return func(value string) bool {
		return compare(rel, strings.Count(pyLower(value), l), freq)
	}, nil
}

func buildResponseLanguage(kw kwargs) (checker, error) {
	lang, err := kw.str("language")
	if err != nil {
		return nil, err
	}
	return func(value string) bool {
		got, ok := detectLanguage(value)
		if !ok {
			return true // the authors count an undetectable text as followed
		}
		return got == lang
	}, nil
}

func buildNumberSentences(kw kwargs) (checker, error) {
	n, err := kw.int("num_sentences")
	if err != nil {
		return nil, err
	}
	rel, err := kw.relation("relation")
	if err != nil {
		return nil, err
	}
	return func(value string) bool { return compare(rel, countSentences(value), n) }, nil
}

var paragraphDivider = regexp.MustCompile(pySpaceClass + `?\*\*\*` + pySpaceClass + `?`)

func buildNumberParagraphs(kw kwargs) (checker, error) {
	want, err := kw.int("num_paragraphs")
	if err != nil {
		return nil, err
	}
	return func(value string) bool {
		paragraphs := paragraphDivider.Split(value, -1)
		n := len(paragraphs)
		for i, p := range paragraphs {
			if pyStrip(p) == "" {
				if i == 0 || i == len(paragraphs)-1 {
					n--
				} else {
					return false
				}
			}
		}
		return n == want
	}, nil
}

func buildNumberWords(kw kwargs) (checker, error) {
	n, err := kw.int("num_words")
	if err != nil {
		return nil, err
	}
	rel, err := kw.relation("relation")
	if err != nil {
		return nil, err
	}
	return func(value string) bool { return compare(rel, countWords(value), n) }, nil
}

func buildNthParagraphFirstWord(kw kwargs) (checker, error) {
	num, err := kw.int("num_paragraphs")
	if err != nil {
		return nil, err
	}
	nth, err := kw.int("nth_paragraph")
	if err != nil {
		return nil, err
	}
	first, err := kw.str("first_word")
	if err != nil {
		return nil, err
	}
	if nth <= 0 || nth > num {
		// The authors pick a random paragraph here.
		return nil, fmt.Errorf("argument \"nth_paragraph\" is %d, want 1 to %d", nth, num)
	}
	first = pyLower(first)
	return func(value string) bool {
		paragraphs := strings.Split(value, "\n\n")
		n := len(paragraphs)
		for _, p := range paragraphs {
			if pyStrip(p) == "" {
				n--
			}
		}
		if nth > n {
			return false
		}
		// As the authors do, index the split list (blank paragraphs
		// included) with the count of non-blank ones as the bound.
		paragraph := pyStrip(paragraphs[nth-1])
		if paragraph == "" {
			return false
		}
		word := pyStrip(pyFields(paragraph)[0])
		word = strings.TrimLeft(word, "'")
		word = strings.TrimLeft(word, `"`)
		var got strings.Builder
		for _, r := range word {
			if strings.ContainsRune(`.,?!'"`, r) {
				break
			}
			got.WriteString(pyLower(string(r)))
		}
		return n == num && got.String() == first
	}, nil
}

var placeholder = regexp.MustCompile(`\[.*?\]`)

func buildPlaceholders(kw kwargs) (checker, error) {
	n, err := kw.int("num_placeholders")
	if err != nil {
		return nil, err
	}
	return func(value string) bool {
		return len(placeholder.FindAllStringIndex(value, -1)) >= n
	}, nil
}

func buildPostscript(kw kwargs) (checker, error) {
	marker, err := kw.str("postscript_marker")
	if err != nil {
		return nil, err
	}
	marker = pyStrip(marker)
	var re *regexp.Regexp
	switch marker {
	case "P.P.S":
		re = regexp.MustCompile(`(?m)` + pySpaceClass + `*p\.` + pySpaceClass + `?p\.` + pySpaceClass + `?s.*$`)
	case "P.S.":
		re = regexp.MustCompile(`(?m)` + pySpaceClass + `*p\.` + pySpaceClass + `?s\..*$`)
	default:
		re = pyRegexp(`(?m)`+pySpaceClass+`*`, pyLower(marker), `.*$`)
	}
	return func(value string) bool { return re.MatchString(pyLower(value)) }, nil
}

var (
	bulletStar = regexp.MustCompile(`(?m)^` + pySpaceClass + `*\*[^\*].*$`)
	bulletDash = regexp.MustCompile(`(?m)^` + pySpaceClass + `*-.*$`)
)

func buildBulletLists(kw kwargs) (checker, error) {
	n, err := kw.int("num_bullets")
	if err != nil {
		return nil, err
	}
	return func(value string) bool {
		got := len(bulletStar.FindAllStringIndex(value, -1)) + len(bulletDash.FindAllStringIndex(value, -1))
		return got == n
	}, nil
}

func buildConstrainedResponse(kwargs) (checker, error) {
	options := []string{"My answer is yes.", "My answer is no.", "My answer is maybe."}
	return func(value string) bool {
		value = pyStrip(value)
		for _, o := range options {
			if strings.Contains(value, o) {
				return true
			}
		}
		return false
	}, nil
}

var (
	highlight       = regexp.MustCompile(`\*[^\n\*]*\*`)
	doubleHighlight = regexp.MustCompile(`\*\*[^\n\*]*\*\*`)
)

func buildHighlights(kw kwargs) (checker, error) {
	n, err := kw.int("num_highlights")
	if err != nil {
		return nil, err
	}
	return func(value string) bool {
		got := 0
		for _, h := range highlight.FindAllString(value, -1) {
			if pyStrip(strings.Trim(h, "*")) != "" {
				got++
			}
		}
		for _, h := range doubleHighlight.FindAllString(value, -1) {
			if pyStrip(strings.TrimSuffix(strings.TrimPrefix(h, "**"), "**")) != "" {
				got++
			}
		}
		return got >= n
	}, nil
}

func buildSections(kw kwargs) (checker, error) {
	splitter, err := kw.str("section_spliter")
	if err != nil {
		return nil, err
	}
	n, err := kw.int("num_sections")
	if err != nil {
		return nil, err
	}
	re := pyRegexp(pySpaceClass+`?`, pyStrip(splitter), pySpaceClass+`?\p{Nd}+`+pySpaceClass+`?`)
	return func(value string) bool {
		return len(re.Split(value, -1))-1 >= n
	}, nil
}

func buildJSON(kwargs) (checker, error) {
	return func(value string) bool {
		value = pyStrip(value)
		for _, p := range []string{"```json", "```Json", "```JSON", "```"} {
			value = strings.TrimPrefix(value, p)
		}
		value = pyStrip(strings.TrimSuffix(value, "```"))
		return pyJSONValid(value)
	}, nil
}

var title = regexp.MustCompile(`<<[^\n]+>>`)

func buildTitle(kwargs) (checker, error) {
	return func(value string) bool {
		for _, t := range title.FindAllString(value, -1) {
			if pyStrip(strings.TrimRight(strings.TrimLeft(t, "<"), ">")) != "" {
				return true
			}
		}
		return false
	}, nil
}

func buildTwoResponses(kwargs) (checker, error) {
	return func(value string) bool {
		var valid []string
		responses := strings.Split(value, "******")
		for i, r := range responses {
			if pyStrip(r) == "" {
				if i != 0 && i != len(responses)-1 {
					return false
				}
			} else {
				valid = append(valid, r)
			}
		}
		return len(valid) == 2 && pyStrip(valid[0]) != pyStrip(valid[1])
	}, nil
}

func buildRepeatPrompt(kw kwargs) (checker, error) {
	prompt, err := kw.str("prompt_to_repeat")
	if err != nil {
		return nil, err
	}
	if prompt == "" {
		return nil, fmt.Errorf("argument \"prompt_to_repeat\" is empty")
	}
	want := pyLower(pyStrip(prompt))
	return func(value string) bool {
		return strings.HasPrefix(pyLower(pyStrip(value)), want)
	}, nil
}

func buildEndChecker(kw kwargs) (checker, error) {
	phrase, err := kw.str("end_phrase")
	if err != nil {
		return nil, err
	}
	want := pyLower(pyStrip(phrase))
	return func(value string) bool {
		return strings.HasSuffix(pyLower(strings.Trim(pyStrip(value), `"`)), want)
	}, nil
}

func buildCapitalWordFrequency(kw kwargs) (checker, error) {
	n, err := kw.int("capital_frequency")
	if err != nil {
		return nil, err
	}
	rel, err := kw.relation("capital_relation")
	if err != nil {
		return nil, err
	}
	return func(value string) bool {
		got := 0
		for _, w := range wordTokenize(value) {
			if pyIsUpper(w) {
				got++
			}
		}
		return compare(rel, got, n)
	}, nil
}

func buildEnglishCapital(kwargs) (checker, error) {
	return func(value string) bool {
		if !pyIsUpper(value) {
			return false // Python's "and" never calls langdetect here
		}
		got, ok := detectLanguage(value)
		return !ok || got == "en"
	}, nil
}

func buildEnglishLowercase(kwargs) (checker, error) {
	return func(value string) bool {
		if !pyIsLower(value) {
			return false
		}
		got, ok := detectLanguage(value)
		return !ok || got == "en"
	}, nil
}

func buildNoComma(kwargs) (checker, error) {
	return func(value string) bool { return !strings.Contains(value, ",") }, nil
}

func buildQuotation(kwargs) (checker, error) {
	return func(value string) bool {
		value = pyStrip(value)
		return pyLen(value) > 1 && value[0] == '"' && value[len(value)-1] == '"'
	}, nil
}

// build makes the checker for instruction id with kwargs kw.
func build(id string, kw map[string]any) (checker, error) {
	b, ok := registry[id]
	if !ok {
		return nil, fmt.Errorf("unknown instruction id %q", id)
	}
	c, err := b(kwargs(kw))
	if err != nil {
		return nil, fmt.Errorf("instruction %s: %w", id, err)
	}
	return c, nil
}
