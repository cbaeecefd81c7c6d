package report

import (
	"strings"
	"testing"
	"time"

	"github.com/slmmux/slmmux/models"
)

func TestWriteAnswer(t *testing.T) {
	medoid := 1
	var b strings.Builder
	err := WriteAnswer(&b, AnswerText{Answer: "42\nmore", Model: "a", Confidence: 0.67, Kind: "short", Reply: " the answer is 42 ", Wall: 1500 * time.Millisecond,
		Rows: []AnswerRow{
			{Model: "a", Answer: "42", Votes: 2, Samples: 3, Confidence: 0.67, Answers: []string{"42", "", "42"}},
			{Model: "b", Error: "boom"},
			{Model: "c", Answer: "", Votes: 0, Samples: 3, Answers: []string{"x", "y", "z"}, Medoid: &medoid},
		}})
	want := `answer: 42 …
from:   a (confidence 0.67)
kind:   short

the answer is 42

MODEL  ANSWER          VOTES  CONFIDENCE  SAMPLES
a      42              2/3    0.67        42 ∅ 42
b      (failed: boom)                     
c      -               0/3    0.00        (medoid: sample 1)

1.5s
`
	if err != nil || b.String() != want {
		t.Errorf("WriteAnswer = %v\n%s\nwant\n%s", err, b.String(), want)
	}
	b.Reset()
	if err := WriteAnswer(&b, AnswerText{}); err != nil || !strings.HasPrefix(b.String(), "no model gave a parsable answer\nMODEL") {
		t.Errorf("no answer: %v\n%s", err, b.String())
	}
}

func TestModelsTable(t *testing.T) {
	local := models.Info{Name: "a", SizeBytes: 1 << 30, Family: "llama", ParameterSize: "1B", Quantization: "Q4_K_M", Capabilities: []string{"completion"}}
	if tb := ModelsTable([]models.Info{local}); len(tb.Head) != 5 || len(tb.Rows) != 1 || len(tb.Rows[0]) != 5 {
		t.Errorf("no note: %+v", tb)
	}
	cloud := models.Info{Name: "c", Remote: true, RemoteHost: "ollama.com", Capabilities: []string{"completion"}}
	embed := models.Info{Name: "e", Capabilities: []string{"embedding"}}
	tb := ModelsTable([]models.Info{local, cloud, embed})
	if tb.Head[5] != "NOTE" || tb.Rows[0][5] != "" || !strings.HasPrefix(tb.Rows[1][5], "cloud (ollama.com)") || !strings.HasPrefix(tb.Rows[2][5], "no text generation (embedding)") {
		t.Errorf("notes: %+v", tb)
	}
}
