package main

import (
	"errors"

	"github.com/slmmux/slmmux/engine/mux"
)

const tieBreakUsage = "ties between equally confident models: val (validation accuracy), agreement (label-free, from the run) or order (default: val with --val-acc/--val-run, else agreement)"

// resolveTie checks --tie-break against what was given (mux.NewTieRule).
// acc are the validation accuracies (nil: none given); ds, when not nil,
// is the run to estimate agreement from.
func resolveTie(name string, acc map[string]float64, ds *mux.Dataset) (mux.TieRule, error) {
	t, err := mux.NewTieRule(name, acc, ds)
	return t, tieErr(err, "validation accuracies: give --val-acc a=0.71,b=0.64 or --val-run DIR (or use --tie-break agreement, which needs no labels)", "")
}

// tieErr words mux.ResolveTie's error: val says what gives validation
// accuracies, agreement what follows --agreement-run DIR.
func tieErr(err error, val, agreement string) error {
	var ne *mux.TieNeedsError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &ne):
		return usagef("--tie-break: %w", err)
	case ne.Rule == mux.TieVal:
		return usagef("--tie-break val needs %s", val)
	}
	return usagef("--tie-break agreement needs a run to estimate it from: give --agreement-run DIR%s", agreement)
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
