package discuss

import (
	"strings"
	"testing"
)

func TestApproves(t *testing.T) {
	for reply, want := range map[string]bool{
		"The steps are right.\nAPPROVE":            true,
		"I would reject this... no wait, Approve.": true,
		"Looks correct at first, but REJECT.":      false,
		"The answer is incorrect":                  false,
		"12 + 5 = 17":                              false, // no decision: nothing approved
		"":                                         false,
		"approved":                                 true,
		"Verdict: True":                            true,
		"no":                                       false,
	} {
		if got := Approves(reply); got != want {
			t.Errorf("Approves(%q) = %v", reply, got)
		}
	}
}

func TestMajorityAndMostApproved(t *testing.T) {
	if got := Majority([]string{"7", "4", "4"}); got != 1 {
		t.Errorf("majority index %d, want 1 (4's first holder)", got)
	}
	if got := Majority([]string{"", "5", "6"}); got != 1 {
		t.Errorf("a tie goes to the earlier answer: %d", got)
	}
	if got := Majority([]string{"", ""}); got != -1 {
		t.Errorf("all empty: %d", got)
	}
	if got := MostApproved([]int{0, 3, 3}); got != 1 {
		t.Errorf("most approved %d, want 1", got)
	}
}

func TestConfig(t *testing.T) {
	ms := []string{"a", "b"}
	c := Config{Method: MoA}.WithDefaults(ms)
	if c.Layers != 2 || c.Aggregator != "a" || c.Rounds != 0 || c.Aspects != nil {
		t.Errorf("moa defaults %+v", c)
	}
	if err := (Config{Method: MoA, Aggregator: "z"}).WithDefaults(ms).Validate(ms); err == nil || !strings.Contains(err.Error(), "aggregator") {
		t.Errorf("an aggregator outside the models: %v", err)
	}
	if err := (Config{Method: Debate}).WithDefaults(ms[:1]).Validate(ms[:1]); err == nil {
		t.Error("a debate of one model must be refused")
	}
	if _, _, err := Parse("vote"); err == nil {
		t.Error("unknown method accepted")
	}
	if m, withMux, err := Parse("Debate+mux"); err != nil || m != Debate || !withMux || (Config{Method: m, Mux: withMux}).Name() != "debate+mux" {
		t.Errorf("debate+mux: %v %v %v", m, withMux, err)
	}
	p := DebateTurn(Prompt{User: "What is 2+2?"}, 2, "4", []string{"5"})
	if !strings.Contains(p.User, "What is 2+2?") || !strings.Contains(p.User, "```\n5\n```") || !strings.Contains(p.User, debateAsk) {
		t.Errorf("debate turn: %q", p.User)
	}
	if len((Config{Method: MAV}).WithDefaults(ms).Templates()) != 3 {
		t.Error("mav records one verifier prompt per aspect")
	}
}
