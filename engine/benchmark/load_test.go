package benchmark

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"math500", "gsm8k", "gpqa", "jsonl", "ifeval", "humaneval", "mbpp"}) {
		t.Errorf("Names() = %v", got)
	}
	for _, name := range Names() {
		b, err := New(name, Config{})
		if err != nil || b.Name() != name {
			t.Errorf("New(%q) = %v, %v", name, b, err)
		}
	}
	_, err := New("mmlu", Config{})
	if err == nil || !strings.Contains(err.Error(), "math500, gsm8k, gpqa, jsonl, ifeval, humaneval, mbpp") {
		t.Errorf("New(unknown) error = %v; want one listing the valid names", err)
	}
	if _, err := New("gsm8k", Config{Extractor: "number"}); err == nil {
		t.Error("New(gsm8k) with an Extractor: want an error")
	}
	if _, err := New("jsonl", Config{Extractor: "regex"}); err == nil {
		t.Error("New(jsonl) with an unknown Extractor: want an error")
	}
	if _, err := New("math500", Config{PromptStyle: 7}); err == nil {
		t.Error("New with an invalid PromptStyle: want an error")
	}
	for in, want := range map[string]PromptStyle{"": Paper, "paper": Paper, "Official": Official} {
		if got, err := ParsePromptStyle(in); err != nil || got != want {
			t.Errorf("ParsePromptStyle(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParsePromptStyle("res"); err == nil {
		t.Error("ParsePromptStyle(res): want an error")
	}
}

// writeFile writes a test data file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	for _, name := range Names() {
		b, _ := New(name, Config{})
		_, err := b.Load(path)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: Load(missing) error = %v; want one naming the path (the command line adds the flag)", name, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ bench, content, want string }{
		{"math500", "[\n{\"problem\": \"p\", \"answer\": \"1\"},\n{\"problem\": \"p\"}\n]", ":3: item 1:"},
		{"math500", "[\n{\"problem\": \"p\",\n \"answer\": 1}}\n]", ":3: invalid JSON"},
		{"math500", `[{"problem": "p", "answer": "1", "unique_id": "a"}, {"problem": "q", "answer": "2", "unique_id": "a"}]`, "duplicate id"},
		{"math500", `{"problem": "p"}`, "want a JSON array"},
		{"math500", `[{"problem": "p", "answer": "1", "level": "hard"}]`, `"level"`},
		{"gsm8k", `[{"question": "q", "answer": "no final number"}]`, "item 0"},
		{"gpqa", `[{"question": "q", "choices": ["A x", "B y"], "answer": "C"}]`, "not a letter"},
		{"gpqa", `[{"question": "q", "choices": "['A x', 'B y'", "answer": "A"}]`, "python list literal"},
		{"gpqa", `[{"question": "q", "choices": 5, "answer": "A"}]`, `"choices"`},
		{"gpqa", "[\n", "truncated JSON"},
	}
	for _, tt := range tests {
		b, _ := New(tt.bench, Config{})
		path := writeFile(t, "data.json", tt.content)
		_, err := b.Load(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: Load(%q) error = %v; want one naming the file and containing %q", tt.bench, tt.content, err, tt.want)
		}
	}
}

func TestLoadSynthetic(t *testing.T) {
	math, _ := New("math500", Config{})
	items, err := math.Load(writeFile(t, "m.json", `{"data": [{"problem": "p", "answer": "\\dfrac12", "level": "Level 3", "subject": "Algebra"}]}`))
	want := []Item{{ID: "math500-0000", Question: "p", Reference: `\frac{1}{2}`, Subject: "Algebra", Level: 3}}
	if err != nil || !reflect.DeepEqual(items, want) {
		t.Errorf("math500 Load = %+v, %v; want %+v", items, err, want)
	}
	gsm, _ := New("gsm8k", Config{})
	items, err = gsm.Load(writeFile(t, "g.json", `[{"question": "q", "answer": "a\n#### 1,080"}, {"question": "r", "answer": 7}]`))
	want = []Item{{ID: "gsm8k-0000", Question: "q", Reference: "1080"}, {ID: "gsm8k-0001", Question: "r", Reference: "7"}}
	if err != nil || !reflect.DeepEqual(items, want) {
		t.Errorf("gsm8k Load = %+v, %v; want %+v", items, err, want)
	}
	gpqa, _ := New("gpqa", Config{})
	items, err = gpqa.Load(writeFile(t, "q.json", `[{"question": "q", "choices": "['A 10^-8 eV\\n', \"B it's\", 'C \\'q\\'', 'D x']", "answer": "b"}]`))
	want = []Item{{ID: "gpqa-0000", Question: "q", Reference: "B", Choices: []string{"A 10^-8 eV\n", "B it's", "C 'q'", "D x"}}}
	if err != nil || !reflect.DeepEqual(items, want) {
		t.Errorf("gpqa Load = %+v, %v; want %+v", items, err, want)
	}
}

func TestParsePyList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`['A 10^-8 eV\n', 'B 10^-11 eV']`, []string{"A 10^-8 eV\n", "B 10^-11 eV"}},
		{`["it's", 'say "hi"']`, []string{"it's", `say "hi"`}},
		{`[ 'a\tb\\c' , ]`, []string{"a\tb\\c"}},
		{`['\x41\u00e9\U0001F600\101\0']`, []string{"Aé😀A\x00"}},
		{`['unknown \d escape', r'raw \n \'q']`, []string{`unknown \d escape`, `raw \n \'q`}},
		{`['con' "cat", '''tri'ple''']`, []string{"concat", "tri'ple"}},
		{"['line\\\ncontinued']", []string{"linecontinued"}},
		{`[]`, []string{}},
	}
	for _, tt := range tests {
		got, err := parsePyList(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parsePyList(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{``, `[`, `['a'`, `['a' 'b`, `['a',, 'b']`, `['a'] x`, `[1]`, `['\x4']`, `['\N{DASH}']`, "['a\nb']"} {
		if got, err := parsePyList(in); err == nil {
			t.Errorf("parsePyList(%q) = %q; want an error", in, got)
		}
	}
}

func TestLoadErrorLines(t *testing.T) {
	b, _ := New("math500", Config{})
	tests := []struct{ content, want string }{
		{"[\n{\"problem\": \"p\",\n \"answer\": 1}}\n]", ".json:3: invalid JSON"},
		{"[]\nextra", ".json:2: unexpected data"},
		{"[\n\n{\"problem\": \"\", \"answer\": \"1\"}]", ".json:3: item 0: want"},
	}
	for _, tt := range tests {
		if _, err := b.Load(writeFile(t, "m.json", tt.content)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) error = %v; want it to contain %q", tt.content, err, tt.want)
		}
	}
}
