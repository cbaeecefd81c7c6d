package benchmark

import "testing"

func TestGSM8KExtract(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#### 1,600", "1600"},
		{"The total is $1,000.", "1000"},
		{"so #### 42", "42"},
		{"#### 42\nlater #### 43", "43"},
		{"#### 42\nthen ####", "42"},
		{"####-7", "-7"},
		{"#### 5.0", "5"},
		{"#### 5.00", "5"},
		{"#### 3.50", "3.5"},
		{"#### 0.5", "0.5"},
		{"#### .5", "0.5"},
		{"#### -0", "0"},
		{"#### -0.0", "0"},
		{"#### 007", "7"},
		{"#### 000", "0"},
		{"#### $40", "40"},
		{"#### -$5", "-5"},
		{"#### 1,450,000", "1450000"},
		{"The answer is \\boxed{1,234} dollars, 5 each", "1234"},
		{"answer: 12 apples and 3 pears", "3"},
		{"no numbers", ""},
		{"1.2.3", "3"},
		{"5-3=2", "2"},
		{"ages 3-5", "5"},
		{"it is \u22127", "-7"},
		{"list 1,2,3", "3"},
		{"12,34", "34"},
	}
	for _, tt := range tests {
		if got := (gsmBench{}).Extract(tt.in, Item{}); got != tt.want {
			t.Errorf("Extract(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestGSM8KCorrect(t *testing.T) {
	ref := gsmReference("Kim raises 320+430=<<320+430=750>>750 dollars.\n#### 1,600")
	if ref != "1600" {
		t.Fatalf("gsmReference = %q; want 1600", ref)
	}
	tests := []struct {
		answer, ref string
		want        bool
	}{
		{"1600", ref, true},
		{"1,600", ref, true},
		{"1600.0", ref, true},
		{"160", ref, false},
		{"5", "5.0", true},
		{"0.5", ".5", true},
		{"", "", false},
		{"", "0", false},
		{"#### 1600", ref, false}, // answers are canonical numbers, not text
	}
	for _, tt := range tests {
		if got := (gsmBench{}).Correct(tt.answer, Item{Reference: tt.ref}); got != tt.want {
			t.Errorf("Correct(%q, ref %q) = %v; want %v", tt.answer, tt.ref, got, tt.want)
		}
	}
}
