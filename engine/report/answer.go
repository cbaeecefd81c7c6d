package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// AnswerText is one question's SLM-MUX answer as ask's text output shows
// it: the answer and its model, the winning reply, then each model's
// line.
type AnswerText struct {
	Answer, Model string // Model "" when no model answered
	Confidence    float64
	Kind, Measure string
	Reply         string
	Rows          []AnswerRow
	Wall          time.Duration
}

// AnswerRow is one model's line of an AnswerText.
type AnswerRow struct {
	Model, Answer string
	Error         string // the model failed
	Votes         int
	Samples       int
	Confidence    float64
	Answers       []string // each sample's answer ("" for none)
	// Medoid is the sample that is the model's answer on a code or text
	// question (nil for short answers).
	Medoid *int
}

// WriteAnswer writes a: the answer, its model, kind and reply, the
// models' table and the wall time.
func WriteAnswer(w io.Writer, a AnswerText) error {
	if a.Model == "" {
		fmt.Fprintln(w, "no model gave a parsable answer")
	} else {
		fmt.Fprintf(w, "answer: %s\nfrom:   %s (confidence %.2f)\nkind:   %s\n\n%s\n\n", firstLine(a.Answer), a.Model, a.Confidence,
			strings.TrimSpace(a.Kind+" "+a.Measure), strings.TrimSpace(a.Reply))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tANSWER\tVOTES\tCONFIDENCE\tSAMPLES")
	for _, m := range a.Rows {
		if m.Error != "" {
			fmt.Fprintf(tw, "%s\t(failed: %s)\t\t\t\n", m.Model, m.Error)
			continue
		}
		samples := strings.Join(quoteAll(m.Answers), " ")
		if m.Medoid != nil {
			samples = fmt.Sprintf("(medoid: sample %d)", *m.Medoid)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%.2f\t%s\n", m.Model, cmp.Or(firstLine(m.Answer), "-"), m.Votes, m.Samples, m.Confidence, samples)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%.1fs\n", a.Wall.Seconds())
	return err
}

// firstLine is s's first line, with " …" when more follows.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// quoteAll is ss with each empty answer shown as ∅.
func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = cmp.Or(s, "∅")
	}
	return out
}
