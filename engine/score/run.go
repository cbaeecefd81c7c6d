package score

import (
	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/runstore"
)

// WriteRun makes dir a run folder of the graded records (or adds them to
// one made the same way), so mux, search, scale and report work on
// responses made by other tools: run.json, items.jsonl, one sample per
// matched response (its reply, the form voted on, and its verdict as
// correct) and exec.jsonl with the verdicts. data is the data file's path
// as run.json records it. Unmatched records are left out.
func WriteRun(dir, data string, b benchmark.Benchmark, items []benchmark.Item, recs []Record) error {
	k := 0 // the most responses of a model to an item (Match numbers them)
	for _, r := range recs {
		if r.Err == "" {
			k = max(k, r.Sample+1)
		}
	}
	meta := engine.NewRunMeta(b, items, engine.Sampling{Samples: max(k, 1)})
	meta.Data, meta.PromptStyle = data, "paper"
	for _, m := range Models(recs) {
		meta.Models = append(meta.Models, runstore.ModelMeta{Name: m})
	}
	lock, err := runstore.Create(dir, meta, engine.StoreItems(items))
	if err != nil {
		return err
	}
	defer lock.Close()
	byID := engine.ItemsByID(items)
	sw, err := runstore.OpenWriter(dir)
	if err != nil {
		return err
	}
	defer sw.Close()
	vw, err := runstore.OpenVerdicts(dir)
	if err != nil {
		return err
	}
	defer vw.Close()
	recorded := false
	for _, r := range recs {
		if r.Err != "" {
			continue
		}
		if sb, ok := engine.SandboxOf(r.Verdict); ok && !recorded {
			if err := runstore.SetSandbox(dir, sb); err != nil {
				return err
			}
			recorded = true
		}
		s := runstore.Sample{Item: r.Item, Model: r.Model, Sample: r.Sample, Response: r.Response.Response,
			Answer: b.Extract(r.Response.Response, byID[r.Item]), Correct: r.Verdict.Pass, Kind: engine.SampleKind(b.Kind())}
		if err := sw.Append(s); err != nil {
			return err
		}
		if err := vw.Append(engine.StoreVerdict(s.Key(), r.Verdict)); err != nil {
			return err
		}
	}
	if err := sw.Close(); err != nil {
		return err
	}
	return vw.Close()
}
