package engine

import (
	"strings"
	"testing"
)

func TestAnswerViewNotes(t *testing.T) {
	for _, c := range []struct {
		v    AnswerView
		want string
	}{
		{AnswerView{Signal: "consistency"}, ""},
		{AnswerView{Signal: "logprob"}, "confidence: logprob\n"},
		{AnswerView{Signal: "verbalized", FollowUps: 6}, "confidence: verbalized (6 extra generations to ask each model how sure it is)\n"},
		{AnswerView{Signal: "consistency", Adaptive: &AdaptiveCount{Generated: 4, Total: 9}},
			"adaptive sampling: 4 of 9 samples generated (the same answer and winner as all 9)\n"},
	} {
		var b strings.Builder
		c.v.WriteNotes(&b)
		if b.String() != c.want {
			t.Errorf("%+v: got %q, want %q", c.v, b.String(), c.want)
		}
	}
}
