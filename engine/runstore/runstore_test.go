package runstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustWriter(t *testing.T, dir string) *Writer {
	t.Helper()
	w, err := OpenWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestAppendAndResume(t *testing.T) {
	dir := t.TempDir()
	w := mustWriter(t, dir)
	for i := range 3 {
		if err := w.Append(Sample{Item: "q1", Model: "m", Sample: i, Answer: "1", Correct: i == 0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Append(Sample{Item: "q1", Model: "m", Sample: 1}); err != nil { // already stored: ignored
		t.Fatal(err)
	}
	w.Close()
	w2 := mustWriter(t, dir)
	if w2.Count() != 3 || !w2.Done(Key{"q1", "m", 2}) || w2.Done(Key{"q1", "m", 3}) {
		t.Fatalf("resume saw %d samples", w2.Count())
	}
	got, err := ReadSamples(dir)
	if err != nil || len(got) != 3 || !got[0].Correct || got[1].Correct {
		t.Fatalf("read %+v, %v", got, err)
	}
}

func TestCrashCutLastLine(t *testing.T) {
	for _, tail := range []string{`{"item":"q1","model":"m","sam`, `{"item":"q1","model":"m","sample":1,"answer":"","correct":false}`} {
		dir := t.TempDir()
		path := filepath.Join(dir, SamplesFile)
		whole := `{"item":"q1","model":"m","sample":0,"answer":"2","correct":true}` + "\n"
		if err := os.WriteFile(path, []byte(whole+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		w := mustWriter(t, dir)
		if err := w.Append(Sample{Item: "q2", Model: "m", Sample: 0, Answer: "3"}); err != nil {
			t.Fatal(err)
		}
		w.Close()
		got, err := ReadSamples(dir)
		if err != nil {
			t.Fatalf("tail %q: %v", tail, err)
		}
		keys := []string{}
		for _, s := range got {
			keys = append(keys, s.Item)
		}
		want := 2
		if strings.HasSuffix(tail, "}") {
			want = 3 // a whole line that only lacked its newline is kept
		}
		if len(got) != want {
			t.Fatalf("tail %q: got %v", tail, keys)
		}
	}
}

func TestMalformedLineNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	body := `{"item":"q1","model":"m","sample":0,"answer":"2","correct":true}
not json
{"item":"q1","model":"m","sample":1,"answer":"2","correct":true}
`
	os.WriteFile(filepath.Join(dir, SamplesFile), []byte(body), 0o644)
	_, err := ReadSamples(dir)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), "samples.jsonl:2") {
		t.Fatalf("got %v", err)
	}
	if _, err := OpenWriter(dir); err == nil {
		t.Fatal("writer opened a corrupt file")
	}
}

func TestRequiredFields(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, SamplesFile), []byte(`{"item":"q1","model":"m","sample":0,"answer":"2"}`+"\n"), 0o644)
	if _, err := ReadSamples(dir); err == nil || !strings.Contains(err.Error(), `missing "correct"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := ReadSamples(t.TempDir()); !errors.Is(err, ErrNoSamples) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := Meta{Benchmark: "gsm8k", Models: []ModelMeta{{Name: "a", Digest: "x"}}, Samples: 3}
	if err := WriteJSON(dir, MetaFile, m); err != nil {
		t.Fatal(err)
	}
	var got Meta
	if err := ReadJSON(dir, MetaFile, &got); err != nil || got.Models[0].Digest != "x" {
		t.Fatalf("%+v %v", got, err)
	}
}

// A last line that is not JSON, newline and all (a crash can leave a block
// of NULs at a file's end), is cut off on resume like a partial line; the
// same line above the last stays an error.
func TestCrashGarbageLastLine(t *testing.T) {
	whole := `{"item":"q1","model":"m","sample":0,"answer":"2","correct":true}` + "\n"
	for _, tail := range []string{strings.Repeat("\x00", 4096) + "\n", `{"item":"q1","mo` + "\n\n", "\x00\x00\n  \n"} {
		dir := t.TempDir()
		path := filepath.Join(dir, SamplesFile)
		if err := os.WriteFile(path, []byte(whole+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		w := mustWriter(t, dir)
		if w.Count() != 1 {
			t.Fatalf("tail %q: resume saw %d samples", tail, w.Count())
		}
		if err := w.Append(Sample{Item: "q2", Model: "m", Sample: 0, Answer: "3"}); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if got, err := ReadSamples(dir); err != nil || len(got) != 2 {
			t.Fatalf("tail %q: read %+v, %v", tail, got, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, SamplesFile), []byte(whole+strings.Repeat("\x00", 64)+"\n"+whole), 0o644)
	var le *LineError
	if _, err := OpenWriter(dir); !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("garbage above the last line: %v", err)
	}
}

// TestResumeOnAnotherDaemonVersion: a run resumed on another daemon
// version says so, and run.json keeps both versions.
func TestResumeOnAnotherDaemonVersion(t *testing.T) {
	dir := t.TempDir()
	items := []Item{{ID: "q1", Question: "1+1?", Reference: "2"}}
	meta := Meta{Benchmark: "jsonl", Samples: 1, Hosts: []HostMeta{{Name: "local", Version: "ollama 0.24.0"}}}
	l, err := Create(dir, meta, items)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Notes) != 0 {
		t.Errorf("a new run has nothing to say: %q", l.Notes)
	}
	l.Close()
	if l, err = Create(dir, meta, items); err != nil || len(l.Notes) != 0 {
		t.Fatalf("the same version: %v, %q", err, l.Notes)
	}
	l.Close()
	meta.Hosts[0].Version = "ollama 0.33.0"
	l, err = Create(dir, meta, items)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if len(l.Notes) != 1 || !strings.Contains(l.Notes[0], "0.33.0") || !strings.Contains(l.Notes[0], "0.24.0") || !strings.Contains(l.Notes[0], "repeat_penalty") {
		t.Errorf("notes %q: must name both versions and the pinned options", l.Notes)
	}
	var got Meta
	if err := ReadJSON(dir, MetaFile, &got); err != nil || len(got.Hosts) != 2 {
		t.Errorf("run.json hosts %+v (%v): both versions kept", got.Hosts, err)
	}
}
