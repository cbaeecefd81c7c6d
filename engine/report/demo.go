package report

import (
	"time"

	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// DemoConfig is what Demo reports on: ComparePool's settings, the
// models' parameter counts, and what generating the run cost.
type DemoConfig struct {
	PoolConfig
	Params      map[string]int // parameters of every model (Pool's and Large)
	Temperature float64
	Wall        time.Duration            // the whole run's generation
	Walls       map[string]time.Duration // each model's own generation
	Run         string                   // the run folder
}

// DemoResult is the demo's comparison (demo --json).
type DemoResult struct {
	NItems      int                `json:"n_items"`
	Samples     int                `json:"samples"`
	Temperature float64            `json:"temperature"`
	Mux         Acc                `json:"mux"`
	Single      map[string]float64 `json:"single"`
	SingleSC    map[string]float64 `json:"single_sc"`
	// AgentForest breaks pooled-vote ties by the answer seen first;
	// AgentForestBestSupport by the SLM-MUX authors' best_support rule (the
	// answer whose best supporter has the highest validation accuracy).
	AgentForest            float64 `json:"agent_forest"`
	AgentForestBestSupport float64 `json:"agent_forest_best_support"`
	Oracle                 float64 `json:"oracle"`
	// BestPair is the best pair of pool models by search (paper
	// objective), measured by SLM-MUX; Large is the large generalist alone.
	BestPair    *DemoPair  `json:"best_pair,omitempty"`
	Large       *DemoLarge `json:"large,omitempty"`
	Tokens      int        `json:"output_tokens"`
	WallSeconds float64    `json:"wall_seconds"`
	Run         string     `json:"run"`
}

// Acc is an accuracy with its standard error.
type Acc struct {
	Accuracy float64 `json:"accuracy"`
	Stderr   float64 `json:"stderr"`
}

// DemoPair is DemoResult's best pair: SLM-MUX over two pool models, with
// what generating their samples cost (output tokens; wall time, each
// model's samples being generated on their own).
type DemoPair struct {
	Models       []string `json:"models"`
	Accuracy     float64  `json:"accuracy"`
	Stderr       float64  `json:"stderr"`
	Params       int      `json:"params"`
	OutputTokens int      `json:"output_tokens"`
	WallSeconds  float64  `json:"wall_seconds"`
}

// DemoLarge is DemoResult's large model alone, its accuracy that of one
// sample (mean over its k), AccuracySC its majority of k, and the cost of
// its k samples per question.
type DemoLarge struct {
	Model        string  `json:"model"`
	Params       int     `json:"params"`
	Accuracy     float64 `json:"accuracy"`
	Stderr       float64 `json:"stderr"`
	AccuracySC   float64 `json:"accuracy_sc"`
	OutputTokens int     `json:"output_tokens"`
	WallSeconds  float64 `json:"wall_seconds"`
}

// Demo compares, over a run's samples, SLM-MUX over the pool with its
// baselines, the best pair and the large model (ComparePool over dataset),
// with what each cost: output tokens from samples, wall times and
// parameters from cfg.
func Demo(cfg DemoConfig, samples []runstore.Sample, dataset func(models []string) (*mux.Dataset, error)) (*DemoResult, error) {
	c, err := ComparePool(cfg.PoolConfig, dataset)
	if err != nil {
		return nil, err
	}
	tokens := map[string]int{}
	for _, s := range samples {
		tokens[s.Model] += s.OutputTokens
	}
	res := c.Paper
	out := &DemoResult{NItems: res.NItems, Samples: cfg.K, Temperature: cfg.Temperature, Mux: Acc{res.Accuracy, res.Stderr},
		Single: res.Single, SingleSC: res.SingleSC, AgentForest: res.AgentForest,
		AgentForestBestSupport: c.Official.AgentForest, Oracle: res.Oracle, WallSeconds: cfg.Wall.Seconds(), Run: cfg.Run}
	for _, n := range tokens {
		out.Tokens += n
	}
	if c.Pair != nil {
		bp := &DemoPair{Models: c.Pair, Accuracy: c.PairResult.Accuracy, Stderr: c.PairResult.Stderr}
		for _, m := range c.Pair {
			bp.Params += cfg.Params[m]
			bp.OutputTokens += tokens[m]
			bp.WallSeconds += cfg.Walls[m].Seconds()
		}
		out.BestPair = bp
	}
	if lr := c.Large; lr != nil {
		lg := cfg.Large
		acc := lr.Single[lg]
		out.Large = &DemoLarge{Model: lg, Params: cfg.Params[lg], Accuracy: acc, Stderr: mux.Stderr(acc, lr.NItems),
			AccuracySC: lr.SingleSC[lg], OutputTokens: tokens[lg], WallSeconds: cfg.Walls[lg].Seconds()}
	}
	return out, nil
}
