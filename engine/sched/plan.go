package sched

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
)

// Budget is the memory the planner may fill.
type Budget struct {
	Bytes     uint64 `json:"budget_bytes"`
	MaxLoaded int    `json:"max_loaded"` // OLLAMA_MAX_LOADED_MODELS; 0 = no limit
}

// Work is the size of a run: items × samples per model.
type Work struct {
	Items   int
	Samples int
}

// Wave is a group of models loaded together; waves run one after another.
type Wave struct {
	Models []string `json:"models"`
	Bytes  uint64   `json:"bytes"`
	Evicts []string `json:"evicts,omitempty"` // models of the previous wave unloaded first
}

// Refusal is a model that cannot fit even alone.
type Refusal struct {
	Model  string `json:"model"`
	Bytes  uint64 `json:"bytes"`
	Reason string `json:"reason"`
}

// Result is a plan.
type Result struct {
	Budget  Budget    `json:"budget"`
	Waves   []Wave    `json:"waves"`
	Refused []Refusal `json:"refused"`
	// Loads is the expected number of model loads model-major: each planned
	// model once (minus those already resident at the start).
	Loads int `json:"loads"`
	// QuestionMajorLoads is the expected number for the authors' order
	// (every item walks every model), for comparison.
	QuestionMajorLoads int `json:"question_major_loads"`
}

// exactLimit bounds the exhaustive packing search (3^n subsets work).
const exactLimit = 12

// Plan groups models into the fewest waves whose footprints fit the budget
// together, with at most MaxLoaded models per wave. Models already resident
// go into the first wave when they fit there, to save their load. Models
// that cannot fit alone are refused with their numbers and what would make
// them fit. The result depends only on its inputs.
func Plan(fps []Footprint, b Budget, w Work, resident []string) Result {
	res := Result{Budget: b, Waves: []Wave{}, Refused: []Refusal{}}
	var fit []Footprint
	for _, f := range fps {
		if f.Bytes > b.Bytes {
			res.Refused = append(res.Refused, refuse(f, b))
			continue
		}
		fit = append(fit, f)
	}
	groups := pack(fit, b)
	// Resident models first, then larger waves first; stable by name.
	slices.SortStableFunc(groups, func(x, y []Footprint) int {
		if c := cmp.Compare(countIn(y, resident), countIn(x, resident)); c != 0 {
			return c
		}
		return cmp.Compare(sum(y), sum(x))
	})
	for i, g := range groups {
		wave := Wave{Bytes: sum(g)}
		for _, f := range g {
			wave.Models = append(wave.Models, f.Model)
			if i > 0 || !slices.Contains(resident, f.Model) {
				res.Loads++
			}
		}
		if i > 0 {
			wave.Evicts = res.Waves[i-1].Models
		}
		res.Waves = append(res.Waves, wave)
	}
	n := len(fit)
	switch {
	case n == 0:
	case len(res.Waves) == 1:
		res.QuestionMajorLoads = n // all fit together: every order loads once
	default:
		res.QuestionMajorLoads = n * max(w.Items, 1)
	}
	return res
}

func refuse(f Footprint, b Budget) Refusal {
	reason := fmt.Sprintf("needs %s (%s) but the budget is %s", human(f.Bytes), f.Source, human(b.Bytes))
	if f.KV > 0 && f.Bytes-f.KV <= b.Bytes {
		reason += "; a smaller context window (num_ctx) or fewer slots (OLLAMA_NUM_PARALLEL) shrink its KV cache of " + human(f.KV)
	}
	reason += "; or let Ollama offload part of it to the CPU (run it alone with a larger budget), or use a smaller quantization"
	return Refusal{Model: f.Model, Bytes: f.Bytes, Reason: reason}
}

// pack splits fps into the fewest groups that each fit: exhaustively for
// small pools, first-fit decreasing otherwise.
func pack(fps []Footprint, b Budget) [][]Footprint {
	if len(fps) == 0 {
		return nil
	}
	if len(fps) <= exactLimit {
		return packExact(fps, b)
	}
	sorted := slices.Clone(fps)
	slices.SortStableFunc(sorted, func(x, y Footprint) int { return cmp.Compare(y.Bytes, x.Bytes) })
	var groups [][]Footprint
	for _, f := range sorted {
		placed := false
		for i, g := range groups {
			if fits(append(slices.Clone(g), f), b) {
				groups[i], placed = append(g, f), true
				break
			}
		}
		if !placed {
			groups = append(groups, []Footprint{f})
		}
	}
	return groups
}

// packExact finds a minimum partition into fitting groups by dynamic
// programming over subsets; among minimum partitions it keeps the one
// whose groups are the numerically smallest subsets, so the result is
// deterministic.
func packExact(fps []Footprint, b Budget) [][]Footprint {
	n := len(fps)
	full := 1<<n - 1
	ok := make([]bool, full+1)
	for m := 1; m <= full; m++ {
		var total uint64
		for i := range n {
			if m&(1<<i) != 0 {
				total += fps[i].Bytes
			}
		}
		ok[m] = total <= b.Bytes && (b.MaxLoaded == 0 || bits.OnesCount(uint(m)) <= b.MaxLoaded)
	}
	best := make([]int, full+1) // fewest groups covering mask
	choice := make([]int, full+1)
	for m := 1; m <= full; m++ {
		best[m] = n + 1
		low := m & -m                           // the group of the lowest model: each partition counted once
		for s := low; s != 0; s = (s - m) & m { // submasks in increasing order
			if s&low != 0 && ok[s] && best[m^s]+1 < best[m] {
				best[m], choice[m] = best[m^s]+1, s
			}
		}
	}
	var groups [][]Footprint
	for m := full; m > 0; m ^= choice[m] {
		var g []Footprint
		for i := range n {
			if choice[m]&(1<<i) != 0 {
				g = append(g, fps[i])
			}
		}
		groups = append(groups, g)
	}
	return groups
}

func fits(g []Footprint, b Budget) bool {
	return sum(g) <= b.Bytes && (b.MaxLoaded == 0 || len(g) <= b.MaxLoaded)
}

func sum(g []Footprint) uint64 {
	var t uint64
	for _, f := range g {
		t += f.Bytes
	}
	return t
}

func countIn(g []Footprint, names []string) int {
	c := 0
	for _, f := range g {
		if slices.Contains(names, f.Model) {
			c++
		}
	}
	return c
}
