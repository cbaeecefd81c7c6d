package sched

import (
	"cmp"
	"slices"
)

// Loaded is a model the live scheduler has loaded on a host.
type Loaded struct {
	Model string
	Bytes uint64
	// Busy: work it may take is queued, or in flight, or a passthrough
	// request holds it. A busy model is never evicted.
	Busy bool
	// Used orders the idle models: the least recently used goes first.
	Used uint64
}

// Want is a model with work waiting that is not loaded.
type Want struct {
	Model string
	Bytes uint64
	// Oldest is the arrival number of its oldest waiting request.
	Oldest uint64
	// Rank is its place in the plan's wave order (work known in advance
	// thus loads wave by wave).
	Rank int
	// Work is how many samples wait for it.
	Work int
}

// Admission is what the scheduler does next on a host.
type Admission struct {
	Load  []string // load these (after the evictions)
	Evict []string // unload these idle models first
	// Waiting, when set, is the first waiting model that cannot load now:
	// the caller holds the loaded models to the work that arrived before
	// it began waiting, so that they drain, go idle and make room.
	Waiting string
}

// Admit decides which waiting models load on a host with budget b, given
// what is loaded. Waiting models are taken oldest request first (then in
// the plan's order, then by the most work waiting, then by name); each loads when it fits beside the
// loaded models, else when evicting idle models (least recently used
// first) makes room. The first that cannot load stops the walk, so that no
// younger request overtakes it, and is named in Waiting. A budget of 0
// bytes means the host manages its own memory: everything fits. When
// every model fits together, nothing ever waits and nothing is evicted.
func Admit(b Budget, loaded []Loaded, want []Want) Admission {
	var a Admission
	used, n := uint64(0), len(loaded)
	for _, l := range loaded {
		used += l.Bytes
	}
	idle := make([]Loaded, 0, len(loaded))
	for _, l := range loaded {
		if !l.Busy {
			idle = append(idle, l)
		}
	}
	slices.SortFunc(idle, func(x, y Loaded) int {
		return cmp.Or(cmp.Compare(x.Used, y.Used), cmp.Compare(x.Model, y.Model))
	})
	want = slices.Clone(want)
	slices.SortFunc(want, func(x, y Want) int {
		return cmp.Or(cmp.Compare(x.Oldest, y.Oldest), cmp.Compare(x.Rank, y.Rank), cmp.Compare(y.Work, x.Work), cmp.Compare(x.Model, y.Model))
	})
	fit := func(bytes uint64, count int) bool {
		return (b.Bytes == 0 || bytes <= b.Bytes) && (b.MaxLoaded == 0 || count <= b.MaxLoaded)
	}
	for _, w := range want {
		// Evict the fewest idle models, least recently used first, that
		// make room; none when it fits as it is.
		freed, k := uint64(0), 0
		for !fit(used-freed+w.Bytes, n-k+1) && k < len(idle) {
			freed += idle[k].Bytes
			k++
		}
		if !fit(used-freed+w.Bytes, n-k+1) {
			a.Waiting = w.Model
			return a
		}
		for _, l := range idle[:k] {
			a.Evict = append(a.Evict, l.Model)
		}
		idle = idle[k:]
		used, n = used-freed+w.Bytes, n-k+1
		a.Load = append(a.Load, w.Model)
	}
	return a
}
