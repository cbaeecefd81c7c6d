package search

import (
	"fmt"
	"testing"
)

func TestParseSampleCounts(t *testing.T) {
	for in, want := range map[string]string{
		"": "[]", "3": "[3]", " 2..4 ": "[2 3 4]", "1,3,5": "[1 3 5]",
		"0": "error", "4..2": "error", "1..9": "error", "a": "error", "1,,2": "error", "1,2,3,4,5,6,7,8,9": "error",
	} {
		got, err := ParseSampleCounts(in, 8)
		s := fmt.Sprint(got)
		if err != nil {
			s = "error"
		}
		if s != want {
			t.Errorf("%q: %s, want %s", in, s, want)
		}
	}
}
