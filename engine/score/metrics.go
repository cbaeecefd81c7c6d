package score

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/ifeval"
)

// Metrics are one model's scores.
type Metrics struct {
	Model     string `json:"model"`
	Responses int    `json:"responses"` // graded (matched) responses
	Items     int    `json:"items"`     // items they answer
	// PassAt is pass@k per k ("1", "5", "10" where every item has at least
	// k responses), the unbiased estimator averaged over items (code).
	PassAt map[string]float64 `json:"pass_at,omitempty"`
	// IFEval's four accuracies (text): the share of prompts whose every
	// instruction is followed, and of instructions followed, strict and
	// loose (the authors' eight response variants).
	PromptStrict      *float64 `json:"prompt_level_strict,omitempty"`
	InstructionStrict *float64 `json:"instruction_level_strict,omitempty"`
	PromptLoose       *float64 `json:"prompt_level_loose,omitempty"`
	InstructionLoose  *float64 `json:"instruction_level_loose,omitempty"`
	// Passed is the share of responses whose verdict passed.
	Passed float64 `json:"passed"`
}

// Compute gives each model's metrics over its matched records, in order of
// first appearance. Code gets pass@k; text whose verdicts carry IFEval's
// strict and loose outputs gets IFEval's four accuracies.
func Compute(kind answer.Kind, recs []Record) []Metrics {
	var out []Metrics
	for _, m := range Models(recs) {
		out = append(out, compute(kind, m, recs))
	}
	return out
}

func compute(kind answer.Kind, model string, recs []Record) Metrics {
	mt := Metrics{Model: model}
	type tally struct{ n, c int }
	per := map[string]*tally{}
	var order []string
	var ps, pl, is, il, it, passed float64
	text := false
	for _, r := range recs {
		if r.Model != model || r.Err != "" {
			continue
		}
		mt.Responses++
		t := per[r.Item]
		if t == nil {
			t = &tally{}
			per[r.Item] = t
			order = append(order, r.Item)
		}
		t.n++
		if r.Verdict.Pass {
			t.c++
			passed++
		}
		// IFEval's grader's detail, built in-process (records are graded
		// here, never read back).
		if d, ok := r.Verdict.Detail.(ifeval.Result); ok && kind == answer.Text {
			text = true
			ps += b2f(d.Strict.FollowAll)
			pl += b2f(d.Loose.FollowAll)
			for i := range d.Strict.FollowList {
				it++
				is += b2f(d.Strict.FollowList[i])
				if i < len(d.Loose.FollowList) {
					il += b2f(d.Loose.FollowList[i])
				}
			}
		}
	}
	mt.Items = len(order)
	if mt.Responses == 0 {
		return mt
	}
	mt.Passed = passed / float64(mt.Responses)
	if kind == answer.Code {
		minN := -1
		for _, t := range per {
			if minN < 0 || t.n < minN {
				minN = t.n
			}
		}
		mt.PassAt = map[string]float64{}
		for _, k := range []int{1, 5, 10, 100} {
			if k > minN {
				break
			}
			sum := 0.0
			for _, id := range order {
				sum += PassAtK(per[id].n, per[id].c, k)
			}
			mt.PassAt[strconv.Itoa(k)] = sum / float64(len(order))
		}
	}
	if text {
		n := float64(mt.Responses)
		mt.PromptStrict, mt.PromptLoose = ptr(ps/n), ptr(pl/n)
		if it > 0 {
			mt.InstructionStrict, mt.InstructionLoose = ptr(is/it), ptr(il/it)
		}
	}
	return mt
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func ptr(f float64) *float64 { return &f }

// Report is `score --json`: the metrics per model, then one record per
// response (Record.JSON).
type Report struct {
	Metrics []Metrics        `json:"metrics"`
	Records []map[string]any `json:"records"`
}

// NewReport is the metrics ms and the records of bench's responses as
// `score --json` prints them, each item named as bench's own files name
// it (IDField).
func NewReport(bench string, ms []Metrics, recs []Record) Report {
	out := Report{Metrics: ms}
	for _, r := range recs {
		out.Records = append(out.Records, r.JSON(IDField(bench)))
	}
	return out
}

// IDField is how a benchmark's own files name an item: key (IFEval),
// task_id (HumanEval, MBPP), else id.
func IDField(bench string) string {
	switch bench {
	case "ifeval":
		return "key"
	case "humaneval", "mbpp":
		return "task_id"
	}
	return "id"
}

// JSON is a record as `score --json` prints it: the item's id under
// idField (key for IFEval, task_id for HumanEval and MBPP; a number where
// the data file's is), the model, pass and the failure's reason, and the
// verdict's detail fields (IFEval: strict, loose); an unmatched response
// has its line and an error instead.
func (r Record) JSON(idField string) map[string]any {
	if r.Err != "" {
		return map[string]any{"line": r.Line, "model": r.Model, "error": r.Err}
	}
	out := map[string]any{"model": r.Model, "pass": r.Verdict.Pass}
	if r.Missing {
		out["missing"] = true
	}
	if n, err := strconv.Atoi(r.Item); err == nil {
		out[idField] = n
	} else {
		out[idField] = r.Item
	}
	if r.Verdict.Reason != "" {
		out["reason"] = r.Verdict.Reason
	}
	if r.Verdict.Detail != nil {
		var d map[string]any
		if b, err := json.Marshal(r.Verdict.Detail); err == nil && json.Unmarshal(b, &d) == nil {
			for k, v := range d {
				if _, taken := out[k]; !taken {
					out[k] = v
				}
			}
		}
	}
	return out
}

// String is a one-line summary of m for people.
func (m Metrics) String() string {
	s := fmt.Sprintf("%s: %d responses over %d items", m.Model, m.Responses, m.Items)
	for _, k := range []string{"1", "5", "10", "100"} {
		if v, ok := m.PassAt[k]; ok {
			s += fmt.Sprintf(", pass@%s %.2f %%", k, 100*v)
		}
	}
	if m.PromptStrict != nil {
		s += fmt.Sprintf(", prompt-level strict %.2f %%, instruction-level strict %.2f %%, prompt-level loose %.2f %%, instruction-level loose %.2f %%",
			100**m.PromptStrict, 100*deref(m.InstructionStrict), 100**m.PromptLoose, 100*deref(m.InstructionLoose))
	}
	if m.PassAt == nil && m.PromptStrict == nil {
		s += fmt.Sprintf(", passed %.2f %%", 100*m.Passed)
	}
	return s
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
