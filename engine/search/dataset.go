package search

import (
	"math"
	"math/rand/v2"

	"github.com/slmmux/slmmux/engine/mux"
)

// heldCount is how many of n items a fraction f holds out (rounded).
func heldCount(n int, f float64) int {
	return int(math.Round(f * float64(n)))
}

// split draws heldCount(len(items), frac) items with a seeded shuffle and
// returns the rest (the search part) and them (nil when frac is 0). Both
// parts keep the dataset's item order and share its models.
func split(ds *mux.Dataset, frac float64, seed uint64) (search, held *mux.Dataset) {
	if frac == 0 {
		return ds, nil
	}
	n := len(ds.Items)
	perm := rand.New(rand.NewPCG(seed, 0x401d)).Perm(n)
	out := make([]bool, n)
	for _, i := range perm[:heldCount(n, frac)] {
		out[i] = true
	}
	search = &mux.Dataset{Models: ds.Models}
	held = &mux.Dataset{Models: ds.Models}
	for i, it := range ds.Items {
		if out[i] {
			held.Items = append(held.Items, it)
		} else {
			search.Items = append(search.Items, it)
		}
	}
	return search, held
}

// Subsample returns the dataset restricted to the items keep accepts, in
// order (models unchanged). It shares item storage with ds.
func Subsample(ds *mux.Dataset, keep func(mux.DItem) bool) *mux.Dataset {
	out := &mux.Dataset{Models: ds.Models}
	for _, it := range ds.Items {
		if keep(it) {
			out.Items = append(out.Items, it)
		}
	}
	return out
}

// Restrict returns the dataset with only the models idx (pool indices, in
// that order), sharing answer storage with ds.
func Restrict(ds *mux.Dataset, idx []int) *mux.Dataset {
	out := &mux.Dataset{Items: make([]mux.DItem, len(ds.Items))}
	for _, m := range idx {
		out.Models = append(out.Models, ds.Models[m])
	}
	for i, it := range ds.Items {
		s := make([][]int32, len(idx))
		for j, m := range idx {
			s[j] = it.Samples[m]
		}
		it.Samples = s
		out.Items[i] = it
	}
	return out
}
