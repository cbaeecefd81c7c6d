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

// With the tensors listed, the weights are what their types store, the
// KV cache follows its type, the context is capped where the daemon caps
// it, and compute is counted only on a GPU.
func TestEstimateFromTensors(t *testing.T) {
	info := models.Info{Name: "q", SizeBytes: 999, ContextLength: 64,
		Arch: models.Arch{Layers: 2, Embedding: 64, Heads: 4, KVHeads: 4},
		Tensors: []models.Tensor{
			{Name: "token_embd.weight", Type: "Q8_0", Shape: []uint64{64, 300}}, // 300·2 blocks of 34
			{Name: "blk.0.attn_q.weight", Type: "Q4_K", Shape: []uint64{256, 64}},
			{Name: "blk.0.ffn_down.weight", Type: "Q5_0", Shape: []uint64{64, 64}},
			{Name: "blk.0.attn_norm.weight", Type: "F32", Shape: []uint64{64}},
			{Name: "output.weight", Type: "Q6_K", Shape: []uint64{256, 300}},
		}}
	wantW := uint64(300*2*34 + 64*144 + 64*2*22 + 64*4 + 300*210)
	f := Estimate(info, Settings{NumCtx: 2048, Slots: 1})
	kv16 := uint64(2 * 2048 * 4 * 16 * 2 * 2)
	if f.Weights != wantW || f.WeightsFrom != "tensors" || f.KV != kv16 || f.Compute != 0 || f.Bytes != wantW+kv16 {
		t.Fatalf("estimate %+v, want weights %d, KV %d, no compute on CPU", f, wantW, kv16)
	}
	q8 := Estimate(info, Settings{NumCtx: 2048, Slots: 1, KVCacheType: "q8_0"})
	q4 := Estimate(info, Settings{NumCtx: 2048, Slots: 1, KVCacheType: "q4_0"})
	if q8.KV != kv16/2*34/32 || q4.KV != kv16/2*18/32 {
		t.Errorf("KV q8_0 %d, q4_0 %d; want %d, %d", q8.KV, q4.KV, kv16/2*34/32, kv16/2*18/32)
	}
	info.ClampsContext = true
	if c := Estimate(info, Settings{NumCtx: 2048, Slots: 2}); c.KV != 2*64*4*16*2*2*2 {
		t.Errorf("clamped KV %d, want the trained 64 tokens x 2 slots", c.KV)
	}
	g := Estimate(info, Settings{NumCtx: 2048, Slots: 1, GPU: true})
	if want := uint64(4 * 64 * max(1+4*64+64*5, 64+300)); g.Compute != want {
		t.Errorf("GPU compute %d, want %d", g.Compute, want)
	}
	info.Tensors[1].Type = "IQ9_Z" // unknown: fall back to the file
	if u := Estimate(info, Settings{}); u.WeightsFrom != "file" || u.Weights != 999 || u.Compute < computeAllowance {
		t.Errorf("unknown tensor type: %+v, want the file size and the flat allowance", u)
	}
	for in, want := range map[string]string{"": "f16", "F16": "f16", "Q8_0": "q8_0", "q4_0": "q4_0"} {
		if got, err := ParseKVCacheType(in); err != nil || got != want {
			t.Errorf("ParseKVCacheType(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseKVCacheType("q5_0"); err == nil {
		t.Error("q5_0 KV cache accepted")
	}
}
