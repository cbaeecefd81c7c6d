package ifeval

import (
	"slices"
	"testing"
)

// TestTreebankTokenize compares with NLTK 3.8's NLTKWordTokenizer: its
// doctest, and tokens printed by NLTK for texts that exercise every rule.
func TestTreebankTokenize(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.",
			[]string{"Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York.", "Please", "buy", "me", "two", "of", "them.", "Thanks", "."}},
		{"'a b 'm x' 'T", []string{"'", "a", "b", "'m", "x", "'", "'T"}},
		{"I cannot wanna go, gonna DON'T won't 'tis 'Twas",
			[]string{"I", "can", "not", "wan", "na", "go", ",", "gon", "na", "DO", "N'T", "wo", "n't", "'t", "is", "'T", "was"}},
		{"He said \"hi\" (and) [b] {c} <d> -- e...f; g@h #1 $2 %3 &4 *5 ? ! ' end.",
			[]string{"He", "said", "``", "hi", "''", "(", "and", ")", "[", "b", "]", "{", "c", "}", "<", "d", ">", "--", "e", "...", "f", ";", "g", "@", "h", "#", "1", "$", "2", "%", "3", "&", "4", "*", "5", "?", "!", "'", "end", "."}},
		{"“Quoted” ‘single’ «guillemets» x,y 1,000 a: b: 3:4 x:",
			[]string{"“", "Quoted", "”", "‘", "single", "’", "«", "guillemets", "»", "x", ",", "y", "1,000", "a", ":", "b", ":", "3:4", "x", ":"}},
		{"It's JOHN'S car. They'd've... ''double'' ``back``",
			[]string{"It", "'s", "JOHN", "'S", "car.", "They'd", "'ve", "...", "``", "double", "''", "``", "back", "``"}},
		{"WANNA\tgo wanna\nyes", []string{"WAN", "NA", "go", "wan", "na", "yes"}},
	} {
		if got := treebankTokenize(c.text); !slices.Equal(got, c.want) {
			t.Errorf("treebankTokenize(%q)\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

// TestCountWords: NLTK's RegexpTokenizer(r"\w+") splits on Python's
// non-word characters, combining marks included (as NLTK printed).
func TestCountWords(t *testing.T) {
	for text, want := range map[string]int{
		"naïve café, hello_world 3.14 हिन्दी": 8,
		"":        0,
		"  one  ": 1,
	} {
		if got := countWords(text); got != want {
			t.Errorf("countWords(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestPunkt compares with NLTK 3.8's PunktSentenceTokenizer loaded with
// the same English parameters (sentences as NLTK printed them): the
// abbreviation, collocation, initial and number rules, ellipses, and the
// realignment of closing quotes and brackets.
func TestPunkt(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Mr. Smith went to Washington. He said \"Hi.\" Then left.", []string{"Mr. Smith went to Washington.", "He said \"Hi.\"", "Then left."}},
		{"This is it... And then? No!  (Really.) Yes.", []string{"This is it... And then?", "No!", "(Really.)", "Yes."}},
		{"He was born in 1990. In U.S.A. we go. A. B. Smith wrote it.", []string{"He was born in 1990.", "In U.S.A. we go.", "A.", "B. Smith wrote it."}},
		{"Ellipsis . . . here. And -- dash. End.'", []string{"Ellipsis .", ".", ".", "here.", "And -- dash.", "End.'"}},
		{"Wait.) Next one.\" Another\n\nPara. x", []string{"Wait.)", "Next one.\"", "Another\n\nPara.", "x"}},
		{"“Quote.” Next. 3.14 is pi. No. 5 is it.", []string{"“Quote.” Next.", "3.14 is pi.", "No.", "5 is it."}},
		// An initial before a capital: neurosnap/sentences keeps this as
		// one sentence, NLTK splits it.
		{"I see you're currently located in o. Let's check the weather for you.", []string{"I see you're currently located in o.", "Let's check the weather for you."}},
		{"Hi!!! Wow?! Ok.)", []string{"Hi!!!", "Wow?!", "Ok.)"}},
	} {
		if got := splitSentences(c.text); !slices.Equal(got, c.want) {
			t.Errorf("splitSentences(%q)\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

// TestCountSentences: Punkt sentences, blank text none.
func TestCountSentences(t *testing.T) {
	for text, want := range map[string]int{
		"":                             0,
		"   \n ":                       0,
		"One sentence.":                1,
		"Mr. Smith went home. He ate.": 2,
		"Hello! How are you? Fine.":    3,
	} {
		if got := countSentences(text); got != want {
			t.Errorf("countSentences(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestPyCase(t *testing.T) {
	for _, c := range []struct {
		s            string
		upper, lower bool
	}{
		{"HELLO, WORLD!", true, false},
		{"hello, world!", false, true},
		{"Hello", false, false},
		{"123 !", false, false},
		{"ǅ", false, false}, // titlecase: cased, neither upper nor lower
		{"ÉCOLE", true, false},
	} {
		if got := pyIsUpper(c.s); got != c.upper {
			t.Errorf("pyIsUpper(%q) = %v, want %v", c.s, got, c.upper)
		}
		if got := pyIsLower(c.s); got != c.lower {
			t.Errorf("pyIsLower(%q) = %v, want %v", c.s, got, c.lower)
		}
	}
}

func TestPyStrip(t *testing.T) {
	if got := pyStrip("\x1c\v a b\u3000\u00a0"); got != "a b" {
		t.Errorf("pyStrip = %q, want %q", got, "a b")
	}
}
