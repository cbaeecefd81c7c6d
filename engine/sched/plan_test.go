package sched

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slmmux/slmmux/models"
)

const gib = 1 << 30

func fp(name string, g float64) Footprint {
	return Footprint{Model: name, Bytes: uint64(g * gib), Source: "flag"}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name     string
		fps      []Footprint
		budget   Budget
		resident []string
		waves    string // wave models joined by "," and waves by " | "
		refused  string
		loads    int
		qmLoads  int
	}{
		{"all fit together", []Footprint{fp("a", 2), fp("b", 2), fp("c", 2)}, Budget{Bytes: 8 * gib}, nil, "a,b,c", "", 3, 3},
		{"one at a time", []Footprint{fp("a", 5), fp("b", 5), fp("c", 5)}, Budget{Bytes: 6 * gib}, nil, "a | b | c", "", 3, 30},
		{"none fit", []Footprint{fp("a", 9), fp("b", 10)}, Budget{Bytes: 8 * gib}, nil, "", "a,b", 0, 0},
		{"a big model and several small ones", []Footprint{fp("big", 6), fp("s1", 1), fp("s2", 1), fp("s3", 1), fp("s4", 1)}, Budget{Bytes: 8 * gib}, nil, "big | s1,s2,s3,s4", "", 5, 50},
		{"max loaded caps a wave", []Footprint{fp("a", 1), fp("b", 1), fp("c", 1)}, Budget{Bytes: 8 * gib, MaxLoaded: 1}, nil, "a | b | c", "", 3, 30},
		{"pack tightly beats first fit", []Footprint{fp("a", 4), fp("b", 3), fp("c", 3), fp("d", 2), fp("e", 2), fp("f", 2)}, Budget{Bytes: 8 * gib}, nil, "", "", 6, 60},
		{"resident models go first and are not reloaded", []Footprint{fp("a", 5), fp("b", 5)}, Budget{Bytes: 6 * gib}, []string{"b"}, "b | a", "", 1, 20},
		{"refused and planned together", []Footprint{fp("huge", 40), fp("a", 1)}, Budget{Bytes: 8 * gib}, nil, "a", "huge", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Plan(tt.fps, tt.budget, Work{Items: 10, Samples: 3}, tt.resident)
			var ws, rs []string
			for _, w := range r.Waves {
				if w.Bytes > tt.budget.Bytes {
					t.Fatalf("wave %v exceeds budget", w)
				}
				ws = append(ws, strings.Join(w.Models, ","))
			}
			for _, x := range r.Refused {
				rs = append(rs, x.Model)
				if !strings.Contains(x.Reason, "budget") {
					t.Errorf("refusal reason lacks numbers: %s", x.Reason)
				}
			}
			if tt.waves != "" && strings.Join(ws, " | ") != tt.waves {
				t.Errorf("waves %q, want %q", strings.Join(ws, " | "), tt.waves)
			}
			if tt.name == "pack tightly beats first fit" && len(r.Waves) != 2 {
				t.Errorf("want 2 waves (4+2+2, 3+3+2), got %v", ws)
			}
			if strings.Join(rs, ",") != tt.refused {
				t.Errorf("refused %v, want %q", rs, tt.refused)
			}
			if r.Loads != tt.loads || r.QuestionMajorLoads != tt.qmLoads {
				t.Errorf("loads %d / question-major %d, want %d / %d", r.Loads, r.QuestionMajorLoads, tt.loads, tt.qmLoads)
			}
		})
	}
}

func TestPlanLargePoolUsesFirstFitDecreasing(t *testing.T) {
	var fps []Footprint
	for i := range 20 {
		fps = append(fps, fp(fmt.Sprint("m", i), 1+float64(i%3)))
	}
	r := Plan(fps, Budget{Bytes: 6 * gib}, Work{Items: 1}, nil)
	n := 0
	for _, w := range r.Waves {
		n += len(w.Models)
		if w.Bytes > 6*gib {
			t.Fatal("over budget")
		}
	}
	if n != 20 || len(r.Waves) > 8 {
		t.Fatalf("%d models in %d waves", n, len(r.Waves))
	}
}

func TestEstimateAndMeasurement(t *testing.T) {
	info := models.Info{Name: "m", SizeBytes: 4 * gib, Arch: models.Arch{Layers: 32, Embedding: 4096, Heads: 32, KVHeads: 8}}
	f := Estimate(info, Settings{NumCtx: 4096, Slots: 2})
	wantKV := uint64(32 * 4096 * 8 * 128 * 2 * 2 * 2)
	if f.KV != wantKV || f.Weights != 4*gib || f.Bytes != f.Weights+f.KV+f.Compute {
		t.Fatalf("estimate %+v, want KV %d", f, wantKV)
	}
	m := f.WithMeasurement(f.Bytes * 2)
	if !m.Measured || m.Estimate != f.Bytes || !strings.Contains(m.Note, "+100 %") {
		t.Fatalf("measurement %+v", m)
	}
	if n := f.WithMeasurement(f.Bytes + f.Bytes/10).Note; n != "" {
		t.Fatalf("10 %% off should not warn: %s", n)
	}
	noArch := Estimate(models.Info{Name: "x", SizeBytes: 1000}, Settings{})
	if noArch.KV != 100 {
		t.Fatalf("fallback KV %d", noArch.KV)
	}
	big := Plan([]Footprint{f}, Budget{Bytes: 4*gib + 512<<20}, Work{}, nil)
	if len(big.Refused) != 1 || !strings.Contains(big.Refused[0].Reason, "num_ctx") {
		t.Fatalf("refusal should suggest a smaller context: %+v", big.Refused)
	}
}
