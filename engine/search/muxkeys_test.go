package search

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/slmmux/slmmux/engine/mux"
)

// randomDataset makes items where model m is right with probability
// 0.3+0.1·m (wrapping), with some empty samples and uneven sample counts.
func randomDataset(items, models, k int, seed uint64) *mux.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	var rs []mux.Record
	for i := range items {
		for m := range models {
			p := 0.3 + 0.1*float64(m%6)
			n := k
			if rng.IntN(20) == 0 {
				n = 1 + rng.IntN(k)
			}
			for j := range n {
				a := "right"
				if rng.Float64() > p {
					a = fmt.Sprint("w", rng.IntN(4))
				}
				if rng.IntN(10) == 0 {
					a = ""
				}
				rs = append(rs, mux.Record{Item: fmt.Sprint("q", i), Model: fmt.Sprint("m", m), Sample: j, Answer: a, Correct: a == "right"})
			}
		}
	}
	ds, err := mux.BuildDataset(rs, nil)
	if err != nil {
		panic(err)
	}
	return ds
}

func simAcc(t testing.TB, ds *mux.Dataset) float64 {
	return simAccWith(t, ds, mux.Paper, nil)
}

func simAccWith(t testing.TB, ds *mux.Dataset, p mux.Profile, valAcc map[string]float64, agr ...*mux.Agreement) float64 {
	t.Helper()
	cfg := mux.SimConfig{Trials: 1, Profile: p, ValAcc: valAcc}
	if len(agr) > 0 {
		cfg.Agreement = agr[0]
	}
	r, err := mux.Simulate(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r.Accuracy
}

// The fast path agrees with mux.Simulate on every subset, for both
// profiles, with and without validation accuracies, and with the
// agreement estimate of the whole pool (per item, leave-one-out).
func TestMuxKeysMatchSimulate(t *testing.T) {
	ds := randomDataset(150, 5, 4, 9)
	valAcc := map[string]float64{"m0": 0.2, "m1": 0.9, "m2": 0.9, "m3": 0.1, "m4": 0.5}
	agr := mux.NewAgreement(ds)
	for _, p := range []mux.Profile{mux.Paper, mux.Official} {
		for _, va := range []map[string]float64{nil, valAcc, {"agreement": 1}} {
			var ag *mux.Agreement
			if va["agreement"] == 1 {
				va, ag = nil, agr
			}
			keys := newMuxKeys(ds, p, va, ag)
			for mask := 1; mask < 1<<5; mask++ {
				var idx []int
				for m := range 5 {
					if mask&(1<<m) != 0 {
						idx = append(idx, m)
					}
				}
				want := simAccWith(t, Restrict(ds, idx), p, va, ag)
				if got := keys.acc(idx); !near(got, want) {
					t.Fatalf("profile %s valacc %v agreement %v subset %v: fast %v, simulate %v", p, va != nil, ag != nil, idx, got, want)
				}
			}
		}
	}
}

// The mux objective's scores are the fast path's accuracies.
func TestMuxObjective(t *testing.T) {
	ds := randomDataset(100, 6, 3, 4)
	r := mustSearch(t, ds, Config{Objective: Mux, KMin: 1, KMax: 4, Top: 20})
	for _, s := range append(r.Ranked, r.BestByK...) {
		want := simAcc(t, Restrict(ds, s.Indices()))
		if !near(s.Score, want) || !near(s.MuxAcc, want) {
			t.Fatalf("%v: score %v mux %v, simulate %v", s.Models, s.Score, s.MuxAcc, want)
		}
	}
	for i := 1; i < len(r.Ranked); i++ {
		if r.Ranked[i].Score > r.Ranked[i-1].Score {
			t.Fatal("ranked out of order")
		}
	}
}

// max4 and maxOddCount4 agree with the key-by-key max and count on every
// lane, for keys up to the 15-bit bound (deterministic cases, edges
// included).
func TestMax4MatchesLanes(t *testing.T) {
	vals := []uint16{0, 1, 2, 3, 0x7FFE, 0x7FFF, 0x4000, 0x3FFF, 255, 256}
	for _, a0 := range vals {
		for _, b0 := range vals {
			a := []uint16{a0, b0, a0 ^ 1, 0x7FFF - b0}
			b := []uint16{b0, a0, b0 | 1, a0 & 0x7FFF}
			var pa, pb uint64
			for i := range 4 {
				pa |= uint64(a[i]) << (16 * i)
				pb |= uint64(b[i]) << (16 * i)
			}
			m := max4(pa, pb)
			for i := range 4 {
				if got, want := uint16(m>>(16*i)), max(a[i], b[i]); got != want {
					t.Fatalf("max4 lane %d of %v, %v = %d, want %d", i, a, b, got, want)
				}
			}
			if got, want := maxOddCount4([]uint64{pa}, []uint64{pb}), maxOddCount(a, b); got != want {
				t.Fatalf("maxOddCount4(%v, %v) = %d, want %d", a, b, got, want)
			}
		}
	}
}
