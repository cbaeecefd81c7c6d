package main

import (
	"fmt"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/mux"
)

const tieBreakUsage = "ties between equally confident models: val (validation accuracy), agreement (label-free, from the run) or order (default: val with --val-acc/--val-run, else agreement)"

// tieRule is a resolved --tie-break: the rule and what it needs.
type tieRule struct {
	Rule      mux.TieBreak
	ValAcc    map[string]float64 // Rule val
	Agreement *mux.Agreement     // Rule agreement
}

// resolveTie checks --tie-break against what was given. acc are the
// validation accuracies (nil: none given); ds, when not nil, is the run to
// estimate agreement from (over its models, leave-one-out per item).
func resolveTie(name string, acc map[string]float64, ds *mux.Dataset) (tieRule, error) {
	t, err := mux.ParseTieBreak(name)
	if err != nil {
		return tieRule{}, usagef("--tie-break: %w", err)
	}
	if t == "" {
		t = mux.DefaultTieBreak(len(acc) > 0, ds != nil)
	}
	switch t {
	case mux.TieVal:
		if len(acc) == 0 {
			return tieRule{}, usagef("--tie-break val needs validation accuracies: give --val-acc a=0.71,b=0.64 or --val-run DIR (or use --tie-break agreement, which needs no labels)")
		}
		return tieRule{Rule: t, ValAcc: acc}, nil
	case mux.TieAgreement:
		if ds == nil {
			return tieRule{}, usagef("--tie-break agreement needs a run to estimate it from: give --agreement-run DIR")
		}
		return tieRule{Rule: t, Agreement: mux.NewAgreement(ds)}, nil
	}
	return tieRule{Rule: mux.TieOrder}, nil
}

// sim fills cfg's tie-break settings.
func (t tieRule) sim(cfg mux.SimConfig) mux.SimConfig {
	cfg.ValAcc, cfg.Agreement = t.ValAcc, t.Agreement
	return cfg
}

// tieNote says which rule broke ties, for text output.
func tieNote(t mux.TieBreak) string {
	switch t {
	case mux.TieVal:
		return "tie-break: val (ties between models went to the higher validation accuracy, then model order)"
	case mux.TieAgreement:
		return "tie-break: agreement (ties went to the model that agrees more often with the others on the other items, leave-one-out, no labels; then model order)"
	}
	return "tie-break: order (ties between models went to model order; give validation accuracies, or use --tie-break agreement)"
}

// agreementScores is, for a live question (ask, serve), each model's
// agreement estimate over every item of the run in dir, the models' pool.
func agreementScores(flag, dir string, models []string) (map[string]float64, error) {
	r, err := engine.LoadRun(dir, models)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, dir, err)
	}
	return mux.NewAgreement(r.Dataset).Reliability(), nil
}
