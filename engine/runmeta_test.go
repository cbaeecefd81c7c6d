package engine

import (
	"errors"
	"testing"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/runstore"
)

// A run spec checks a folder before the hosts are known and creates it
// once they are; a resume with other settings is refused.
func TestRunSpecCheckCreate(t *testing.T) {
	b, err := benchmark.New("jsonl", benchmark.Config{Extractor: "number"})
	if err != nil {
		t.Fatal(err)
	}
	spec := RunSpec{Bench: b, Items: []benchmark.Item{{ID: "1", Question: "1+1", Reference: "2"}}, Sampling: Sampling{Samples: 3, Temperature: 0.3},
		Data: "embedded", Limit: 1, PromptStyle: "paper", Extractor: "number", Version: "test"}
	if m := spec.Meta(); m.Models != nil || m.Hosts != nil || m.Methods != nil || m.Data != "embedded" || m.Limit != 1 || m.Extractor != "number" {
		t.Errorf("Meta before the hosts = %+v", m)
	}
	dir := t.TempDir()
	if err := spec.Check(dir); err != nil {
		t.Fatalf("Check on a new folder: %v", err)
	}
	spec.Models, spec.Digests = []string{"a", "b"}, map[string]string{"a": "sha256:1"}
	lock, err := spec.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	lock.Close()
	var meta runstore.Meta
	if err := runstore.ReadJSON(dir, runstore.MetaFile, &meta); err != nil || len(meta.Models) != 2 || meta.Models[0].Digest != "sha256:1" {
		t.Errorf("run.json models = %+v, %v", meta.Models, err)
	}
	other := spec
	other.Sampling.Samples = 5
	if err := other.Check(dir); !errors.Is(err, runstore.ErrMismatch) {
		t.Errorf("Check with other samples: %v, want ErrMismatch", err)
	}
	spec.Discussion = &discuss.Config{Method: discuss.MoA}
	if m := spec.Meta(); len(m.Methods) != 1 || m.Methods[0].Method != spec.Discussion.WithDefaults(spec.Models).Name() {
		t.Errorf("Meta with a discussion: %+v", m.Methods)
	}
}
