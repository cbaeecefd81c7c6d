package ifeval

import (
	"fmt"
	"testing"
)

// The cases below are the authors' instructions_test.py (google-research
// instruction_following_eval), case for case, with the same texts; a few
// are added (marked "added") where the authors have none.

type instructionCase struct {
	name     string
	kwargs   map[string]any
	response string
	want     bool
}

func runCases(t *testing.T, id string, cases []instructionCase) {
	t.Helper()
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.name), func(t *testing.T) {
			check, err := build(id, c.kwargs)
			if err != nil {
				t.Fatal(err)
			}
			if got := check(c.response); got != c.want {
				t.Errorf("%s %v on %q = %v, want %v", id, c.kwargs, c.response, got, c.want)
			}
		})
	}
}

func TestResponseLanguage(t *testing.T) {
	runCases(t, LanguageResponseLanguage, []instructionCase{
		{"english", map[string]any{"language": "en"}, "The response is English", true},
		{"multilanguage es", map[string]any{"language": "es"}, "Desayunamos en McDonald's hoy", true},
		{"multilanguage en", map[string]any{"language": "en"}, "Today we visit the Louvre", true},
		{"added: wrong language", map[string]any{"language": "fr"}, "The response is English", false},
		{"added: no features counts as followed", map[string]any{"language": "fr"}, "1234 !!!", true},
	})
}

func TestNumberSentences(t *testing.T) {
	runCases(t, LengthNumberSentences, []instructionCase{
		{"less than 4", map[string]any{"relation": "less than", "num_sentences": 4.0}, "xx,x. xx,x! xx/x. x{x}x?", false},
		{"less than 5", map[string]any{"relation": "less than", "num_sentences": 5.0}, "xxxx. xx,x! xxxx. x(x)x?", true},
		{"at least 4", map[string]any{"relation": "at least", "num_sentences": 4.0}, "xxxx. xx,x! xx|x. x&x x?", true},
		{"at least 5", map[string]any{"relation": "at least", "num_sentences": 5.0}, "xx-x. xx,x! xx}x. x,xx?", false},
	})
}

func TestNumberPlaceholders(t *testing.T) {
	runCases(t, ContentNumberPlaceholders, []instructionCase{
		{"5", map[string]any{"num_placeholders": 5.0}, "Sure, here is a short template with 5 placeholders:\n" +
			"[Name]\n[Email]\n[Phone]\n[Address]\n[Website]\n" +
			"This template can be used for a variety of purposes, such " +
			"ascreating a contact list, sending out surveys, or creating " +
			"a sign-up form.", true},
		{"7", map[string]any{"num_placeholders": 7.0}, "My [adjective] [noun] is [adjective] [noun]. I [verb] and [verb].", false},
	})
}

const (
	bullet1 = `
  A Markdown bullet point is a way of formatting text to create a list. To
  create a bullet point, start each line with an asterisk (*). For example:
  * This is a bullet point.
  *(no space required)Another bullet point.
  * (no newline ending required)Another bullet point.
  markdown bullet points are often used to create to-do lists or to list items
  in a step-by-step guide.`
	bullet2 = `
  Check that inline asterisk (*), *, will not be counted. Only * that starts a
  bullet list will be counted:
    * This is a bullet point.
    * Another bullet point.
    . dot is not counted`
	bullet3 = `
  Here are three bullets starting with asterisk:
  * I am a large language model, also known as a conversational AI.
  * I am trained on a massive amount of text data, and I am able to communicate.
  * I am still under development, but I am learning new things every day.`
	bullet4 = `
  Here are three markdown bullets:
  - I am a large language model, also known as a conversational AI.
  - I am trained on a massive amount of text data, and I am able to communicate.
  -I am still under development, but I am learning new things every day.`
	bullet5 = `
  Paragraph 1
  ***
  Paragraph 2
  ***
  Paragraph 3
  * only one bullet point
  `
)

func TestNumberBulletLists(t *testing.T) {
	runCases(t, FormatNumberBulletLists, []instructionCase{
		{"1", map[string]any{"num_bullets": 3.0}, bullet1, true},
		{"2", map[string]any{"num_bullets": 2.0}, bullet2, true},
		{"3", map[string]any{"num_bullets": 3.0}, bullet3, true},
		{"4", map[string]any{"num_bullets": 3.0}, bullet4, true},
		{"5", map[string]any{"num_bullets": 1.0}, bullet5, true},
		{"added: exact count", map[string]any{"num_bullets": 2.0}, bullet3, false},
	})
}

func TestConstrainedResponse(t *testing.T) {
	runCases(t, FormatConstrainedResponse, []instructionCase{
		{"1", nil, "\n My answer is no.\n", true},
		{"2", nil, "My answer is no.   ", true},
		{"3", nil, `
  My answer is no. I am still under development and I am always learning and
  improving. I am not the best chatbot in the world, but I am striving to be
  the best that I can be.`, true},
		{"added: none", nil, "My answer is probably.", false},
	})
}

func TestNumberHighlights(t *testing.T) {
	runCases(t, FormatNumberHighlightSections, []instructionCase{
		{"1", map[string]any{"num_highlights": 2.0}, `
  To highlight text with Markdown, you can use the * character before and after
  the text you want to highlight. For example, if you want to highlight the
  word ` + "`hello`" + `, you would type:*hello*, You can also use the ** character to
  create bold text. For example, if you want to bold the word ` + "`hello`" + `, you
  would type: **hello** `, true},
		{"2", map[string]any{"num_highlights": 2.0}, `
  Sure, here are the numerical methods for solving partial differential
  equations highlighted with Markdown:
  *Finite difference methods
  *Finite element methods*
  *Boundary element methods
  *Monte Carlo methods
  I hope this helps!`, false},
		{"3", map[string]any{"num_highlights": 4.0}, `
  There is allowed to be *two different* highlighted *sections in the same*
  line. **This is also true** for **double markdown highlights.**
  `, true},
	})
}

func TestMultipleSections(t *testing.T) {
	runCases(t, FormatMultipleSections, []instructionCase{
		{"Section 3", map[string]any{"section_spliter": "Section", "num_sections": 3.0}, `
  Your response must have multiple sections. Mark the beginning of each section
  with "Section X", such as:
  Section 1
  [content of section 1]
  Section 2
  [content of section 2]`, false},
		{"SECTION 2", map[string]any{"section_spliter": "SECTION", "num_sections": 2.0}, `SECTION 1
  [content of section 1]
  SECTION 2
  [content of section 2]`, true},
		// added: "?*" does not compile in Go, so the splitter is taken as
		// literal text, and the space and number parts still apply.
		{"added: splitter RE2 cannot compile", map[string]any{"section_spliter": "*SECTION*", "num_sections": 2.0}, `*SECTION* 1
  [content of section 1]
  *SECTION* 2
  [content of section 2]`, true},
		{"added: splitter RE2 cannot compile, one section", map[string]any{"section_spliter": "*SECTION*", "num_sections": 2.0}, `*SECTION* 1
  [content of section 1]`, false},
	})
}

func TestNumberParagraphs(t *testing.T) {
	runCases(t, LengthNumberParagraphs, []instructionCase{
		{"1", map[string]any{"num_paragraphs": 3.0}, `
  paragraph 1
  ***
  paragraph 2
  ***
  paragraph 3`, true},
		{"2", map[string]any{"num_paragraphs": 3.0}, `
          ***
  paragraph 1
          ***
      paragraph 2
          ***
      paragraph 3`, true},
		{"3", map[string]any{"num_paragraphs": 3.0}, `
  paragraph 1
          ***
      paragraph 2
          ***
      paragraph 3
          ***`, true},
		{"4", map[string]any{"num_paragraphs": 2.0}, `
  paragraph 1
          ***
      paragraph 2
          ***
          ***`, false},
	})
}

const (
	postscript1 = `
  I will do my best to follow your instructions and always start my responses
  with "My response is:". I will try to be as consistent as possible, but
  please be patient with me if I make a mistake. I am still under development,
  and I am always learning new things.

  P.S. I hope this is what you were looking for.`
	postscript2 = `
  Sure, here is my response with a postscript starting with P.P.S.:

  My response is: I hope this answers your question.

  P.P.S. I am always happy to answer any other questions you may have.

  Do you have any other questions for me?`
	postscript3 = `
  The radius of a unit circle is 1. However, I can give you a funny and wrong
  answer: the radius of a unit circle is 0. This is because a unit circle is a
  circle with a radius of 1, and if the radius is 0, then the circle has no
  size and is just a point. (not starting a new line) P.S. I hope you enjoyed
  my joke!`
	postscript4 = `
  If the length of a square is one, the area of the square will also be one.
  p.p.s what if the entire response was lower case letters?
  `
	postscript5 = `
  The mysteries of space and time are mysterious.
  P. S. Sometimes there are even spaces between P. and S..
  `
)

func TestPostscript(t *testing.T) {
	runCases(t, ContentPostscript, []instructionCase{
		{"P.S.", map[string]any{"postscript_marker": "P.S."}, postscript1, true},
		{"PS:", map[string]any{"postscript_marker": "PS:"}, postscript1, false},
		{"P.P.S", map[string]any{"postscript_marker": "P.P.S"}, postscript2, true},
		{"P.S. mid-line", map[string]any{"postscript_marker": "P.S."}, postscript3, true},
		{"p.p.s lower", map[string]any{"postscript_marker": "P.P.S"}, postscript4, true},
		{"P. S.", map[string]any{"postscript_marker": "P.S."}, postscript5, true},
		// added: "\s**note*" does not compile in Go, so the marker is taken
		// as literal text, and the space and rest-of-line parts still apply.
		{"added: marker RE2 cannot compile", map[string]any{"postscript_marker": "*Note*"}, "Thanks.\n  *NOTE*: see you soon.", true},
		{"added: marker RE2 cannot compile, absent", map[string]any{"postscript_marker": "*Note*"}, "Thanks.\nNote: see you soon.", false},
	})
}

const (
	includeKeyword1 = `
  Paris is a city of beauty and romance. The romantic river Seine winds its way
  through the city, past iconic landmarks like the Eiffel Tower and the Louvre
  Museum, where the Mona Lisa resides. Whether you're taking a boat cruise down
  the river or simply strolling along the banks, you're sure to be captivated
  by the city's charm.`
	includeKeyword2 = `
  Paris is a city of beauty, romance, and history. It is home to some of the
  most iconic landmarks in the world, including the Eiffel Tower, the Louvre
  Museum, and the Notre Dame Cathedral. The city is also known for its romantic
  river cruises, its delicious food, and its stylish people.
  `
)

func TestKeywordExistence(t *testing.T) {
	kw := map[string]any{"keywords": []any{"romantic", "river", "Mona Lisa"}}
	runCases(t, KeywordsExistence, []instructionCase{
		{"1", kw, includeKeyword1, true},
		{"2", kw, includeKeyword2, false},
	})
}

func TestKeywordFrequency(t *testing.T) {
	runCases(t, KeywordsFrequency, []instructionCase{
		{"less than 4", map[string]any{"keyword": "  keyword ", "frequency": 4.0, "relation": "less than"}, "\n  keyword, Keyword, KEYWORD\n  ", true},
		{"at least 3", map[string]any{"keyword": "  keyword ", "frequency": 3.0, "relation": "at least"}, "\n  keyword, Keyword, KEYWORD\n  ", true},
		{"at least 4", map[string]any{"keyword": "KEYWORD", "frequency": 4.0, "relation": "at least"}, "\n    *keyword\n    *Keyword\n    *KEYWORD\n  ", false},
	})
}

func TestNumberWords(t *testing.T) {
	m1 := "\n  d3sCRi7 lArge lAnguagE M0del w1tH 20 w0RdS."
	m2 := "\n  L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms\n  l4ngu4g3 b4s3d on pr3vious l3arning & d4t4."
	runCases(t, LengthNumberWords, []instructionCase{
		{"less than 8", map[string]any{"num_words": 8.0, "relation": "less than"}, m1, true},
		{"less than 16", map[string]any{"num_words": 16.0, "relation": "less than"}, m2, false},
		{"at least 16", map[string]any{"num_words": 16.0, "relation": "at least"}, m2, true},
	})
}

func TestNthParagraphFirstWord(t *testing.T) {
	kw := func(num, nth int, first string) map[string]any {
		return map[string]any{"num_paragraphs": float64(num), "nth_paragraph": float64(nth), "first_word": first}
	}
	runCases(t, LengthNthParagraphFirstWord, []instructionCase{
		{"1", kw(3, 2, "I"), "\n  paragraph 1\n\n  I paragraph 2\n\n  paragraph 3", true},
		{"2", kw(3, 2, "I"), "\n  paragraph 1\n\n  I paragraph 2", false},
		{"3", kw(3, 2, "I"), "\n  paragraph 1\n\n  fail paragraph 2\n\n  paragraph 3", false},
		{"4", kw(5, 5, "haha"), "\n  Wow this is a very long response.\n\n  I can't believe there is more than three paragraphs.\n\n  Really more than three? No way!\n\n  I can't believe it but I guess I am living proof.\n\n  Haha, you go that right.", true},
		{"5", kw(5, 3, "Really"), "\n  Wow this is a very long response.\n\n  I can't believe there is more than three paragraphs.\n\n  \"Really?! more than three? No way!\"\n\n  I can't believe it but I guess I am living proof.\n\n  Haha, you go that right.", true},
		{"6", kw(5, 3, "Really"), "\n  Wow this is a very long response.\n\n  I can't believe there is more than three paragraphs.\n\n  Rea!lly more than three? No way!\n\n  I can't believe it but I guess I am living proof.\n\n  Haha, you go that right.", false},
	})
}

const (
	forbidden1 = `
  The Nazis came to power in 1933 through a combination of legal and illegal
  means. Hitler was appointed chancellor by President Paul von Hindenburg, and
  the Nazis quickly consolidated their power by passing a series of laws that
  restricted the rights of opposition parties and individuals. By 1934, Hitler
  had become dictator of Germany.
  `
	forbidden2 = `
  Dinosaurs were a diverse group of reptiles that dominated the Earth for over
  160 million years. They came in all shapes and sizes, from the tiny
  Compsognathus to the massive Argentinosaurus. Dinosaurs were the most
  successful land animals on Earth until they went extinct about 66 million
  years ago. The exact cause of their extinction is still unknown, but it
  is thought to have been a combination of factors, including an asteroid
  impact and climate change.
  `
	forbidden3 = `
  GPT, or Generative Pre-trained Transformer, is a family of neural network
  models that uses the transformer architecture. GPT models are trained on a
  massive dataset of text and code, and can be used for a variety of tasks,
  including text generation, translation, and question answering. GPT models
  have been shown to be very effective at these tasks, and are being used by
  a variety of companies and organizations like Google.
  `
)

func TestForbiddenWords(t *testing.T) {
	w1 := map[string]any{"forbidden_words": []any{"HOUSE", "POWER", "BECOME"}}
	w2 := map[string]any{"forbidden_words": []any{"GOOGLE", "TEXT"}}
	w3 := map[string]any{"forbidden_words": []any{"GENE", "TRANSFORM"}}
	runCases(t, KeywordsForbiddenWords, []instructionCase{
		{"1-1", w1, forbidden1, false},
		{"1-2", w1, forbidden2, true},
		{"1-3", w1, forbidden3, true},
		{"2-1", w2, forbidden1, true},
		{"2-2", w2, forbidden2, true},
		{"2-3", w2, forbidden3, false},
		{"3-3 whole words only", w3, forbidden3, true},
		{"added: unicode boundary", map[string]any{"forbidden_words": []any{"cafe"}}, "un cafeé", true},
	})
}

func TestTwoResponses(t *testing.T) {
	runCases(t, CombinationTwoResponses, []instructionCase{
		{"1", nil, "\n  This is response 1.\n  ******\n  This is response 2.\n  ", true},
		{"2", nil, "\n  This is response 1.\n  ******\n  This is response 1.\n  ", false},
		{"3", nil, "\n  This is response 1.\n  ******\n  This is response 2.\n  ******\n  This is response 3.\n  ", false},
		{"4", nil, "\n  ******\n  Response 1.\n  ******\n  ******\n  Response 2.\n  ******\n  ", false},
		{"5", nil, "\n  ******\n  Response 1\n  ******\n  Response 2\n  ******\n  ", true},
	})
}

func TestRepeatPrompt(t *testing.T) {
	kw := map[string]any{"prompt_to_repeat": "Write a CL description."}
	runCases(t, CombinationRepeatPrompt, []instructionCase{
		{"1", kw, "Write a CL description. Hi, Le and TJ, please\n  check this out. Thanks.\n  ", true},
		{"2", kw, "Hi, Le and TJ. Write a CL description. Thanks.\n  ", false},
	})
}

func TestEndChecker(t *testing.T) {
	runCases(t, StartEndEndChecker, []instructionCase{
		{"1", map[string]any{"end_phrase": "\n  Any more questions?\n  "}, "\n  The answer is 7. Any more questions?\n  ", true},
		{"2", map[string]any{"end_phrase": "\n  This is the end.\n  "}, "\n  At the end of this prompt I am required to say that this is the end.\n  ", true},
		{"3", map[string]any{"end_phrase": "\n  This will fail.\n  "}, "\n  This will fail. Paris is cool.\n  ", false},
		{"added: closing quote", map[string]any{"end_phrase": "Any other questions?"}, `"Fine. Any other questions?"`, true},
	})
}

func TestTitle(t *testing.T) {
	runCases(t, FormatTitle, []instructionCase{
		{"1", nil, "\n  <<Song of Joy>>\n  La la la. Happy song.\n  ", true},
		{"2", nil, "\n  Is it fine for title to be at the end?\n  <<This is the title>>\n  ", true},
		{"3", nil, "\n  << >>\n  There is no title.\n  ", false},
		{"4", nil, "\n  <<This is not a title.\n  This is a paragraph.>>\n  ", false},
	})
}

func TestLetterFrequency(t *testing.T) {
	runCases(t, KeywordsLetterFrequency, []instructionCase{
		{"T at least 4", map[string]any{"letter": "T", "let_frequency": 4.0, "let_relation": "at least"}, "\n  There is the T. Four T's.\n  ", true},
		{"a less than 4", map[string]any{"letter": "a", "let_frequency": 4.0, "let_relation": "less than"}, "\n  asdfghjkl!!aA\n  ", true},
		{"p at least 4", map[string]any{"letter": "p", "let_frequency": 4.0, "let_relation": "at least"}, "\n  asdfghjkl!!aA\n  ", false},
	})
}

func TestEnglishCapital(t *testing.T) {
	runCases(t, ChangeCaseEnglishCapital, []instructionCase{
		{"1", nil, "\n  THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.\n  ", true},
		{"2", nil, "\n  Every Word Is Capitalized.\n  ", false},
	})
}

func TestEnglishLowercase(t *testing.T) {
	runCases(t, ChangeCaseEnglishLowercase, []instructionCase{
		{"1", nil, "\n  every letter is lowercase.\n  ", true},
		{"2", nil, "\n  Almost every letter is lowercase.\n  ", false},
		{"added: lowercase but not English", nil, "ceci est une phrase en français, tout en minuscules.", false},
	})
}

func TestNoComma(t *testing.T) {
	runCases(t, PunctuationNoComma, []instructionCase{
		{"1", nil, "\n  Every sentence is short. There is no need for a comma.\n  ", true},
		{"2", nil, "\n  Since the start of time, people have always found a way to punctuate.\n  ", false},
	})
}

func TestCapitalWordFrequency(t *testing.T) {
	runCases(t, ChangeCaseCapitalWordFreq, []instructionCase{
		{"at least 3", map[string]any{"capital_frequency": 3.0, "capital_relation": "at least"}, "\n  HERE there are THREE FUlly CAPITAL words.\n  ", true},
		{"less than 5", map[string]any{"capital_frequency": 5.0, "capital_relation": "less than"}, "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ", true},
		{"less than 4", map[string]any{"capital_frequency": 4.0, "capital_relation": "less than"}, "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ", false},
		// added: NLTK splits contractions, so DON'T counts twice (DO, N'T).
		{"added: contraction", map[string]any{"capital_frequency": 2.0, "capital_relation": "at least"}, "I DON'T know.", true},
		{"added: contraction once", map[string]any{"capital_frequency": 2.0, "capital_relation": "at least"}, "i don't KNOW.", false},
	})
}

func TestQuotation(t *testing.T) {
	runCases(t, StartEndQuotation, []instructionCase{
		{"1", nil, "\n  \"This entire message is wrapped in double quotation marks.\"\n  ", true},
		{"2", nil, "\n  \"This message is wrapped in double quotation marks.\" But not everything.\n  ", false},
		{"added: one quote", nil, `"`, false},
	})
}

// TestJSONFormat: the authors' test file has no JSON case; these follow
// check_following's code.
func TestJSONFormat(t *testing.T) {
	runCases(t, FormatJSON, []instructionCase{
		{"plain", nil, `{"a": 1}`, true},
		{"fenced", nil, "```json\n{\"a\": [1, 2]}\n```", true},
		{"fenced JSON tag", nil, "```JSON\n[1, 2]\n```", true},
		{"python's NaN", nil, `{"a": NaN, "b": -Infinity}`, true},
		{"python's bare NaN", nil, `NaN`, true},
		{"python's Infinity in a list", nil, `[NaN, Infinity, -Infinity]`, true},
		{"NaN inside a string is text", nil, `{"a": "NaN"`, false},
		{"NaN after a digit", nil, `[1NaN]`, false},
		{"Infinity after a digit", nil, `[1Infinity]`, false},
		{"minus NaN", nil, `-NaN`, false},
		{"NaN as a fraction", nil, `1.NaN`, false},
		{"NaN as an exponent", nil, `1eNaN`, false},
		{"prose", nil, "Here is the JSON: {\"a\": 1}", false},
		{"two values", nil, `{"a": 1} {"b": 2}`, false},
	})
}
