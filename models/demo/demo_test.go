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
