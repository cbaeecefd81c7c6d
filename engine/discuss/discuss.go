// Package discuss holds the discussion methods the SLM-MUX paper compares
// itself with (Table 1): LLM-Debate (Du et al. 2023), Mixture-of-Agents
// (Wang et al. 2024) and Multi-Agent Verification (Lifshitz et al. 2025):
// their settings, their prompts and how each reaches its final answer. It
// is pure; engine runs the rounds against the models and stores every
// reply. The SLM-MUX paper does not state the settings it used (spec
// section 8); the defaults here are its suggested ones, and every run
// records what it used.
//
// Prompts are written for this project after the methods' descriptions
// and reference code, not copied: where the originals hold a multi-turn
// chat (Debate keeps each agent's own history), a turn here is one system
// plus one user message that carries what the chat would have held.
package discuss

import (
	"fmt"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine/mux"
)

// Method is a discussion method.
type Method string

const (
	// Debate is LLM-Debate: one agent per model answers; in each later
	// round every agent sees the others' latest replies and answers again;
	// the final answer is the majority of the last round's answers (ties:
	// the earlier agent).
	Debate Method = "debate"
	// MoA is Mixture-of-Agents: layer 1's proposers (one per model) answer;
	// each later layer's agents answer again with the previous layer's
	// replies to synthesize; one aggregator synthesizes the last layer into
	// the final reply.
	MoA Method = "moa"
	// MAV is Multi-Agent Verification (BoN-MAV): each model proposes
	// candidates; aspect verifiers (every model x every aspect) approve or
	// reject each; the candidate with the most approvals wins (ties: the
	// earlier candidate).
	MAV Method = "mav"
)

// Methods lists the methods in the order tables show them.
func Methods() []Method { return []Method{MoA, Debate, MAV} }

// MethodError is an unknown method name.
type MethodError struct{ Name string }

func (e *MethodError) Error() string {
	return fmt.Sprintf("unknown method %q (valid: slm-mux, moa, debate, mav, and moa+mux, debate+mux, mav+mux)", e.Name)
}

// Parse reads a method name: moa, debate or mav, each optionally with
// "+mux" (the composition with SLM-MUX: Config.Mux).
func Parse(s string) (m Method, withMux bool, err error) {
	name := strings.ToLower(strings.TrimSpace(s))
	name, withMux = strings.CutSuffix(name, "+mux")
	if m := Method(name); slices.Contains(Methods(), m) {
		return m, withMux, nil
	}
	return "", false, &MethodError{Name: s}
}

// Name is the method's name in tables and files: "moa", or "moa+mux" for
// the composition with SLM-MUX.
func (c Config) Name() string {
	if c.Mux {
		return string(c.Method) + "+mux"
	}
	return string(c.Method)
}

// Config is a discussion's settings; run.json records them.
type Config struct {
	Method Method `json:"method"`
	// Mux composes the method with SLM-MUX (the paper's "w/ SLM-MUX"): the
	// first round's replies are not generated but taken from the run's
	// SLM-MUX samples, each model's reply that gives its most frequent
	// answer, so SLM-MUX's selection feeds the discussion.
	Mux bool `json:"mux,omitempty"`
	// Rounds is Debate's rounds (default 2, Du et al.'s common setting).
	Rounds int `json:"rounds,omitempty"`
	// Layers is MoA's proposer layers before the aggregator (default 2).
	Layers int `json:"layers,omitempty"`
	// Aggregator is MoA's aggregating model (default: the first model, the
	// caller's best by validation accuracy where it knows them).
	Aggregator string `json:"aggregator,omitempty"`
	// Candidates is MAV's candidates per model (default 1).
	Candidates int `json:"candidates,omitempty"`
	// Aspects are MAV's verification aspects (default DefaultAspects).
	Aspects []string `json:"aspects,omitempty"`
}

// DefaultAspects are MAV's aspects: what each verifier prompt checks.
var DefaultAspects = []string{"math", "logic", "answer"}

// WithDefaults fills unset settings; models are the discussion's models.
func (c Config) WithDefaults(models []string) Config {
	if c.Rounds <= 0 {
		c.Rounds = 2
	}
	if c.Layers <= 0 {
		c.Layers = 2
	}
	if c.Aggregator == "" && len(models) > 0 {
		c.Aggregator = models[0]
	}
	if c.Candidates <= 0 {
		c.Candidates = 1
	}
	if len(c.Aspects) == 0 {
		c.Aspects = DefaultAspects
	}
	switch c.Method {
	case Debate:
		c.Layers, c.Aggregator, c.Candidates, c.Aspects = 0, "", 0, nil
	case MoA:
		c.Rounds, c.Candidates, c.Aspects = 0, 0, nil
	case MAV:
		c.Rounds, c.Layers, c.Aggregator = 0, 0, ""
	}
	return c
}

// Validate checks c against the models.
func (c Config) Validate(models []string) error {
	if _, _, err := Parse(string(c.Method)); err != nil {
		return err
	}
	if c.Mux && c.Method == MAV && c.Candidates > 1 {
		return fmt.Errorf("mav+mux takes each model's one SLM-MUX reply as its candidate: candidates must be 1")
	}
	if len(models) < 2 {
		return fmt.Errorf("%s needs at least two models (got %d)", c.Method, len(models))
	}
	if c.Method == MoA && !slices.Contains(models, c.Aggregator) {
		return fmt.Errorf("moa: the aggregator %q is not one of the models (%s)", c.Aggregator, strings.Join(models, ", "))
	}
	for _, a := range c.Aspects {
		if _, ok := aspectPrompts[a]; !ok {
			return fmt.Errorf("mav: unknown aspect %q (valid: %s)", a, strings.Join(DefaultAspects, ", "))
		}
	}
	return nil
}

// Prompt is one turn's messages.
type Prompt struct{ System, User string }

// DebateTurn is an agent's prompt in round r (1-based) of a debate: the
// question alone in round 1; after it, the agent's own previous reply and
// the other agents' latest replies, to use as additional advice and
// re-examine, then the question again with its answer format.
func DebateTurn(q Prompt, r int, own string, others []string) Prompt {
	if r <= 1 {
		return q
	}
	var b strings.Builder
	b.WriteString("Your previous solution to the problem:\n```\n" + own + "\n```\n\n")
	b.WriteString("These are the solutions to the problem from other agents:")
	for _, o := range others {
		b.WriteString("\n\nOne agent solution:\n```\n" + o + "\n```")
	}
	b.WriteString("\n\n" + debateAsk + "\nThe original problem:\n\n" + q.User)
	return Prompt{System: q.System, User: b.String()}
}

// Synthesize is an MoA turn after layer 1, and the aggregator's: the
// question with the previous layer's replies in an instruction to weigh
// them critically (they may be biased or wrong) and write one refined,
// accurate reply, in the question's answer format.
func Synthesize(q Prompt, previous []string) Prompt {
	var b strings.Builder
	b.WriteString(synthesizeText + "\n\nResponses from models:")
	for i, p := range previous {
		fmt.Fprintf(&b, "\n\n%d. %s", i+1, p)
	}
	if q.System != "" {
		b.WriteString("\n\n" + q.System)
	}
	return Prompt{System: b.String(), User: q.User}
}

// The fixed texts of the prompts (Templates lists them for run.json).
const (
	debateAsk      = "Using the reasoning from the other agents as additional advice, examine your solution and theirs step by step and give an updated answer."
	synthesizeText = "You are given several responses from different models to the user's question below. " +
		"Combine them into one answer of high quality. Weigh every response critically: some may be biased " +
		"or wrong. Do not copy them; write one refined, accurate and complete reply, well structured, that " +
		"follows the question's instructions on the answer's format."
)

func verifierText(aspect string) string {
	return "You are a careful verifier. " + aspectPrompts[aspect] + " Think it through briefly, then end your reply with one word on its own line: APPROVE if the solution passes this check, REJECT if it does not."
}

// Templates are the fixed texts m's prompts add to the question, by part:
// what run.json records.
func (c Config) Templates() map[string]string {
	switch c.Method {
	case Debate:
		return map[string]string{"rounds after the first": debateAsk}
	case MoA:
		return map[string]string{"layers after the first, and the aggregator (system)": synthesizeText}
	case MAV:
		out := map[string]string{}
		for _, a := range c.Aspects {
			out["verifier "+a+" (system)"] = verifierText(a)
		}
		return out
	}
	return nil
}

// aspectPrompts say what each MAV aspect verifier checks.
var aspectPrompts = map[string]string{
	"math":   "Check every calculation in the proposed solution: each arithmetic and algebraic step must be correct.",
	"logic":  "Check the reasoning of the proposed solution: each step must follow from the problem and the steps before it, with no unjustified leap.",
	"answer": "Check the final answer of the proposed solution: it must answer exactly what the problem asks, in the form it asks for.",
}

// Verify is an MAV aspect verifier's prompt on one candidate: the problem,
// the candidate, what to check, and to end with APPROVE or REJECT.
func Verify(q Prompt, aspect, candidate string) Prompt {
	return Prompt{
		System: verifierText(aspect),
		User:   "Problem:\n" + q.User + "\n\nProposed solution:\n" + candidate,
	}
}

// Approves reads a verifier's reply: the last of the words approve,
// reject, true, false, yes, correct, incorrect decides; none found is a
// rejection (a verifier that cannot say approves nothing).
func Approves(reply string) bool {
	words := strings.FieldsFunc(strings.ToLower(reply), func(r rune) bool { return r < 'a' || r > 'z' })
	for i := len(words) - 1; i >= 0; i-- {
		switch words[i] {
		case "approve", "approved", "true", "yes", "correct":
			return true
		case "reject", "rejected", "false", "no", "incorrect":
			return false
		}
	}
	return false
}

// Majority returns the index of the most frequent non-empty answer's first
// holder (mux.Majority: the first seen on ties), -1 when all are empty.
func Majority(answers []string) int {
	if a := mux.Majority(answers); a != "" {
		return slices.Index(answers, a)
	}
	return -1
}

// MostApproved returns the index of the candidate with the most approvals,
// the earlier on ties; -1 when there are none.
func MostApproved(approvals []int) int {
	best := -1
	for i, n := range approvals {
		if best < 0 || n > approvals[best] {
			best = i
		}
	}
	return best
}
