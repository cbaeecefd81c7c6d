package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/discuss"
	"github.com/slmmux/slmmux/engine/runstore"
)

// NewRunMeta is run.json for a live run of b's items under s, the
// settings its requests send: the benchmark, the sampling settings, the
// hash of the first item's prompt (a resume with another prompt is
// refused) and the time. The caller adds what only it knows: the data
// file, the limit, the prompt style and extractor as given, the models
// and the version.
func NewRunMeta(b benchmark.Benchmark, items []benchmark.Item, s Sampling) runstore.Meta {
	p := b.Prompt(items[0])
	h := sha256.Sum256([]byte(p.System + "\x00" + p.User))
	return runstore.Meta{
		Benchmark: b.Name(), Samples: s.Samples, Seed: s.Seed, SeedMode: s.Mode(),
		Temperature: s.Temperature, NumPredict: s.NumPredict, NumCtx: s.NumCtx, NumThread: s.NumThread,
		RepeatPenalty: s.RepeatPenalty, TopP: s.TopP, PromptHash: hex.EncodeToString(h[:8]), Created: time.Now().UTC(),
	}
}

// RunSpec is a live run folder's settings (eval, demo): what run.json
// records and the items the folder stores. One spec checks a folder
// before anything runs and creates (or resumes) it, locked, once the
// hosts are planned.
type RunSpec struct {
	Bench    benchmark.Benchmark
	Items    []benchmark.Item
	Sampling Sampling // as the hosts send it
	// Data names where the items came from (a file's absolute path, or
	// words for an embedded set); Limit is the items kept (0: all).
	Data  string
	Limit int
	// PromptStyle, Extractor and Extract are the benchmark's settings as
	// given (Extract "" for strict).
	PromptStyle, Extractor, Extract string
	Version                         string
	// Models and their Digests, and the Hosts, once known: Check before
	// the hosts are opened compares the rest.
	Models  []string
	Digests map[string]string
	Hosts   *Hosts
	// Discussion, when set, is the discussion method the run adds.
	Discussion *discuss.Config
	// Adaptive is the tie-break order an adaptively sampled run is exact
	// for (nil: every sample is drawn).
	Adaptive []string
}

// Meta is the spec's run.json.
func (r RunSpec) Meta() runstore.Meta {
	m := NewRunMeta(r.Bench, r.Items, r.Sampling)
	m.Data, m.Limit, m.PromptStyle, m.Extractor, m.Extract, m.Version = r.Data, r.Limit, r.PromptStyle, r.Extractor, r.Extract, r.Version
	if len(r.Models) > 0 {
		m.Models = RunModels(r.Sampling, r.Models, r.Digests)
	}
	if r.Hosts != nil {
		m.Hosts = r.Hosts.RunHosts()
	}
	if r.Discussion != nil {
		dc := r.Discussion.WithDefaults(r.Models)
		settings, _ := json.Marshal(dc)
		m.Methods = []runstore.MethodMeta{{Method: dc.Name(), Settings: settings, Prompts: dc.Templates()}}
	}
	m.Adaptive = r.Adaptive
	return m
}

// Check refuses a folder made with other settings; it writes nothing.
func (r RunSpec) Check(dir string) error {
	return runstore.Check(dir, r.Meta(), StoreItems(r.Items))
}

// Create creates or resumes the run folder for the spec (refusing one
// made with other settings) and returns it locked.
func (r RunSpec) Create(dir string) (*runstore.Lock, error) {
	return runstore.Create(dir, r.Meta(), StoreItems(r.Items))
}

// StoreItems is items as the run folder stores them.
func StoreItems(items []benchmark.Item) []runstore.Item {
	recs := make([]runstore.Item, len(items))
	for i, it := range items {
		recs[i] = runstore.Item{ID: it.ID, Question: it.Question, Reference: it.Reference, Subject: it.Subject}
	}
	return recs
}

// RunModels is run.json's models: each with its digest and the options
// every request to it sends under s.
func RunModels(s Sampling, ms []string, digests map[string]string) []runstore.ModelMeta {
	out := make([]runstore.ModelMeta, len(ms))
	for i, m := range ms {
		o := s.Sent(m)
		out[i] = runstore.ModelMeta{Name: m, Digest: digests[m], Options: &runstore.Sent{
			Temperature: o.Temperature, TopK: o.TopK, TopP: o.TopP, RepeatPenalty: o.RepeatPenalty,
			NumCtx: o.NumCtx, NumPredict: o.NumPredict, NumThread: o.NumThread,
		}}
	}
	return out
}

// RunHosts is run.json's hosts: each host's name and backend version.
func (p *Hosts) RunHosts() []runstore.HostMeta {
	out := make([]runstore.HostMeta, len(p.hosts))
	for i, h := range p.hosts {
		out[i] = runstore.HostMeta{Name: h.Name, Version: h.Version}
	}
	return out
}
