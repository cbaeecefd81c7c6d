package search

import "strconv"

// View is the `search --json` object (docs/formats.md): the search's
// settings and best subset per size, the ranked subsets, and the other
// objectives' picks.
type View struct {
	ResultView
	Models       []string     `json:"models"`
	KMin         int          `json:"k_min"`
	KMax         int          `json:"k_max"`
	Items        int          `json:"items"`
	HeldOutItems int          `json:"heldout_items"`
	Evaluated    int          `json:"evaluated"`
	Ranked       []Subset     `json:"ranked"`
	Compare      []ResultView `json:"compare"`
	TieBreak     string       `json:"tie_break"` // the SLM-MUX tie-break behind mux accuracies
}

// ResultView is one objective's settings and best subset per size, keyed
// by the size.
type ResultView struct {
	Objective   string            `json:"objective"`
	Lambda      float64           `json:"lambda"`
	RobustLevel int               `json:"robust_level"`
	BestByK     map[string]Subset `json:"best_by_k"`
}

func (r *Result) resultView() ResultView {
	out := ResultView{Objective: string(r.Objective), Lambda: r.Lambda, RobustLevel: r.RobustLevel,
		BestByK: map[string]Subset{}}
	for _, b := range r.BestByK {
		out.BestByK[strconv.Itoa(len(b.Models))] = b
	}
	return out
}

// NewView is res with the other objectives' results (SearchAndCompare)
// as search --json shows them; tieBreak names the SLM-MUX tie-break rule.
func NewView(res *Result, compare []*Result, tieBreak string) View {
	out := View{ResultView: res.resultView(), Models: res.Models, KMin: res.KMin, KMax: res.KMax,
		Items: res.Items, HeldOutItems: res.HeldOut, Evaluated: res.Evaluated, Ranked: res.Ranked, TieBreak: tieBreak}
	if out.Ranked == nil {
		out.Ranked = []Subset{}
	}
	for _, c := range compare {
		out.Compare = append(out.Compare, c.resultView())
	}
	return out
}
