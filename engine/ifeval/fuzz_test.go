package ifeval

import (
	"strings"
	"testing"
)

// FuzzCheck: no response makes a checker panic, every instruction gets a
// verdict, the loose check accepts whatever the strict one does, and each
// Punkt sentence is a piece of the text.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"", " ", ".", "...", ". . .", "\n\n***\n\n", "a.\n\nB. c", "“”‘’«»", "\"\"''``", "P.S. p. p. s",
		"SECTION 1\nSECTION 2", "******\n******", "<<>> << x >>", "[a] [b", "```json\n{}\n```",
		"I DON'T wanna... 'T is.", "\xff\xfe invalid", "हिन्दी. 中文。", "a\u2028b\u00a0. C", "A. B. C. D.",
	} {
		f.Add(s)
	}
	in := Input{Key: 1, InstructionIDs: InstructionIDs()}
	in.Kwargs = fuzzKwargs(in.InstructionIDs)
	f.Fuzz(func(t *testing.T, s string) {
		r := Check(in, s)
		if len(r.Strict.FollowList) != len(in.InstructionIDs) || len(r.Loose.FollowList) != len(in.InstructionIDs) {
			t.Fatalf("verdicts %d and %d for %d instructions", len(r.Strict.FollowList), len(r.Loose.FollowList), len(in.InstructionIDs))
		}
		for i := range r.Strict.FollowList {
			if r.Strict.FollowList[i] && !r.Loose.FollowList[i] {
				t.Errorf("%s: strict follows, loose does not", in.InstructionIDs[i])
			}
		}
		if strings.ToValidUTF8(s, "\uFFFD") == s {
			for _, sent := range splitSentences(s) {
				if !strings.Contains(s, sent) {
					t.Errorf("sentence %q is not in %q", sent, s)
				}
			}
		}
	})
}

// fuzzKwargs gives every instruction valid arguments.
func fuzzKwargs(ids []string) []map[string]any {
	args := map[string]map[string]any{
		KeywordsExistence:             {"keywords": []any{"a", "b"}},
		KeywordsFrequency:             {"keyword": "a", "frequency": 2.0, "relation": "at least"},
		KeywordsForbiddenWords:        {"forbidden_words": []any{"x"}},
		KeywordsLetterFrequency:       {"letter": "e", "let_frequency": 2.0, "let_relation": "less than"},
		LanguageResponseLanguage:      {"language": "en"},
		LengthNumberSentences:         {"num_sentences": 2.0, "relation": "at least"},
		LengthNumberParagraphs:        {"num_paragraphs": 2.0},
		LengthNumberWords:             {"num_words": 3.0, "relation": "less than"},
		LengthNthParagraphFirstWord:   {"num_paragraphs": 2.0, "nth_paragraph": 2.0, "first_word": "b"},
		ContentNumberPlaceholders:     {"num_placeholders": 1.0},
		ContentPostscript:             {"postscript_marker": "P.P.S"},
		FormatNumberBulletLists:       {"num_bullets": 2.0},
		FormatNumberHighlightSections: {"num_highlights": 1.0},
		FormatMultipleSections:        {"section_spliter": "SECTION", "num_sections": 2.0},
		CombinationRepeatPrompt:       {"prompt_to_repeat": "A."},
		StartEndEndChecker:            {"end_phrase": "C"},
		ChangeCaseCapitalWordFreq:     {"capital_frequency": 2.0, "capital_relation": "at least"},
	}
	kw := make([]map[string]any, len(ids))
	for i, id := range ids {
		kw[i] = args[id]
		if kw[i] == nil {
			kw[i] = map[string]any{}
		}
	}
	return kw
}
