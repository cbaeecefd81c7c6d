package mux

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestSamplerApply(t *testing.T) {
	esc := func(w int) Sampler { return Sampler{Kind: ESC, Window: w} }
	ac := func(p float64) Sampler { return Sampler{Kind: AC, Threshold: p} }
	cisc := func(tt float64) Sampler { return Sampler{Kind: CISC, Temperature: tt} }
	tests := []struct {
		name    string
		s       Sampler
		answers []string
		conf    []float64
		want    Outcome
	}{
		{"esc stops after the first agreeing window", esc(2), []string{"a", "b", "a", "a", "b"}, nil, Outcome{"a", 3, 4, 4}},
		{"esc with no agreeing window draws all", esc(2), []string{"a", "b", "c", "d", "e"}, nil, Outcome{"a", 1, 5, 5}},
		{"esc: one window", esc(3), []string{"x", "x", "x", "y", "y"}, nil, Outcome{"x", 3, 3, 3}},
		{"esc: empty answers never agree", esc(2), []string{"", "", "a", "a"}, nil, Outcome{"a", 2, 4, 2}},
		// The window agrees on a, but b came first with as many votes.
		{"esc answers the majority of all drawn", esc(2), []string{"b", "c", "b", "d", "a", "a"}, nil, Outcome{"b", 2, 6, 6}},
		{"esc default window 5 over 5 samples", Sampler{Kind: ESC}, []string{"a", "a", "a", "a", "a"}, nil, Outcome{"a", 5, 5, 5}},
		// (4,0): P(Bin(5,1/2) >= 5) = 1/32 <= 0.05.
		{"ac stops at four agreeing samples", ac(0.95), []string{"a", "a", "a", "a", "a"}, nil, Outcome{"a", 4, 4, 4}},
		// (3,0) 1/16, (5,1) 8/128 = 0.0625: go on; (6,1) 9/256 ≈ 0.035: stop.
		{"ac stops at 6 to 1", Sampler{Kind: AC}, []string{"a", "a", "a", "b", "a", "a", "a", "a"}, nil, Outcome{"a", 6, 7, 7}},
		// (3,0): 1/16 = 0.0625 <= 0.1.
		{"ac at 0.9 stops at three", ac(0.9), []string{"a", "a", "a", "a"}, nil, Outcome{"a", 3, 3, 3}},
		{"ac: empty answers do not count", ac(0.95), []string{"", "a", "", "a", "a", "a", "a"}, nil, Outcome{"a", 4, 6, 4}},
		// weights 1 for a, e^-3 ≈ 0.0498 for each b.
		{"cisc: one confident sample outweighs two", cisc(0.1), []string{"a", "b", "b"}, []float64{0.9, 0.6, 0.6}, Outcome{"a", 1, 3, 3}},
		// weights 1 for a, e^-0.3 ≈ 0.741 for each b.
		{"cisc at T=1 weighs less", cisc(1), []string{"a", "b", "b"}, []float64{0.9, 0.6, 0.6}, Outcome{"b", 2, 3, 3}},
		{"cisc ignores empty answers", cisc(0.1), []string{"", "a"}, []float64{1, 0.2}, Outcome{"a", 1, 2, 1}},
		{"cisc: a missing confidence counts as 0", cisc(0.1), []string{"a", "b"}, []float64{math.NaN(), 0.5}, Outcome{"b", 1, 2, 2}},
		{"all empty", cisc(0.1), []string{"", ""}, []float64{1, 1}, Outcome{"", 0, 2, 0}},
		{"sc draws all", Sampler{Kind: SC}, []string{"a", "b", "b"}, nil, Outcome{"b", 2, 3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Apply(tt.answers, tt.conf); got != tt.want {
				t.Errorf("%v over %q: got %+v, want %+v", tt.s, tt.answers, got, tt.want)
			}
		})
	}
}

func TestBetaTail(t *testing.T) {
	tests := []struct {
		a, b int
		want float64 // P(Bin(a+b+1, 1/2) >= a+1)
	}{
		{0, 0, 0.5},
		{3, 0, 1.0 / 16},
		{4, 0, 1.0 / 32},
		{2, 1, 5.0 / 16},
		{6, 1, 9.0 / 256},
		{5, 2, 37.0 / 256},
	}
	for _, tt := range tests {
		if got := betaTail(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("betaTail(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// sequences calls f with every sequence of 1 to n answers over "", a, b, c.
func sequences(n int, f func([]string)) {
	alphabet := []string{"", "a", "b", "c"}
	for length := 1; length <= n; length++ {
		idx := make([]int, length)
		for {
			seq := make([]string, length)
			for j, x := range idx {
				seq[j] = alphabet[x]
			}
			f(seq)
			j := 0
			for j < length && idx[j] == len(alphabet)-1 {
				idx[j] = 0
				j++
			}
			if j == length {
				break
			}
			idx[j]++
		}
	}
}

// Properties, over every sequence of up to 6 answers: ESC with a window of
// k, Adaptive-Consistency with threshold 1 and CISC with equal confidences
// draw every sample and answer the plain majority.
func TestSamplersReduceToMajority(t *testing.T) {
	n := 0
	sequences(6, func(seq []string) {
		n++
		want := ModelVote(Samples{Answers: seq}, Paper)
		conf := make([]float64, len(seq))
		for j := range conf {
			conf[j] = 0.7
		}
		for _, s := range []Sampler{{Kind: ESC, Window: len(seq)}, {Kind: AC, Threshold: 1}, {Kind: CISC}, {Kind: CISC, Temperature: 5}} {
			got := s.Apply(seq, conf)
			if got.Answer != want.Answer || got.Count != want.Count || got.Drawn != len(seq) {
				t.Fatalf("%v over %q: %+v, want the majority %q (%d) of all %d", s, seq, got, want.Answer, want.Count, len(seq))
			}
		}
	})
	if n != 4+16+64+256+1024+4096 {
		t.Fatalf("%d sequences", n)
	}
}

func TestParseSamplers(t *testing.T) {
	got, err := ParseSamplers("esc, ac,cisc,esc:3,AC:0.99,cisc:0.5,esc:5")
	want := []Sampler{{Kind: ESC}, {Kind: AC}, {Kind: CISC}, {Kind: ESC, Window: 3}, {Kind: AC, Threshold: 0.99}, {Kind: CISC, Temperature: 0.5}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	names := []string{}
	for _, s := range got {
		names = append(names, s.String())
	}
	if s := strings.Join(names, "|"); s != "ESC w=5|AC p=0.95|CISC T=0.1|ESC w=3|AC p=0.99|CISC T=0.5" {
		t.Errorf("names %s", s)
	}
	for _, bad := range []string{"foo", "esc,sc", "esc:0", "esc:x", "ac:0.5", "ac:1.2", "cisc:0", "cisc:-1", "cisc:inf", "", " , "} {
		var e *SamplerNameError
		if _, err := ParseSamplers(bad); !errors.As(err, &e) {
			t.Errorf("%q: %v, want a *SamplerNameError", bad, err)
		}
	}
}

// handPool: models A and B, five samples each; q1's right answer is 1,
// q2's is 5.
func handPool(t *testing.T) *Dataset {
	t.Helper()
	answers := map[[2]string][]string{
		{"q1", "A"}: {"1", "1", "2", "2", "1"},
		{"q1", "B"}: {"3", "3", "3", "3", "3"},
		{"q2", "A"}: {"5", "5", "5", "5", "5"},
		{"q2", "B"}: {"5", "6", "6", "6", "6"},
	}
	right := map[string]string{"q1": "1", "q2": "5"}
	var recs []Record
	for _, q := range []string{"q1", "q2"} {
		for _, m := range []string{"A", "B"} {
			for j, a := range answers[[2]string{q, m}] {
				recs = append(recs, Record{Item: q, Model: m, Sample: j, Answer: a, Correct: a == right[q]})
			}
		}
	}
	ds, err := BuildDataset(recs, []string{"A", "B"})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// handConf: CISC's confidences for handPool, [item][model][sample].
var handConf = Confidences{
	{{0.5, 0.5, 0.9, 0.9, 0.5}, {0.8, 0.8, 0.8, 0.8, 0.8}},
	{{0.9, 0.9, 0.9, 0.9, 0.9}, {1, 0.5, 0.5, 0.5, 0.5}},
}

func TestCompareSamplers(t *testing.T) {
	ds := handPool(t)
	sc := func(acc, samples, same float64) SamplerScore { return SamplerScore{acc, samples, same} }
	models := func(a, b SamplerScore) map[string]SamplerScore { return map[string]SamplerScore{"A": a, "B": b} }
	mx := func(s SamplerScore) *SamplerScore { return &s }
	samplers := []Sampler{{Kind: ESC, Window: 2}, {Kind: AC}, {Kind: CISC}}
	signals := []SignalConfidences{{Name: "logprob", Conf: handConf}, {Name: "verbalized", Missing: "not recorded"}}
	got := CompareSamplers(ds, samplers, signals, SimConfig{Profile: Paper})
	want := []SamplerRow{
		// Every sample: A answers 1 (3/5) and 5 (5/5), B 3 (5/5) and 6
		// (4/5); SLM-MUX takes B's 3 on q1 and A's 5 on q2.
		{Name: "SC (every sample)", Models: models(sc(1, 5, 1), sc(0, 5, 1)), Mux: mx(sc(0.5, 10, 1))},
		// Windows of 2: q1 A stops at 1 1 (2/2), B at 3 3 (2/2), the tie
		// goes to A (model order); q2 A stops at 5 5, B at 6 6 after 5 6
		// (6, 3/4 of 4 drawn).
		{Name: "ESC w=2", Models: models(sc(1, 2, 1), sc(0, 3, 1)), Mux: mx(sc(1, 5, 0.5))},
		// q1: A never stops (5 drawn, 1 at 3/5), B stops at four 3s (4/4);
		// q2: A stops at four 5s, B at 4 to 1 is not sure (5 drawn).
		{Name: "AC p=0.95", Models: models(sc(1, 4.5, 1), sc(0, 4.5, 1)), Mux: mx(sc(0.5, 9, 1))},
		// q1: A's two 2s at 0.9 outweigh three 1s at 0.5 (2, at 2/5); q2:
		// B's one 5 at 1 outweighs four 6s at 0.5 (5, at 1/5).
		{Name: "CISC T=0.1", Signal: "logprob", Models: models(sc(0.5, 5, 0.5), sc(0.5, 5, 0.5)), Mux: mx(sc(0.5, 10, 1))},
		{Name: "CISC T=0.1", Signal: "verbalized", Missing: "not recorded"},
		// q1: all of A (1 leads with 3), all of B (3 takes it with 5);
		// q2: A is unanimous at 5, B cannot pass it: 5 samples.
		{Name: ExactAdaptive, Mux: mx(sc(0.5, 7.5, 1))},
	}
	if !reflect.DeepEqual(got.Rows, want) || got.Items != 2 {
		for i := range max(len(got.Rows), len(want)) {
			if i >= len(got.Rows) || i >= len(want) || !reflect.DeepEqual(got.Rows[i], want[i]) {
				t.Errorf("row %d:\n got %s\nwant %s", i, dumpRow(got.Rows, i), dumpRow(want, i))
			}
		}
	}

	// Validation accuracies put B first: ESC's q1 tie goes to B's 3.
	got = CompareSamplers(ds, samplers[:1], nil, SimConfig{Profile: Paper, ValAcc: map[string]float64{"A": 0.5, "B": 0.6}})
	if m := got.Rows[1].Mux; *m != sc(0.5, 5, 1) {
		t.Errorf("ESC with B first: %+v", *m)
	}
	// Official: exact adaptive says why it has no numbers; CISC without
	// signals too.
	got = CompareSamplers(ds, samplers[2:], nil, SimConfig{Profile: Official})
	if r := got.Rows[1]; r.Missing != "no confidence signal" || r.Mux != nil {
		t.Errorf("CISC without signals: %+v", r)
	}
	if r := got.Rows[2]; r.Name != ExactAdaptive || r.Missing != ErrAdaptiveProfile.Error() || r.Mux != nil {
		t.Errorf("exact adaptive under official: %+v", r)
	}
}

func dumpRow(rows []SamplerRow, i int) string {
	if i >= len(rows) {
		return "none"
	}
	r := rows[i]
	s := r.Name + " " + r.Signal + " " + r.Missing
	if r.Mux != nil {
		s += fmt.Sprintf(" mux %+v", *r.Mux)
	}
	return s + fmt.Sprintf(" models %+v", r.Models)
}

func TestIndexConfidences(t *testing.T) {
	ds := handPool(t)
	var recs []ConfRecord
	for i, it := range ds.Items {
		for m, model := range ds.Models {
			for j := len(it.Samples[m]) - 1; j >= 0; j-- { // out of order
				recs = append(recs, ConfRecord{Item: it.ID, Model: model, Sample: j, Value: handConf[i][m][j], Has: true})
			}
		}
	}
	got, err := IndexConfidences(ds, recs)
	if err != nil || !reflect.DeepEqual(got, handConf) {
		t.Fatalf("got %v, %v", got, err)
	}
	recs[0].Has, recs[3].Has = false, false
	var e *ConfidenceError
	if _, err := IndexConfidences(ds, recs); !errors.As(err, &e) || e.Missing != 2 || e.Answered != 20 {
		t.Fatalf("two missing: %v", err)
	}
	if _, err := IndexConfidences(ds, recs[1:]); err == nil || errors.As(err, &e) {
		t.Fatalf("a record short: %v", err)
	}
}

func TestSamplerTable(t *testing.T) {
	rep := SamplerReport{Items: 2, Models: []string{"A"}, Rows: []SamplerRow{
		{Name: "ESC w=5", Models: map[string]SamplerScore{"A": {0.5, 4.5, 1}}, Mux: &SamplerScore{0.25, 4.5, 0.5}},
		{Name: "CISC T=0.1", Signal: "logprob", Missing: "not recorded"},
	}}
	cells, notes := rep.Table()
	want := [][]string{
		{"sampler", "SLM-MUX", "samples/q", "same", "A", "samples/q"},
		{"ESC w=5", "25.0 %", "4.50", "50.0 %", "50.0 %", "4.50"},
		{"CISC T=0.1 (logprob)", "-", "-", "-", "-", "-"},
	}
	if !reflect.DeepEqual(cells, want) || !reflect.DeepEqual(notes, []string{"CISC T=0.1 (logprob): not recorded"}) {
		t.Errorf("cells %q, notes %q", cells, notes)
	}
}
