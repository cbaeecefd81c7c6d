package search

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

func TestScaleReproducible(t *testing.T) {
	ds := randomDataset(120, 4, 9, 21)
	cfg := ScaleConfig{Trials: 5, Seed: 3}
	a, err := Scale(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Scale(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stripNaN(a), stripNaN(b)) {
		t.Fatal("same seed gave different scaling results")
	}
	cfg.Seed = 4
	c, _ := Scale(ds, cfg)
	if reflect.DeepEqual(stripNaN(a).BySamples, stripNaN(c).BySamples) {
		t.Error("another seed gave identical sample curves")
	}
	if len(a.BySamples) != 9 || a.BySamples[0].K != 1 || len(a.ByModels) != 4 || a.ModelsK != 9 {
		t.Fatalf("shape: %d sample points, %d model points, models k %d", len(a.BySamples), len(a.ByModels), a.ModelsK)
	}
	// At all stored samples nothing is drawn: every trial agrees, SE is 0,
	// and the value is mux.Simulate's.
	last := a.BySamples[8]
	if last.Mux.SE != 0 || !near(last.Mux.Mean, simAcc(t, ds)) {
		t.Errorf("k=9: %+v, simulate %v", last.Mux, simAcc(t, ds))
	}
	if a.BySamples[0].Mux.SE == 0 {
		t.Error("k=1 over 5 trials has no spread")
	}
	// The models curve follows the paper search; its union is the search's.
	r := mustSearch(t, ds, Config{KMin: 1, KMax: 4, Lambda: 1})
	for i, p := range a.ByModels {
		if p.N != i+1 || !reflect.DeepEqual(p.Models, r.BestByK[i].Models) || p.Union != r.BestByK[i].UnionAcc {
			t.Errorf("models point %d: %+v vs search %+v", i, p, r.BestByK[i])
		}
		if p.Mux.Mean > p.Union+1e-12 {
			t.Errorf("N=%d: SLM-MUX %v above union %v", p.N, p.Mux.Mean, p.Union)
		}
	}
	if !math.IsNaN(last.Tokens) {
		t.Error("tokens without costs")
	}
}

// stripNaN zeroes the NaN costs so DeepEqual can compare results.
func stripNaN(s *Scaling) *Scaling {
	c := *s
	c.BySamples = append([]SamplePoint(nil), s.BySamples...)
	c.ByModels = append([]ModelPoint(nil), s.ByModels...)
	for i := range c.BySamples {
		c.BySamples[i].Tokens, c.BySamples[i].Seconds = 0, 0
	}
	for i := range c.ByModels {
		c.ByModels[i].Tokens, c.ByModels[i].Seconds = 0, 0
	}
	return &c
}

func TestScaleCosts(t *testing.T) {
	samples := []CostSample{
		{Model: "a", OutputTokens: 100, DurationMS: 1000},
		{Model: "a", OutputTokens: 300, DurationMS: 3000},
		{Model: "b", OutputTokens: 50},
	}
	c := CostsFromSamples(samples)
	tok, sec := c.PerItem([]string{"a", "b"}, 3)
	if tok != 3*(200+50) || !math.IsNaN(sec) {
		t.Errorf("per item: %v tokens, %v s", tok, sec)
	}
	if _, sec := c.PerItem([]string{"a"}, 2); sec != 4 {
		t.Errorf("a: %v s", sec)
	}
}

func TestScaleSingleModelAndBadInput(t *testing.T) {
	ds := randomDataset(30, 1, 3, 2)
	s, err := Scale(ds, ScaleConfig{Samples: []int{3, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.BySamples) != 2 || s.BySamples[0].K != 1 || len(s.ByModels) != 1 {
		t.Fatalf("%+v", s)
	}
	for _, tc := range []struct {
		ds  *mux.Dataset
		cfg ScaleConfig
		msg string
	}{
		{&mux.Dataset{}, ScaleConfig{}, "no samples"},
		{ds, ScaleConfig{Samples: []int{4}}, "between 1 and 3"},
		{ds, ScaleConfig{KMax: 2}, "k-max 2 is more than the pool's 1 model"},
	} {
		if _, err := Scale(tc.ds, tc.cfg); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: want %q", err, tc.msg)
		}
	}
}
