package runstore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// decodeLines are lines the fast path must read exactly as encoding/json
// does, or hand to it.
var decodeLines = []string{
	`{"item":"q1","model":"m","sample":0,"seed":3,"response":"so \\boxed{2}\n","answer":"2","correct":true,"prompt_tokens":12,"output_tokens":40,"duration_ms":101.5,"load_ms":0.25}`,
	`{"item":"q1","model":"m","sample":1,"answer":"","correct":false}`,
	`{ "item" : "q\u00e9" , "model":"m", "sample": 2, "answer": "\\frac{1}{2}", "correct": false }`,
	`{"item":"é","model":"m","sample":0,"answer":"x","correct":true}`,
	`{"Item":"q1","model":"m","sample":0,"answer":"x","correct":true}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"extra":{"a":[1,2]}}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"seed":null}`,
	`{"item":"q1","model":"m","sample":"0","answer":"x","correct":true}`,
	`{"item":"q1","model":"m","sample":007,"answer":"x","correct":true}`,
	`{"item":"q1","model":"m","sample":-0,"answer":"x","correct":true}`,
	`{"item":"q1","model":"m","sample":1e2,"answer":"x","correct":true}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"duration_ms":1.}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"duration_ms":-1.5e+3}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"duration_ms":NaN}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":tru}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x"}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true}trailing`,
	`{"item":"q1","item":"q2","model":"m","sample":0,"answer":"x","correct":true}`,
	`{"item":"a\"b","model":"m","sample":0,"answer":"x\\","correct":true}`,
	`{"item":"bad \xff utf8","model":"m","sample":0,"answer":"x","correct":true}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"logprob_mean":-0.25,"logprob_min":-3.5e-1,"verbal_confidence":0.85,"verbal_reply":"85","verbal_tokens":30,"embedding":[0.1,-2e-3,3,0.123456789012]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"embedding":[]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"embedding":[ 1 , 2 ]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"embedding":[1,]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"embedding":[1e40]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"embedding":[01]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"embedding":[1 2]}`,
	`{"item":"q1","model":"m","sample":0,"answer":"x","correct":true,"logprob_mean":null}`,
	`[]`, `{}`, `{"item"`, ``,
}

func TestFastDecodeAgreesWithEncodingJSON(t *testing.T) {
	for i, line := range decodeLines {
		for _, resp := range []bool{true, false} {
			t.Run(fmt.Sprintf("line%d/response=%v", i, resp), func(t *testing.T) {
				checkDecode(t, []byte(line), resp)
			})
		}
	}
}

func checkDecode(t *testing.T, b []byte, resp bool) {
	t.Helper()
	got, gerr := decodeSample(b, resp)
	want, werr := slowSample(b, resp)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("%q: error %v, encoding/json says %v", b, gerr, werr)
	}
	if gerr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got  %+v\n want %+v", b, got, want)
	}
}

func FuzzDecodeSample(f *testing.F) {
	for _, l := range decodeLines {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecode(t, b, true)
		checkDecode(t, b, false)
	})
}

// TestSamplesRoundTrip: what Append writes, Load reads back the same.
func TestSamplesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w := mustWriter(t, dir)
	seed := 7
	in := Sample{Item: "q\"1", Model: "m:é", Sample: 2, Seed: &seed, Response: "r \\boxed{x}\n\ttab", Answer: "x",
		Correct: true, PromptTokens: 3, OutputTokens: 9, DurationMS: 12.25, LoadMS: 0.5, Error: "e"}
	mean, lo, v, vr := -0.3, -2.5, 0.7, "70"
	in.LogprobMean, in.LogprobMin, in.Verbal, in.VerbalReply, in.VerbalTokens = &mean, &lo, &v, &vr, 21
	in.Embedding = []float32{0.25, -1e-3, 0.123456789}
	if err := w.Append(in); err != nil {
		t.Fatal(err)
	}
	w.Close()
	got, err := ReadSamples(dir)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], in) {
		t.Fatalf("read %+v, %v; want %+v", got, err, in)
	}
	r, err := Load(dir)
	in.Response = ""
	if err != nil || !reflect.DeepEqual(r.Samples[0], in) {
		t.Fatalf("load %+v, %v", r, err)
	}
}

func BenchmarkLoadRun(b *testing.B) {
	dir := b.TempDir()
	writeSyntheticRun(b, dir, 40, 500, 5)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadRunEncodingJSON is the same load through encoding/json
// alone, the baseline of the fast path.
func BenchmarkLoadRunEncodingJSON(b *testing.B) {
	dir := b.TempDir()
	writeSyntheticRun(b, dir, 40, 500, 5)
	path := filepath.Join(dir, SamplesFile)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := scanWith(path, slowSample, func(Sample, int) error { n++; return nil }); err != nil || n != 100000 {
			b.Fatal(err, n)
		}
	}
}

// writeSyntheticRun writes models x items x k samples with replies of a
// typical length.
func writeSyntheticRun(tb testing.TB, dir string, models, items, k int) {
	tb.Helper()
	f, err := os.Create(filepath.Join(dir, SamplesFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	for m := range models {
		for i := range items {
			for j := range k {
				seed := j
				a := fmt.Sprint((m + i + j) % 4)
				b, _ := json.Marshal(Sample{Item: fmt.Sprintf("q%d", i), Model: fmt.Sprintf("m%02d", m), Sample: j, Seed: &seed,
					Response: "Let me think step by step. The answer is \\boxed{" + a + "} because of reasons that go on for a while.",
					Answer:   a, Correct: a == "0", PromptTokens: 120, OutputTokens: 40 + j, DurationMS: 100.5, LoadMS: 0.1})
				f.Write(append(b, '\n'))
			}
		}
	}
}

// A sample's kind is read by the fast path and by encoding/json alike.
func TestSampleKindDecodes(t *testing.T) {
	line := []byte(`{"item":"q","model":"m","sample":0,"response":"x","answer":"def f():\n    return 1","correct":true,"kind":"code"}`)
	fast, ok := fastSample(line, true, nil)
	slow, err := slowSample(line, true)
	if !ok || err != nil || fast.Kind != "code" || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("fast %+v (%v), slow %+v (%v)", fast, ok, slow, err)
	}
}
