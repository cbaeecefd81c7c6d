package engine

import (
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/runstore"
)

// MethodRow is one row of the comparison of methods over a run, in the
// shape of the SLM-MUX paper's Table 1: accuracy with its binomial
// standard error, and what the method cost in generations, output tokens
// and the backend's generation time (summed over requests, so requests in
// parallel count each).
type MethodRow struct {
	Method            string  `json:"method"`
	Accuracy          float64 `json:"accuracy"`
	Stderr            float64 `json:"stderr"`
	Items             int     `json:"items"`
	Generations       int     `json:"generations"`
	OutputTokens      int     `json:"output_tokens"`
	GenerationSeconds float64 `json:"generation_seconds"`
	// WallSeconds is the discussion methods' wall time, question by
	// question (0 for the rows replayed from samples: eval's results.json
	// has the collection's wall_seconds).
	WallSeconds float64 `json:"wall_seconds,omitempty"`
}

// Methods is the comparison table of the run: SLM-MUX (s, the replay of
// the run's models), each model alone and with self-consistency, Agent
// Forest, and each discussion method the run holds (discuss.jsonl). A
// model alone costs one sample per question (its mean cost); with
// self-consistency, SLM-MUX and Agent Forest, every sample stored.
func (r *Run) Methods(s Summary) ([]MethodRow, error) {
	type cost struct {
		n, tokens int
		ms        float64
	}
	per := map[string]*cost{}
	for _, m := range r.Dataset.Models {
		per[m] = &cost{}
	}
	all := &cost{}
	for _, smp := range r.Samples {
		c := per[smp.Model]
		if c == nil {
			continue
		}
		for _, x := range []*cost{c, all} {
			x.n++
			x.tokens += smp.OutputTokens
			x.ms += smp.DurationMS
		}
	}
	n := s.NItems
	row := func(name string, acc float64, c cost) MethodRow {
		return MethodRow{Method: name, Accuracy: acc, Stderr: mux.Stderr(acc, n), Items: n, Generations: c.n, OutputTokens: c.tokens, GenerationSeconds: c.ms / 1000}
	}
	rows := []MethodRow{row("SLM-MUX", s.Accuracy, *all)}
	rows[0].Stderr = s.Stderr
	for _, m := range r.Dataset.Models {
		c := *per[m]
		one := cost{}
		if c.n > 0 && n > 0 {
			one = cost{n: n, tokens: c.tokens * n / c.n, ms: c.ms * float64(n) / float64(c.n)}
		}
		rows = append(rows, row(m, s.Baselines.Single[m], one))
	}
	for _, m := range r.Dataset.Models {
		rows = append(rows, row(m+" +SC", s.Baselines.SingleSC[m], *per[m]))
	}
	rows = append(rows, row("Agent Forest", s.Baselines.AgentForest, *all))
	disc, err := DiscussionRows(r.Dir)
	return append(rows, disc...), err
}

// DiscussionRows are the rows of the discussion methods stored in the run
// folder dir, in the order discuss.Methods lists them; none without
// discuss.jsonl.
func DiscussionRows(dir string) ([]MethodRow, error) {
	turns, err := runstore.ReadTurns(dir)
	if err != nil {
		return nil, err
	}
	rows := map[string]*MethodRow{}
	for _, t := range turns {
		row := rows[t.Method]
		if row == nil {
			row = &MethodRow{Method: t.Method}
			rows[t.Method] = row
		}
		if t.Role == "final" {
			row.Items++
			row.WallSeconds += t.DurationMS / 1000
			if t.Correct {
				row.Accuracy++
			}
			continue
		}
		row.Generations++
		row.OutputTokens += t.OutputTokens
		row.GenerationSeconds += t.DurationMS / 1000
	}
	var out []MethodRow
	for _, m := range discuss.Methods() {
		for _, name := range []string{string(m), string(m) + "+mux"} {
			if row := rows[name]; row != nil && row.Items > 0 {
				row.Accuracy /= float64(row.Items)
				row.Stderr = mux.Stderr(row.Accuracy, row.Items)
				out = append(out, *row)
			}
		}
	}
	return out, nil
}

// DiscussionReport is DiscussionRows of the run as the report shows them.
func (r *Run) DiscussionReport() ([]report.DiscussionRow, error) {
	rows, err := DiscussionRows(r.Dir)
	return ReportRows(rows), err
}

// ReportRows are rows as the report and the text tables show them.
func ReportRows(rows []MethodRow) []report.DiscussionRow {
	out := make([]report.DiscussionRow, len(rows))
	for i, d := range rows {
		out[i] = report.DiscussionRow{Method: d.Method, Accuracy: d.Accuracy, Stderr: d.Stderr, Items: d.Items, Generations: d.Generations, Tokens: d.OutputTokens}
	}
	return out
}

// DemoView is `demo --json`: the demo's comparison (report.Demo) and the
// table of every method over its pool (PoolMethods).
type DemoView struct {
	*report.DemoResult
	Methods []MethodRow `json:"methods"`
}

// PoolMethods is the comparison table of the run over the models of
// pool: SLM-MUX replayed once over every stored sample (ties by valAcc,
// else model order) and the rows Methods gives, from the samples already
// in memory (Subset).
func (r *Run) PoolMethods(pool []string, valAcc map[string]float64) ([]MethodRow, error) {
	ds, err := r.Subset(pool)
	if err != nil {
		return nil, err
	}
	res, err := mux.Simulate(ds, mux.SimConfig{Trials: 1, ValAcc: valAcc})
	if err != nil {
		return nil, err
	}
	sub := *r
	sub.Dataset = ds
	return sub.Methods(NewSummary(res, pool, mux.Paper))
}
