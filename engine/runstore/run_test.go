package runstore

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testMeta() Meta {
	return Meta{Benchmark: "jsonl", Samples: 3, Seed: 1, Temperature: 0.3, PromptStyle: "paper", PromptHash: "p",
		Models: []ModelMeta{{Name: "a"}}}
}

var testItems = []Item{{ID: "q1", Question: "1+1?", Reference: "2"}, {ID: "q2", Question: "2+2?", Reference: "4"}}

func TestCreateRefusesOtherSettingsAndWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	l, err := Create(dir, testMeta(), testItems)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	before, _ := os.ReadFile(filepath.Join(dir, MetaFile))
	for _, tc := range []struct {
		name  string
		edit  func(*Meta, *[]Item)
		field string
	}{
		{"samples", func(m *Meta, _ *[]Item) { m.Samples = 5 }, "samples 3, not 5"},
		{"seed", func(m *Meta, _ *[]Item) { m.Seed = 2 }, "seed 1, not 2"},
		{"temperature", func(m *Meta, _ *[]Item) { m.Temperature = 0.7 }, "temperature 0.3, not 0.7"},
		{"limit", func(m *Meta, _ *[]Item) { m.Limit = 1 }, "limit 0, not 1"},
		{"extractor", func(m *Meta, _ *[]Item) { m.Extractor = "number" }, "extractor auto, not number"},
		{"items", func(_ *Meta, it *[]Item) { *it = []Item{testItems[0], {ID: "q2", Question: "2+2?", Reference: "5"}} }, "items_hash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, items := testMeta(), append([]Item(nil), testItems...)
			tc.edit(&m, &items)
			_, err := Create(dir, m, items)
			var me *MismatchError
			if !errors.As(err, &me) || !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("err %v, want a mismatch naming %q", err, tc.field)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, MetaFile)); string(after) != string(before) {
				t.Fatal("run.json changed")
			}
		})
	}
	// More models are merged, not refused.
	m := testMeta()
	m.Models = []ModelMeta{{Name: "b"}}
	l, err = Create(dir, m, testItems)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	var got Meta
	if err := ReadJSON(dir, MetaFile, &got); err != nil || len(got.Models) != 2 || got.Models[0].Name != "a" {
		t.Fatalf("models %+v, %v: want a then b", got.Models, err)
	}
}

func TestCreateRefusesSamplesWithoutRunJSON(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, SamplesFile), []byte(`{"item":"q1","model":"a","sample":0,"answer":"2","correct":true}`+"\n"), 0o644)
	if _, err := Create(dir, testMeta(), testItems); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "no run.json") {
		t.Fatalf("err %v", err)
	}
}

func TestSecondWriterIsRefused(t *testing.T) {
	dir := t.TempDir()
	l, err := Create(dir, testMeta(), testItems)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(dir, testMeta(), testItems)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Fatalf("second writer: %v, want a LockedError naming pid %d", err, os.Getpid())
	}
	l.Close()
	l2, err := Create(dir, testMeta(), testItems)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Close()
}

func TestCreateCleansTempFilesAndWrites0644(t *testing.T) {
	dir := t.TempDir()
	stray := filepath.Join(dir, ".results.json.123")
	os.WriteFile(stray, []byte("{"), 0o600)
	l, err := Create(dir, testMeta(), testItems)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Error("a killed write's temp file is still there")
	}
	for _, f := range []string{MetaFile, ItemsFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, %v; want 0644", f, st.Mode().Perm(), err)
		}
	}
}

func TestConflictingDuplicateNamesBothLines(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, SamplesFile), []byte(
		`{"item":"q1","model":"a","sample":0,"answer":"2","correct":true}`+"\n"+
			`{"item":"q1","model":"a","sample":1,"answer":"3","correct":false}`+"\n"+
			`{"item":"q1","model":"a","sample":0,"answer":"2","correct":true}`+"\n"+ // same: kept once
			`{"item":"q1","model":"a","sample":0,"answer":"9","correct":false}`+"\n"), 0o644)
	_, err := ReadSamples(dir)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 4 || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err %v: want line 4 naming line 1", err)
	}
}
