package demo

import (
	"slices"
	"testing"
)

// Pool is every model but the large one, in catalog order; Large finds it.
func TestPoolAndLarge(t *testing.T) {
	c := Catalog{Models: []Model{{Name: "a"}, {Name: "big", Role: RoleLarge}, {Name: "b"}}}
	if p := c.Pool(); !slices.Equal(p, []string{"a", "b"}) {
		t.Errorf("Pool() = %v, want [a b]", p)
	}
	if lg, ok := c.Large(); !ok || lg.Name != "big" {
		t.Errorf("Large() = %+v, %v; want big", lg, ok)
	}
	if _, ok := (Catalog{Models: []Model{{Name: "a"}}}).Large(); ok {
		t.Error("Large() found a large model in a catalog without one")
	}
}

// Every embedded model has its parameter count; a large generalist, when
// the catalog has one, is about ten times the pool's median size.
func TestEmbeddedCatalogSizes(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, m := range c.Models {
		if m.Params <= 0 {
			t.Errorf("%s: no parameter count", m.Name)
		}
		if m.Role != RoleLarge {
			sizes = append(sizes, m.Params)
		}
	}
	if len(sizes) < 3 {
		t.Fatalf("the pool has %d models, want three or more", len(sizes))
	}
	slices.Sort(sizes)
	if lg, ok := c.Large(); ok {
		if r := float64(lg.Params) / float64(sizes[len(sizes)/2]); r < 5 || r > 15 {
			t.Errorf("%s has %d parameters, %.1f times the pool's median %d: want about ten times", lg.Name, lg.Params, r, sizes[len(sizes)/2])
		}
	}
}

// The demo's pair is chosen on the validation set (the training script's
// scores of every pair), not on the test set it reports.
func TestBestValPair(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	got := c.BestValPair()
	if len(got) != 2 || len(c.Selection.ValPairs) == 0 {
		t.Fatalf("best validation pair %v of %v", got, c.Selection.ValPairs)
	}
	best := c.Selection.ValPairs[got[0]+"+"+got[1]]
	for k, v := range c.Selection.ValPairs {
		if v > best {
			t.Errorf("pair %s scores %.2f on validation, above the chosen %v (%.2f)", k, v, got, best)
		}
	}
	var none Catalog
	if none.BestValPair() != nil {
		t.Error("a catalog without selection has no validation pair")
	}
}
