package runstore

import (
	"os"
	"path/filepath"
	"testing"
)

func TestVerdictsResumeAndOverlay(t *testing.T) {
	dir := t.TempDir()
	w := mustWriter(t, dir)
	for i := range 2 {
		if err := w.Append(Sample{Item: "q1", Model: "m", Sample: i, Answer: "def f(): pass"}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	vw, err := OpenVerdicts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := vw.Append(Verdict{Item: "q1", Model: "m", Sample: 1, Pass: true}); err != nil {
		t.Fatal(err)
	}
	if err := vw.Append(Verdict{Item: "q1", Model: "m", Sample: 1, Pass: false}); err != nil { // graded already: ignored
		t.Fatal(err)
	}
	vw.Close()
	// A crash cut the next line mid-write.
	f, err := os.OpenFile(filepath.Join(dir, ExecFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"item":"q1","model":"m","sam`)
	f.Close()
	vw, err = OpenVerdicts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !vw.Done(Key{"q1", "m", 1}) || vw.Done(Key{"q1", "m", 0}) {
		t.Fatal("resume: sample 1 is graded, sample 0 is not")
	}
	if err := vw.Append(Verdict{Item: "q1", Model: "m", Sample: 0, Pass: false, Reason: "AssertionError"}); err != nil {
		t.Fatal(err)
	}
	vw.Close()
	vs, err := ReadVerdicts(dir)
	if err != nil || len(vs) != 2 || !vs[Key{"q1", "m", 1}].Pass || vs[Key{"q1", "m", 0}].Reason != "AssertionError" {
		t.Fatalf("verdicts %+v, %v", vs, err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Graded != 2 || r.Samples[0].Correct || !r.Samples[1].Correct {
		t.Errorf("Load: graded %d, samples %+v: correct must come from the verdicts", r.Graded, r.Samples)
	}
}
