package runstore

import "path/filepath"

// DiscussFile holds every reply of the discussion methods (moa, debate,
// mav) a run holds, one line per turn, and one "final" line per method and
// item with the method's answer and whether it is correct, so a run
// resumes mid-round without redoing a generation and tables never grade
// twice.
const DiscussFile = "discuss.jsonl"

// Turn is one line of discuss.jsonl.
type Turn struct {
	Method string `json:"method"`
	Item   string `json:"item"`
	// Round is 1-based: a debate's round, an MoA layer (the aggregator's
	// is the last), MAV's candidates (1) and verifiers (2).
	Round int `json:"round"`
	// Role is "agent", "aggregator", "candidate", "verify:ASPECT:N" (N the
	// candidate verified) or "final".
	Role string `json:"role"`
	// Agent is the agent's index among the method's agents (0 on final
	// lines).
	Agent int `json:"agent"`
	// Model made the reply (final: the model whose reply won; "" when none
	// did).
	Model    string `json:"model,omitempty"`
	Response string `json:"response"`
	Answer   string `json:"answer,omitempty"`
	// Correct is set on final lines: the method's answer under the run's
	// checker.
	Correct      bool `json:"correct,omitempty"`
	OutputTokens int  `json:"output_tokens,omitempty"`
	// DurationMS is the backend's time for a reply; on a final line, the
	// question's wall time in the call that finished it.
	DurationMS float64 `json:"duration_ms,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// TurnKey identifies a turn.
type TurnKey struct {
	Method, Item, Role string
	Round, Agent       int
}

// Key returns t's identity.
func (t Turn) Key() TurnKey { return TurnKey{t.Method, t.Item, t.Role, t.Round, t.Agent} }

// FinalKey is the key of a method's final line for an item.
func FinalKey(method, item string) TurnKey { return TurnKey{method, item, "final", 0, 0} }

// ReadTurns reads DIR/discuss.jsonl (none: nil).
func ReadTurns(dir string) ([]Turn, error) {
	var out []Turn
	err := readLog(filepath.Join(dir, DiscussFile), Turn.Key, func(t Turn) { out = append(out, t) })
	return out, err
}

// OpenTurns opens DIR/discuss.jsonl for appending.
func OpenTurns(dir string) (*Log[TurnKey, Turn], error) {
	return OpenLog(filepath.Join(dir, DiscussFile), Turn.Key)
}
