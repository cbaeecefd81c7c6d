package benchmark

import "testing"

func TestLetterExtract(t *testing.T) {
	xy := []string{"X 1", "Y 2"}
	tests := []struct {
		in      string
		choices []string
		want    string
	}{
		{"Let me answer carefully. ##Answer: B##", nil, "B"},
		{"To answer this, consider each option. ##Answer: B##", nil, "B"},
		{"##Answer: A## ... wait, ##Answer: C##", nil, "C"},
		{"## answer : (d) ##", nil, "D"},
		{"## C ##", nil, "C"},
		{"##Answer: B", nil, "B"},
		{"##Answer: **B**##", nil, "B"},
		{"The answer is B", nil, "B"},
		{"The correct answer is B, not A.", nil, "B"},
		{"**Answer:** (C)", nil, "C"},
		{"Answer: The correct choice is B", nil, "B"},
		{"The final answer is $\\boxed{D}$.", nil, "D"},
		{"the answer is option A.", nil, "A"},
		{"Final Answer: (C)", nil, "C"},
		{"ANSWER:d\n", nil, "D"},
		{"I think\nD\n", nil, "D"},
		{"I think\n**c**\nmore text", nil, "C"},
		{"options (A) and (B) ... so (C)", nil, "C"},
		{"It is C", nil, "C"},
		{"Looking at the answer choices, I pick D", nil, "D"},
		{"Bromine and Carbon", nil, ""},
		{"Vitamin B-12 and DNA", nil, ""},
		{"nothing", nil, ""},
		{"answer: E", nil, ""},
		{"answer is a bit unclear", nil, ""},
		{"Answer: a detailed look. So (C)", nil, "C"},
		{"Answer: A", xy, ""},
		{"Answer: Y", xy, "Y"},
		{"##Answer: X##", xy, "X"},
	}
	for _, tt := range tests {
		if got := (gpqaBench{}).Extract(tt.in, Item{Choices: tt.choices}); got != tt.want {
			t.Errorf("Extract(%q, %q) = %q; want %q", tt.in, tt.choices, got, tt.want)
		}
	}
}

func TestLetterCorrect(t *testing.T) {
	tests := []struct {
		answer, ref string
		want        bool
	}{
		{"B", "B", true}, {"b", "B", true}, {" B ", "B", true}, {"C", "B", false}, {"", "", false},
	}
	for _, tt := range tests {
		if got := (gpqaBench{}).Correct(tt.answer, Item{Reference: tt.ref}); got != tt.want {
			t.Errorf("Correct(%q, %q) = %v; want %v", tt.answer, tt.ref, got, tt.want)
		}
	}
}

func TestLetterReference(t *testing.T) {
	choices := []string{"A red", "B) green", "C. blue"}
	tests := []struct{ in, want string }{
		{"B", "B"}, {"b", "B"}, {"(C)", "C"}, {"A.", "A"}, {"green", "B"}, {"C. blue", "C"}, {"red", "A"},
	}
	for _, tt := range tests {
		if got, err := letterReference(tt.in, choices); err != nil || got != tt.want {
			t.Errorf("letterReference(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"D", "purple", ""} {
		if got, err := letterReference(in, choices); err == nil {
			t.Errorf("letterReference(%q) = %q; want an error", in, got)
		}
	}
}
