package serve

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/models"
)

// FromConfig is the ensemble a config file's key names, before its
// members are resolved on the hosts: its name, its sampling settings
// (samples 3 and temperature 0.3 unless set; num_predict, seed), profile,
// extractor, adaptive sampling and embedding model. An error names the
// key's setting at fault (ensembles.KEY: ..., ensembles.KEY.profile: ...).
func FromConfig(key string, ec EnsembleConfig) (Ensemble, error) {
	name, _ := EnsembleName(key) // LoadConfig has checked it
	s := engine.Sampling{Samples: 3, Temperature: 0.3, NumPredict: ec.NumPredict, Seed: ec.Seed}
	if ec.Samples != 0 {
		s.Samples = ec.Samples
	}
	if ec.Temperature != nil {
		s.Temperature = *ec.Temperature
	}
	if err := s.Validate(); err != nil {
		return Ensemble{}, fmt.Errorf("ensembles.%s: %w", key, err)
	}
	p, err := mux.ParseProfile(ec.Profile)
	if err != nil {
		return Ensemble{}, fmt.Errorf("ensembles.%s.profile: %w", key, err)
	}
	e := Ensemble{Name: name, Models: ec.Models, Sampling: s, Profile: p, Extractor: ec.Extractor, Adaptive: ec.Adaptive,
		EmbedModel: ec.EmbedModel}
	if ec.Method != "" {
		m, withMux, err := discuss.Parse(ec.Method)
		if err != nil || withMux {
			return Ensemble{}, fmt.Errorf("ensembles.%s.method: %q: use moa, debate or mav (a served discussion has no SLM-MUX run to compose with)", key, ec.Method)
		}
		dc := discuss.Config{Method: m, Rounds: ec.Rounds, Layers: ec.Layers, Candidates: ec.Candidates}
		if ec.Aggregator != "" {
			dc.Aggregator = engine.CanonicalName(ec.Aggregator) // as members are named once resolved
		}
		if len(ec.Models) > 0 { // listed: check now (SetMembers checks the resolved ones)
			listed := make([]string, len(ec.Models))
			for i, m := range ec.Models {
				listed[i] = engine.CanonicalName(m)
			}
			if err := dc.WithDefaults(listed).Validate(listed); err != nil {
				return Ensemble{}, fmt.Errorf("ensembles.%s: %w", key, err)
			}
		}
		e.Discussion = &dc
	}
	return e, nil
}

// SetMembers sets e's members as resolved on the hosts (canonical names),
// completes its discussion's settings over them (the first member
// aggregates unless one is named) and sets its tie-break scores (Ties).
func (e *Ensemble) SetMembers(ms []string, ec EnsembleConfig) error {
	e.Models = ms
	if e.Discussion != nil {
		dc := e.Discussion.WithDefaults(ms)
		if err := dc.Validate(ms); err != nil {
			return fmt.Errorf("ensemble %s: %w", e.Name, err)
		}
		e.Discussion = &dc
	}
	return e.Ties(ec)
}

// Configured is one ensemble of a config file: its key, its settings and
// the ensemble FromConfig makes of them.
type Configured struct {
	Key    string
	Config EnsembleConfig
	Ensemble
}

// FromFile is every ensemble of fc, in key order, before their members
// are resolved on the hosts (FromConfig); the first error stops.
func FromFile(fc *FileConfig) ([]Configured, error) {
	var out []Configured
	for _, key := range slices.Sorted(maps.Keys(fc.Ensembles)) {
		e, err := FromConfig(key, fc.Ensembles[key])
		if err != nil {
			return nil, err
		}
		out = append(out, Configured{Key: key, Config: fc.Ensembles[key], Ensemble: e})
	}
	return out, nil
}

// Ties sets e's tie-break scores (ValAcc) for its members under ec's
// tie_break: validation accuracies (val_acc, or measured on val_run),
// agreement estimated on agreement_run, or none (model order).
func (e *Ensemble) Ties(ec EnsembleConfig) error {
	var acc map[string]float64
	for m, v := range ec.ValAcc { // LoadConfig has checked the values
		i := slices.IndexFunc(e.Models, func(x string) bool { return engine.CanonicalName(x) == engine.CanonicalName(m) })
		if i < 0 {
			return fmt.Errorf("ensemble %s: val_acc names %s, which is not one of its models (%s)", e.Name, m, strings.Join(e.Models, ", "))
		}
		if acc == nil {
			acc = map[string]float64{}
		}
		acc[e.Models[i]] = v // as the member is named
	}
	var err error
	if ec.ValRun != "" {
		if acc, err = engine.ValAcc(ec.ValRun, e.Models); err != nil {
			return fmt.Errorf("ensemble %s: val_run: %w", e.Name, err)
		}
	}
	if e.ValAcc, err = engine.TieScores(ec.Tie(), acc, ec.AgreementRun, e.Models); err != nil {
		return fmt.Errorf("ensemble %s: agreement_run %s: %w", e.Name, ec.AgreementRun, err)
	}
	return nil
}

// Members is every member of es once, in order of appearance, and the
// most samples an ensemble draws per model (at least 1): what serve plans.
func Members(es []Ensemble) ([]string, int) {
	var all []string
	k := 1
	for _, e := range es {
		k = max(k, e.Sampling.Samples)
		for _, m := range e.Models {
			if !slices.Contains(all, m) {
				all = append(all, m)
			}
		}
	}
	return all, k
}

// WithInstalled is all followed by each installed model it lacks (by its
// canonical name): serve plans the models requests only pass through to
// as well, since they occupy the daemon too.
func WithInstalled(all []string, installed []models.Info) []string {
	for _, i := range installed {
		if m := engine.CanonicalName(i.Name); !slices.Contains(all, m) {
			all = append(all, m)
		}
	}
	return all
}

// Placement says where plan runs e's members on a pool: "HOST: a, b;
// HOST2: c", hosts in plan order, each with the members it runs.
func (e *Ensemble) Placement(plan *engine.HostsPlan) string {
	var parts []string
	for _, hp := range plan.Hosts {
		if on := slices.DeleteFunc(slices.Clone(hp.Models), func(m string) bool { return !slices.Contains(e.Models, m) }); len(on) > 0 {
			parts = append(parts, hp.Name+": "+strings.Join(on, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// Refused is a plan's refusal (planErr, an *engine.RefusedError) of some
// ensemble's member, as "ensemble NAME: " and planErr for the first
// ensemble of the first member refused; nil when no member is refused (a
// model that requests only pass through to may be).
func Refused(es []Ensemble, planErr error) error {
	var re *engine.RefusedError
	if !errors.As(planErr, &re) {
		return nil
	}
	for _, r := range re.Refused {
		for _, e := range es {
			if slices.Contains(e.Models, r.Model) {
				return fmt.Errorf("ensemble %s: %w", e.Name, planErr)
			}
		}
	}
	return nil
}
