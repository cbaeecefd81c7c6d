package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/slmmux/slmmux/engine/benchmark"
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
