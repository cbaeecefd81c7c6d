package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/engine/search"
)

// synthModel is a simulated model: skill per subject, how strongly it
// sticks to one wrong answer, and its speed.
type synthModel struct {
	name     string
	skill    map[string]float64
	stubborn float64 // chance that a wrong sample repeats the item's common wrong answer
	tokens   float64 // mean output tokens per sample
	msPerTok float64
}

var synthSubjects = []string{"Algebra", "Geometry", "Number Theory", "Probability", "Precalculus"}

var synthModels = []synthModel{
	{"qwen2.5:7b", map[string]float64{"Algebra": 0.78, "Geometry": 0.52, "Number Theory": 0.66, "Probability": 0.61, "Precalculus": 0.48}, 0.55, 520, 9},
	{"llama3.1:8b", map[string]float64{"Algebra": 0.58, "Geometry": 0.40, "Number Theory": 0.42, "Probability": 0.55, "Precalculus": 0.33}, 0.35, 410, 10},
	{"gemma2:9b", map[string]float64{"Algebra": 0.66, "Geometry": 0.58, "Number Theory": 0.50, "Probability": 0.47, "Precalculus": 0.45}, 0.65, 380, 12},
	{"mistral:7b", map[string]float64{"Algebra": 0.45, "Geometry": 0.36, "Number Theory": 0.38, "Probability": 0.42, "Precalculus": 0.28}, 0.25, 450, 8},
}

// synthRun makes a realistic run: per item a difficulty shifts every
// model's chance; wrong samples often repeat a per-item wrong answer.
func synthRun(nItems, k int, seed uint64) ([]runstore.Sample, []runstore.Item, runstore.Meta) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var samples []runstore.Sample
	var items []runstore.Item
	for i := range nItems {
		id := fmt.Sprintf("math-%03d", i)
		subj := synthSubjects[i%len(synthSubjects)]
		ref := fmt.Sprint(rng.IntN(1000))
		items = append(items, runstore.Item{ID: id, Question: "…", Reference: ref, Subject: subj})
		shared := rng.NormFloat64()
		usualWrong := fmt.Sprint(1000 + rng.IntN(1000))
		for _, m := range synthModels {
			difficulty := 0.9*shared + 0.9*rng.NormFloat64() // partly shared: models complement each other
			p := 1 / (1 + math.Exp(-(logit(m.skill[subj]) - difficulty)))
			mine := fmt.Sprint(2000 + rng.IntN(3)) // the model's own favourite mistake
			for j := range k {
				a := ref
				switch r := rng.Float64(); {
				case r < p:
				case rng.Float64() < m.stubborn:
					a = usualWrong
				case rng.Float64() < 0.4:
					a = mine
				case rng.Float64() < 0.15:
					a = ""
				default:
					a = fmt.Sprint(rng.IntN(100))
				}
				tok := int(m.tokens * (0.6 + 0.8*rng.Float64()))
				samples = append(samples, runstore.Sample{Item: id, Model: m.name, Sample: j, Answer: a, Correct: a == ref,
					PromptTokens: 180, OutputTokens: tok, DurationMS: float64(tok)*m.msPerTok + 40})
			}
		}
	}
	meta := runstore.Meta{Benchmark: "math500", Data: "synthetic", Samples: k, Seed: 0, Temperature: 0.3,
		PromptStyle: "paper", PromptHash: "sha256:synthetic", Created: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	for _, m := range synthModels {
		meta.Models = append(meta.Models, runstore.ModelMeta{Name: m.name, Digest: "sha256:" + fmt.Sprintf("%012x", rng.Uint64()>>16)})
	}
	return samples, items, meta
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// synthReport builds the report of a synthetic run of nItems items.
func synthReport(t testing.TB, nItems, k int) *Report {
	t.Helper()
	samples, items, meta := synthRun(nItems, k, 1)
	recs := make([]mux.Record, len(samples))
	cs := make([]search.CostSample, len(samples))
	for i, s := range samples {
		recs[i] = mux.Record{Item: s.Item, Model: s.Model, Sample: s.Sample, Answer: s.Answer, Correct: s.Correct}
		cs[i] = search.CostSample{Model: s.Model, OutputTokens: s.OutputTokens, DurationMS: s.DurationMS}
	}
	ds, err := mux.BuildDataset(recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	costs := search.CostsFromSamples(cs)
	sc := search.DefaultConfig(search.Paper)
	sc.KMax = 4
	sc.HoldOut, sc.Seed = 0.3, 1
	r, err := Build(Input{Dir: "runs/synthetic-math", Meta: &meta, Dataset: ds, Items: items, Costs: costs,
		Search: sc, Scale: search.ScaleConfig{Trials: 10, Seed: 1, Costs: costs}}, mux.SimConfig{Trials: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
