package engine

import (
	"fmt"
	"io"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
)

// AnswerView is an Answer as `ask --json` writes it (docs/formats.md).
type AnswerView struct {
	Question   string        `json:"question"`
	Answer     string        `json:"answer"`
	Model      string        `json:"model"`
	Confidence float64       `json:"confidence"`
	TieBreak   string        `json:"tie_break"` // val, agreement or order
	Models     []ModelAnswer `json:"models"`
	WallMS     float64       `json:"wall_ms"`
	// Signal is the confidence signal; FollowUps the extra generations it
	// cost (verbalized: one per sample).
	Signal    string `json:"confidence_signal"`
	FollowUps int    `json:"follow_ups,omitempty"`
	// Adaptive, with adaptive sampling: the samples generated and those
	// full sampling would have.
	Adaptive *AdaptiveCount `json:"adaptive,omitempty"`
	// Kind is the question's answer kind, Measure how code and text
	// samples were compared, Reply the winning model's whole reply.
	Kind    string `json:"kind"`
	Measure string `json:"measure,omitempty"`
	Reply   string `json:"reply"`
}

// AdaptiveCount is what adaptive sampling generated of an Answer.
type AdaptiveCount struct {
	Generated int `json:"samples_generated"`
	Total     int `json:"samples_total"`
}

// AnswerViewConfig is what an AnswerView shows besides the Answer.
type AnswerViewConfig struct {
	Question string
	Tie      mux.TieBreak
	// Signal is the confidence signal (nil: consistency).
	Signal confidence.Signal
	// Samples is k; with Adaptive the view counts the samples generated.
	Samples  int
	Adaptive bool
	// Responses keeps each model's raw responses.
	Responses bool
}

// FollowUps sums the verbalized signal's extra generations.
func (ans Answer) FollowUps() int {
	n := 0
	for _, m := range ans.Models {
		n += m.FollowUps
	}
	return n
}

// View is ans as `ask --json` writes it.
func (ans Answer) View(cfg AnswerViewConfig) AnswerView {
	ms := append([]ModelAnswer(nil), ans.Models...)
	if !cfg.Responses {
		for i := range ms {
			ms[i].Responses = nil
		}
	}
	var ad *AdaptiveCount
	if cfg.Adaptive {
		ad = &AdaptiveCount{Total: len(ms) * cfg.Samples}
		for _, m := range ms {
			ad.Generated += m.Drawn
		}
	}
	return AnswerView{cfg.Question, ans.Answer, ans.Model, ans.Confidence, string(cfg.Tie), ms, float64(ans.Wall.Microseconds()) / 1000,
		string(confidence.MethodOf(cfg.Signal)), ans.FollowUps(), ad, string(ans.Kind), string(ans.Measure), ans.Reply}
}

// Text is ans as ask's text output shows it (report.WriteAnswer).
func (ans Answer) Text() report.AnswerText {
	out := report.AnswerText{Answer: ans.Answer, Model: ans.Model, Confidence: ans.Confidence, Kind: string(ans.Kind),
		Measure: string(ans.Measure), Reply: ans.Reply, Wall: ans.Wall}
	for _, m := range ans.Models {
		out.Rows = append(out.Rows, report.AnswerRow{Model: m.Model, Answer: m.Answer, Error: m.Error, Votes: m.Votes,
			Samples: m.Samples, Confidence: m.Confidence, Answers: m.Answers, Medoid: m.Medoid})
	}
	return out
}

// WriteNotes writes, after ask's text answer, the confidence signal when
// it is not consistency (with the extra generations it cost) and what
// adaptive sampling generated.
func (v AnswerView) WriteNotes(w io.Writer) {
	if v.Signal != string(confidence.Consistency) {
		fmt.Fprintf(w, "confidence: %s", v.Signal)
		if v.FollowUps > 0 {
			fmt.Fprintf(w, " (%d extra generations to ask each model how sure it is)", v.FollowUps)
		}
		fmt.Fprintln(w)
	}
	if ad := v.Adaptive; ad != nil {
		fmt.Fprintf(w, "adaptive sampling: %d of %d samples generated (the same answer and winner as all %d)\n", ad.Generated, ad.Total, ad.Total)
	}
}
