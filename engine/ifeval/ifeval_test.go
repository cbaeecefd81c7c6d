package ifeval

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/enginetest"
)

func TestLooseVariants(t *testing.T) {
	got := looseVariants("first *a*\nmiddle\n last **b** ")
	want := []string{
		"first *a*\nmiddle\n last **b** ",
		"first a\nmiddle\n last b ",
		"middle\n last **b**",
		"first *a*\nmiddle",
		"middle",
		"middle\n last b",
		"first a\nmiddle",
		"middle",
	}
	if !slices.Equal(got, want) {
		t.Errorf("looseVariants\n got %q\nwant %q", got, want)
	}
	// One line: every variant without a line is empty.
	if got := looseVariants("only"); got[2] != "" || got[3] != "" || got[4] != "" {
		t.Errorf("looseVariants(one line) = %q", got)
	}
}

func TestStrictAndLoose(t *testing.T) {
	in := Input{
		Key:            1,
		Prompt:         "p",
		InstructionIDs: []string{ChangeCaseEnglishLowercase, StartEndQuotation, PunctuationNoComma},
		Kwargs:         []map[string]any{{}, {}, {}},
	}
	// The first line breaks the lowercase rule, the stars the quotation.
	resp := "Sure! Here it is.\n**\"every word here is lowercase and in english as asked\"**"
	strict := Strict(in, resp)
	if want := []bool{false, false, true}; !slices.Equal(strict.FollowList, want) || strict.FollowAll {
		t.Errorf("Strict = %v (all %v), want %v", strict.FollowList, strict.FollowAll, want)
	}
	loose := Loose(in, resp)
	if want := []bool{true, true, true}; !slices.Equal(loose.FollowList, want) || !loose.FollowAll {
		t.Errorf("Loose = %v (all %v), want %v", loose.FollowList, loose.FollowAll, want)
	}
	if got := strict.Failed(); !slices.Equal(got, []string{ChangeCaseEnglishLowercase, StartEndQuotation}) {
		t.Errorf("Failed = %v", got)
	}
	if strict.Response != resp || strict.Prompt != "p" || !slices.Equal(strict.InstructionIDList, in.InstructionIDs) {
		t.Errorf("Output does not carry the input: %+v", strict)
	}
	// A blank response follows nothing, not even "no comma".
	for _, out := range []Output{Strict(in, " \n "), Loose(in, " \n ")} {
		if slices.Contains(out.FollowList, true) || out.FollowAll {
			t.Errorf("blank response: %v", out.FollowList)
		}
	}
}

func TestScores(t *testing.T) {
	var s Scores
	if a := s.Accuracy(); a != (Accuracy{}) {
		t.Errorf("zero Scores: %+v", a)
	}
	s.Add(Output{FollowAll: true, FollowList: []bool{true, true}}, Output{FollowAll: true, FollowList: []bool{true, true}})
	s.Add(Output{FollowAll: false, FollowList: []bool{true, false}}, Output{FollowAll: true, FollowList: []bool{true, true}})
	s.Add(Output{FollowAll: false, FollowList: []bool{false}}, Output{FollowAll: false, FollowList: []bool{false}})
	a := s.Accuracy()
	want := Accuracy{PromptStrict: 1.0 / 3, InstructionStrict: 3.0 / 5, PromptLoose: 2.0 / 3, InstructionLoose: 4.0 / 5}
	if a != want {
		t.Errorf("Accuracy = %+v, want %+v", a, want)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Input
		msg  string
	}{
		{"unknown id", Input{Key: 7, InstructionIDs: []string{"keywords:key_sentences"}, Kwargs: []map[string]any{{}}}, "unknown instruction id"},
		{"count mismatch", Input{Key: 7, InstructionIDs: []string{PunctuationNoComma}}, "1 instruction ids but 0 kwargs"},
		{"missing argument", Input{Key: 7, InstructionIDs: []string{LengthNumberWords}, Kwargs: []map[string]any{{"relation": "at least"}}}, `missing argument "num_words"`},
		{"bad relation", Input{Key: 7, InstructionIDs: []string{LengthNumberWords}, Kwargs: []map[string]any{{"relation": "at most", "num_words": 3.0}}}, `"at most"`},
		{"bad type", Input{Key: 7, InstructionIDs: []string{KeywordsExistence}, Kwargs: []map[string]any{{"keywords": "x"}}}, "want a list of strings"},
		{"long letter", Input{Key: 7, InstructionIDs: []string{KeywordsLetterFrequency}, Kwargs: []map[string]any{{"letter": "ab", "let_frequency": 1.0, "let_relation": "at least"}}}, "want one character"},
	} {
		err := Validate(c.in)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Key != 7 || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: Validate = %v, want an InputError for key 7 containing %q", c.name, err, c.msg)
		}
		// Strict still answers, with that instruction not followed.
		if out := Strict(c.in, "anything"); slices.Contains(out.FollowList, true) {
			t.Errorf("%s: Strict = %v", c.name, out.FollowList)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	os.WriteFile(good, []byte(`{"key": 1, "prompt": "a", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}

{"key": 2, "prompt": "b", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"relation": "less than", "num_words": 5}]}
`), 0o644)
	ins, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[1].Key != 2 || ins[1].Prompt != "b" || ins[1].Kwargs[0]["num_words"] != 5.0 {
		t.Errorf("Load = %+v", ins)
	}
	if !Strict(ins[1], "one two three").FollowAll || Strict(ins[1], "one two three four five").FollowAll {
		t.Error("number_words less than 5 misjudged")
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"key": 1, "prompt": "a", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
{"key": 2, "prompt": "b", "instruction_id_list": ["nope:nope"], "kwargs": [{}]}
`), 0o644)
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "nope:nope") {
		t.Errorf("Load(bad) = %v, want an error naming line 2 and the id", err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Load(empty); !errors.Is(err, ErrEmpty) {
		t.Errorf("Load(empty) = %v, want ErrEmpty", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

// TestInstructionIDs: the 25 ids of the authors' registry, and every id
// in the released data among them (Load validates each prompt).
func TestInstructionIDs(t *testing.T) {
	if n := len(InstructionIDs()); n != 25 {
		t.Errorf("%d instruction ids, want 25", n)
	}
	ins, err := Load(enginetest.DataFile(t, "ifeval.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, in := range ins {
		for _, id := range in.InstructionIDs {
			seen[id] = true
		}
	}
	if len(seen) != 25 {
		t.Errorf("the data uses %d ids, want 25", len(seen))
	}
}

func TestParse(t *testing.T) {
	line := `{"key": 1, "prompt": "a", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}`
	ins, err := Parse([]byte("\uFEFF" + line + "\r\n"))
	if err != nil || len(ins) != 1 || ins[0].Key != 1 {
		t.Errorf("Parse(BOM, CRLF) = %+v, %v", ins, err)
	}
	if _, err := Parse([]byte(line + "\n" + line)); !errors.Is(err, ErrDuplicateKey) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Parse(duplicate) = %v, want ErrDuplicateKey on line 2", err)
	}
	if _, err := Parse([]byte(line + "\n{not json")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Parse(bad JSON) = %v, want an error naming line 2", err)
	}
}

func TestCheck(t *testing.T) {
	in := Input{Key: 1, Prompt: "p", InstructionIDs: []string{StartEndQuotation}, Kwargs: []map[string]any{{}}}
	r := Check(in, `**"quoted"**`)
	if r.Strict.FollowAll || !r.Loose.FollowAll {
		t.Errorf("Check = %+v, want strict false, loose true", r)
	}
}

// TestConcurrent: graders check replies in parallel; run with -race.
func TestConcurrent(t *testing.T) {
	in := Input{Key: 1, InstructionIDs: []string{
		LengthNumberSentences, ChangeCaseCapitalWordFreq, LanguageResponseLanguage, ChangeCaseEnglishLowercase,
	}, Kwargs: []map[string]any{
		{"relation": "at least", "num_sentences": 2.0},
		{"capital_relation": "less than", "capital_frequency": 3.0},
		{"language": "en"},
		{},
	}}
	done := make(chan Result)
	for range 8 {
		go func() { done <- Check(in, "this is one sentence. and here is another one, in english.") }()
	}
	for range 8 {
		if r := <-done; !r.Strict.FollowAll {
			t.Errorf("Check = %v, want all followed", r.Strict.FollowList)
		}
	}
}
