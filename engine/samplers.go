package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// SamplerComparison replays samplers over every stored sample of r's
// models (mux.CompareSamplers), CISC with each confidence signal the run
// may hold: logprob (the length-normalized response probability, exp of
// the mean token log-probability) and verbalized (the model's 0-100 rating
// read as [0, 1]; an unreadable rating counts as 0). A signal the run did
// not record gives CISC a row that says so.
func (r *Run) SamplerComparison(samplers []mux.Sampler, cfg mux.SimConfig) (mux.SamplerReport, error) {
	var signals []mux.SignalConfidences
	for _, m := range []confidence.Method{confidence.Logprob, confidence.Verbalized} {
		if !hasCISC(samplers) {
			break
		}
		sig, err := r.cisc(m)
		if err != nil {
			return mux.SamplerReport{}, err
		}
		signals = append(signals, sig)
	}
	return mux.CompareSamplers(r.Dataset, samplers, signals, cfg), nil
}

func hasCISC(samplers []mux.Sampler) bool {
	for _, s := range samplers {
		if s.Kind == mux.CISC {
			return true
		}
	}
	return false
}

// cisc is the confidences of signal m over r's samples, or why r has none.
func (r *Run) cisc(m confidence.Method) (mux.SignalConfidences, error) {
	keep := make(map[string]bool, len(r.Dataset.Models))
	for _, name := range r.Dataset.Models {
		keep[name] = true
	}
	var recs []mux.ConfRecord
	for _, s := range r.Samples {
		if keep[s.Model] {
			v, has := cisConfidence(s, m)
			recs = append(recs, mux.ConfRecord{Item: s.Item, Model: s.Model, Sample: s.Sample, Value: v, Has: has})
		}
	}
	conf, err := mux.IndexConfidences(r.Dataset, recs)
	var ce *mux.ConfidenceError
	switch {
	case errors.As(err, &ce) && ce.Missing == ce.Answered:
		return mux.SignalConfidences{Name: string(m), Missing: "not recorded: the run was collected without the " + string(m) + " signal"}, nil
	case errors.As(err, &ce):
		return mux.SignalConfidences{Name: string(m), Missing: fmt.Sprintf("not recorded for every sample: %v", err)}, nil
	case err != nil:
		return mux.SignalConfidences{}, err
	}
	return mux.SignalConfidences{Name: string(m), Conf: conf}, nil
}

// cisConfidence is s's confidence under m, in [0, 1], and whether s
// recorded m.
func cisConfidence(s runstore.Sample, m confidence.Method) (float64, bool) {
	switch {
	case m == confidence.Logprob && s.LogprobMean != nil:
		return math.Exp(*s.LogprobMean), true
	case m == confidence.Verbalized && s.VerbalReply != nil:
		if s.Verbal == nil {
			return 0, true
		}
		return *s.Verbal, true
	}
	return 0, false
}
