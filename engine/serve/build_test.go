package serve

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/sched"
	"github.com/slmmux/slmmux/models"
)

func TestFromConfig(t *testing.T) {
	temp := 0.0
	e, err := FromConfig("math", EnsembleConfig{Models: []string{"a"}, Temperature: &temp, Seed: 7, Extractor: "number", Adaptive: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "mux:math" || e.Sampling.Samples != 3 || e.Sampling.Temperature != 0 || e.Sampling.Seed != 7 || e.Extractor != "number" || !e.Adaptive {
		t.Errorf("FromConfig = %+v", e)
	}
	if _, err := FromConfig("mux", EnsembleConfig{Samples: -1}); !errors.Is(err, engine.ErrInvalid) || !strings.HasPrefix(err.Error(), "ensembles.mux: samples -1") {
		t.Errorf("samples -1: %v", err)
	}
	if _, err := FromConfig("mux", EnsembleConfig{Profile: "x"}); err == nil || !strings.HasPrefix(err.Error(), "ensembles.mux.profile: ") {
		t.Errorf("profile x: %v", err)
	}
}

func TestMembersAndRefused(t *testing.T) {
	es := []Ensemble{
		{Name: "mux", Models: []string{"a", "b"}, Sampling: engine.Sampling{Samples: 2}},
		{Name: "mux:x", Models: []string{"b", "c"}, Sampling: engine.Sampling{Samples: 5}},
	}
	if ms, k := Members(es); !slices.Equal(ms, []string{"a", "b", "c"}) || k != 5 {
		t.Errorf("Members = %v, %d", ms, k)
	}
	refused := func(ms ...string) error {
		re := &engine.RefusedError{}
		for _, m := range ms {
			re.Refused = append(re.Refused, sched.Refusal{Model: m, Reason: "too large"})
		}
		return re
	}
	if err := Refused(es, nil); err != nil {
		t.Errorf("nothing refused: %v", err)
	}
	if err := Refused(es, refused("passthrough")); err != nil {
		t.Errorf("a passthrough model refused: %v", err)
	}
	if err := Refused(es, refused("passthrough", "c", "a")); err == nil || !strings.HasPrefix(err.Error(), "ensemble mux:x: ") || !errors.Is(err, engine.ErrInsufficientMemory) {
		t.Errorf("c refused: %v", err)
	}
}

// An ensemble of every installed model is checked once its members are
// known: val_acc may name only them (with or without :latest).
func TestTiesValAccMembers(t *testing.T) {
	e := Ensemble{Name: "mux", Models: []string{"a", "b"}}
	if err := e.Ties(EnsembleConfig{ValAcc: map[string]float64{"a": 0.7, "c": 0.5}}); err == nil || !strings.Contains(err.Error(), "val_acc names c, which is not one of its models (a, b)") {
		t.Errorf("c: %v", err)
	}
	if err := e.Ties(EnsembleConfig{ValAcc: map[string]float64{"a:latest": 0.7, "b": 0.5}}); err != nil || e.ValAcc["a"] != 0.7 || e.ValAcc["b"] != 0.5 {
		t.Errorf("a:latest: %v %v", e.ValAcc, err)
	}
}

func TestFromFileWithInstalledAndPlacement(t *testing.T) {
	fc := &FileConfig{Ensembles: map[string]EnsembleConfig{"z": {Models: []string{"c"}}, "mux": {Models: []string{"a", "b"}}}}
	cs, err := FromFile(fc)
	if err != nil || len(cs) != 2 || cs[0].Key != "mux" || cs[1].Key != "z" || cs[1].Name != "mux:z" || !slices.Equal(cs[1].Config.Models, []string{"c"}) {
		t.Fatalf("FromFile = %+v, %v (want key order)", cs, err)
	}
	if _, err := FromFile(&FileConfig{Ensembles: map[string]EnsembleConfig{"mux": {Samples: -1}}}); err == nil {
		t.Error("FromFile with samples -1: no error")
	}
	all := WithInstalled([]string{"a", "b"}, []models.Info{{Name: "b:latest"}, {Name: "d:latest"}, {Name: "e:q4"}})
	if !slices.Equal(all, []string{"a", "b", "d", "e:q4"}) {
		t.Errorf("WithInstalled = %v", all)
	}
	plan := &engine.HostsPlan{Hosts: []engine.HostPlan{{Name: "h1", Models: []string{"a", "x"}}, {Name: "h2", Models: []string{"y"}}, {Name: "h3", Models: []string{"c", "b"}}}}
	e := Ensemble{Models: []string{"a", "b", "c"}}
	if got := e.Placement(plan); got != "h1: a; h3: c, b" {
		t.Errorf("Placement = %q", got)
	}
}

// A discussion ensemble is checked against its members as they are
// resolved: a member or aggregator named with ":latest" is the member
// without it, and an ensemble that lists no models (every installed one)
// is checked once they are known.
func TestDiscussionMembers(t *testing.T) {
	e, err := FromConfig("moa", EnsembleConfig{Models: []string{"a:latest", "b"}, Method: "moa", Aggregator: "a:latest"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetMembers([]string{"a", "b"}, EnsembleConfig{}); err != nil || e.Discussion.Aggregator != "a" || e.Discussion.Layers != 2 {
		t.Fatalf("SetMembers: %v, %+v", err, e.Discussion)
	}
	e, err = FromConfig("moa", EnsembleConfig{Method: "moa"})
	if err != nil {
		t.Fatalf("no models listed: %v", err)
	}
	if err := e.SetMembers([]string{"x", "y"}, EnsembleConfig{}); err != nil || e.Discussion.Aggregator != "x" {
		t.Fatalf("every installed model: %v, %+v", err, e.Discussion)
	}
	if err := e.SetMembers([]string{"x"}, EnsembleConfig{}); err == nil || !strings.Contains(err.Error(), "at least two models") {
		t.Fatalf("one model: %v", err)
	}
	if _, err := FromConfig("moa", EnsembleConfig{Models: []string{"a", "b"}, Method: "moa", Aggregator: "c"}); err == nil || !strings.HasPrefix(err.Error(), "ensembles.moa: moa: the aggregator") {
		t.Fatalf("aggregator outside the listed models: %v", err)
	}
}
