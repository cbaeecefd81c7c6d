package benchmark

import "testing"

func TestExtractGeneral(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"bare number", "12", "12"},
		{"number with period", "12.", "12"},
		{"demo reply", "85-73=12", "12"},
		{"boxed wins", "I think 5. So \\boxed{\\frac12}", `\frac{1}{2}`},
		{"answer phrase", "Let me see. The answer is 42. Great", "42"},
		{"answer colon word", "Answer: Paris.", "paris"},
		{"final number of last line", "Step 1: 3+4=7\nStep 2: 7*2=14", "14"},
		{"commas", "The total is 1,000", "1000"},
		{"short word line", "Thinking...\n  Blue!", "blue"},
		{"long prose has no answer", "I am not sure what you mean by that question at all, sorry friend", ""},
		{"empty", "", ""},
		{"dollar math phrase", "the answer is $x^2$", "x^2"},
		{"answer is colon", "The answer is: 51", "51"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := extractGeneral(tc.in); got != tc.want {
				t.Errorf("extractGeneral(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestGeneralBenchmark(t *testing.T) {
	b, err := New("jsonl", Config{Extractor: "general"})
	if err != nil {
		t.Fatal(err)
	}
	it := Item{ID: "q", Question: "What is 85-73?", Reference: "12"}
	if p := b.Prompt(it); p.User != it.Question || p.System != "" {
		t.Errorf("prompt %+v: want the bare question", p)
	}
	a := b.Extract("It is 12.", it)
	if a != "12" || !b.Correct(a, it) || b.Correct("13", it) {
		t.Errorf("extract %q, correct %v", a, b.Correct(a, it))
	}
}
