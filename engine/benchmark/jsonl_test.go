package benchmark

import (
	"reflect"
	"strings"
	"testing"
)

func TestJSONLLoad(t *testing.T) {
	content := "\uFEFF{\"question\": \"2+2=\", \"answer\": \"4\"}\n" +
		"\n" +
		"   \n" +
		"{\"id\": \"half\", \"question\": \"half of 1?\", \"answer\": \"\\\\frac12\"}\r\n" +
		"{\"id\": 7, \"question\": \"capital?\", \"choices\": [\"Paris\", \"Rome\"], \"answer\": \"Rome\"}\n" +
		"{\"question\": \"pick\", \"choices\": [\"A) x\", \"B) y\"], \"answer\": \"a\"}\n" +
		"{\"question\": \"sum\", \"answer\": \"so 3+4\\n#### 7\"}"
	b, _ := New("jsonl", Config{})
	items, err := b.Load(writeFile(t, "d.jsonl", content))
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{ID: "line-1", Question: "2+2=", Reference: "4"},
		{ID: "half", Question: "half of 1?", Reference: `\frac{1}{2}`},
		{ID: "7", Question: "capital?", Reference: "B", Choices: []string{"A Paris", "B Rome"}},
		{ID: "line-6", Question: "pick", Reference: "A", Choices: []string{"A) x", "B) y"}},
		{ID: "line-7", Question: "sum", Reference: "7"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Fatalf("Load = %+v\nwant %+v", items, want)
	}
	extract := []struct {
		item     int
		response string
		want     string
	}{
		{0, "The answer is 4.", "4"},
		{1, `so \boxed{0.5}`, `\frac{1}{2}`},
		{2, "##Answer: B##", "B"},
		{3, "(A)", "A"},
		{4, "#### 7", "7"},
	}
	for _, tt := range extract {
		it := items[tt.item]
		if got := b.Extract(tt.response, it); got != tt.want || !b.Correct(got, it) {
			t.Errorf("item %s: Extract(%q) = %q (correct %v); want %q", it.ID, tt.response, got, b.Correct(got, it), tt.want)
		}
	}
}

func TestJSONLExtractorModes(t *testing.T) {
	content := `{"question": "q", "answer": "12"}`
	tests := []struct {
		extractor, response, want string
	}{
		{"number", `\boxed{12} and 13`, "12"},
		{"number", "12 then 13", "13"},
		{"math", "12 then 13", ""},
		{"math", `\boxed{12.0}`, "12"},
		{"auto", "12 then 13", "13"},
	}
	for _, tt := range tests {
		b, err := New("jsonl", Config{Extractor: tt.extractor})
		if err != nil {
			t.Fatal(err)
		}
		items, err := b.Load(writeFile(t, "d.jsonl", content))
		if err != nil {
			t.Fatal(err)
		}
		if got := b.Extract(tt.response, items[0]); got != tt.want {
			t.Errorf("%s: Extract(%q) = %q; want %q", tt.extractor, tt.response, got, tt.want)
		}
	}
	letter, _ := New("jsonl", Config{Extractor: "letter"})
	if _, err := letter.Load(writeFile(t, "d.jsonl", content)); err == nil {
		t.Error("letter extractor with answer 12 and no choices: want an error")
	}
}

func TestJSONLErrors(t *testing.T) {
	tests := []struct{ content, want string }{
		{"{\"question\": \"q\", \"answer\": \"1\"}\n\n{bad json}\n", ".jsonl:3: invalid JSON"},
		{"{\"question\": \"q\"}\n", ".jsonl:1: want"},
		{"{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}\n{\"id\": \"a\", \"question\": \"r\", \"answer\": \"2\"}", `.jsonl:2: duplicate id "a"`},
		{"{\"question\": \"q\", \"answer\": \"C\", \"choices\": [\"x\", \"y\"]}", ".jsonl:1: \"answer\""},
		{"{\"question\": \"q\", \"answer\": \"\\\\$\"}", ".jsonl:1: \"answer\""},
		{"{\"question\": \"q\", \"answer\": \"1\", \"id\": [1]}", ".jsonl:1: \"id\""},
	}
	b, _ := New("jsonl", Config{})
	for _, tt := range tests {
		path := writeFile(t, "d.jsonl", tt.content)
		if _, err := b.Load(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) error = %v; want it to contain %q", tt.content, err, tt.want)
		}
	}
}
