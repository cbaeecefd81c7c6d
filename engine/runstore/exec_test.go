package runstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// exec.jsonl's last line that is not JSON at all (a crash's block of NULs)
// is cut off on resume, as samples.jsonl's is; above the last it stays an
// error.
func TestVerdictsCrashGarbageLastLine(t *testing.T) {
	line := `{"item":"q1","model":"m","sample":0,"pass":true}` + "\n"
	for _, tail := range []string{strings.Repeat("\x00", 4096) + "\n", "\x00\x00\n  \n"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ExecFile), []byte(line+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		vw, err := OpenVerdicts(dir)
		if err != nil {
			t.Fatalf("tail %q: %v", tail, err)
		}
		if err := vw.Append(Verdict{Item: "q1", Model: "m", Sample: 1}); err != nil {
			t.Fatal(err)
		}
		vw.Close()
		if vs, err := ReadVerdicts(dir); err != nil || len(vs) != 2 || !vs[Key{"q1", "m", 0}].Pass {
			t.Fatalf("tail %q: %+v, %v", tail, vs, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ExecFile), []byte(line+strings.Repeat("\x00", 64)+"\n"+line), 0o644)
	var le *LineError
	if _, err := OpenVerdicts(dir); !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("garbage above the last line: %v", err)
	}
}
