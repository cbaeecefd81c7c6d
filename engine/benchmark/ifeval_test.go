package benchmark

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/enginetest"
	"github.com/slmmux/slmmux/engine/ifeval"
)

func TestIFEvalLoad(t *testing.T) {
	b, err := New("ifeval", Config{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != "ifeval" || b.Kind() != answer.Text {
		t.Errorf("Name, Kind = %q, %q", b.Name(), b.Kind())
	}
	if _, ok := b.(Grader); !ok {
		t.Fatal("ifeval is not a Grader")
	}
	items, err := b.Load(enginetest.DataFile(t, "ifeval.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 541 {
		t.Fatalf("%d items, want 541", len(items))
	}
	first := items[0]
	in, ok := first.Check.(ifeval.Input)
	if first.ID != "1000" || !strings.HasPrefix(first.Question, "Write a 300+ word summary") || !ok || in.Key != 1000 || len(in.InstructionIDs) != 3 {
		t.Errorf("first item = %+v", first)
	}
	if p := b.Prompt(first); p.System != "" || p.User != first.Question {
		t.Errorf("Prompt = %+v, want the prompt alone as the user message", p)
	}
	for _, it := range items {
		if it.Reference != "" || it.Choices != nil {
			t.Fatalf("item %s has a reference or choices", it.ID)
		}
	}
}

func TestIFEvalLoadErrors(t *testing.T) {
	b, _ := New("ifeval", Config{})
	for content, want := range map[string]string{
		`{"key": 1, "prompt": "a", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}` + "\n" +
			`{"key": 2, "prompt": "b", "instruction_id_list": ["keywords:key_sentences"], "kwargs": [{}]}`: "line 2: key 2: unknown instruction id",
		`{"key": 1, "prompt": "a", "instruction_id_list": ["punctuation:no_comma"], "kwargs": []}`: "1 instruction ids but 0 kwargs",
		"": "no prompts",
	} {
		path := writeFile(t, "i.jsonl", content)
		_, err := b.Load(path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%q) error = %v; want one naming the file and containing %q", content, err, want)
		}
	}
}

func TestIFEvalGrade(t *testing.T) {
	b, _ := New("ifeval", Config{})
	g := Grading(b)
	it := Item{ID: "7", Question: "q", Check: ifeval.Input{
		Key: 7, Prompt: "q",
		InstructionIDs: []string{"punctuation:no_comma", "startend:quotation"},
		Kwargs:         []map[string]any{{}, {}},
	}}
	if got := b.Extract("  \"a reply\"\n", it); got != `"a reply"` {
		t.Errorf("Extract = %q, want the trimmed reply", got)
	}
	if b.Correct(`"a reply"`, it) {
		t.Error("Correct = true; a grader's answers are judged by Grade")
	}

	v, err := g.Grade(context.Background(), `"no commas here"`, it)
	if err != nil || !v.Pass || v.Reason != "" {
		t.Errorf("Grade(followed) = %+v, %v", v, err)
	}

	// Strict fails the quotation (the stars); loose forgives them.
	v, err = g.Grade(context.Background(), `**"one, two"**`, it)
	if err != nil || v.Pass || v.Reason != "not followed: punctuation:no_comma, startend:quotation" {
		t.Errorf("Grade(not followed) = %+v, %v", v, err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Pass   bool
		Detail struct {
			Strict, Loose struct {
				IDs  []string `json:"instruction_id_list"`
				All  bool     `json:"follow_all_instructions"`
				List []bool   `json:"follow_instruction_list"`
				Resp string   `json:"response"`
			}
		}
	}
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	d := back.Detail
	if d.Strict.All || d.Strict.List[0] || d.Strict.List[1] || d.Loose.All || d.Loose.List[0] || !d.Loose.List[1] ||
		len(d.Strict.IDs) != 2 || d.Strict.Resp != `**"one, two"**` {
		t.Errorf("verdict JSON = %s", raw)
	}

	if _, err := g.Grade(context.Background(), "x", Item{ID: "8"}); err == nil {
		t.Error("Grade of an item without instructions: want an error")
	}
}
