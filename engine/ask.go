package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// ErrNoModels reports an Ask with no models to ask.
var ErrNoModels = errors.New("no models to ask")

// AskConfig configures Ask.
type AskConfig struct {
	Models   []string
	Sampling Sampling
	Profile  mux.Profile
	ValAcc   map[string]float64 // tie-break accuracies; nil = model order
	// Waves groups the models that may be loaded together: each wave runs
	// its models concurrently, waves run in sequence. Nil means one wave
	// per model (sequential), the safe choice when sizes are unknown.
	Waves [][]string
	// Progress, when set, is called after each sample.
	Progress func(Progress)
	// WaveDone, when set, is called after a wave and before its unload.
	WaveDone func(ctx context.Context, wave []string)
	// BackendWait, RequestTimeout and Waiting are as in EvalConfig.
	BackendWait, RequestTimeout time.Duration
	Waiting                     func(err error, waited time.Duration)
	// Confidence is the per-model confidence signal; nil is consistency
	// (engine/mux's rule). EmbedModel embeds replies for the signals that
	// need it ("": each model itself).
	Confidence confidence.Signal
	EmbedModel string
	// Adaptive turns on exact adaptive sampling (paper profile only): the
	// same answer and winner as full sampling from fewer generations.
	Adaptive bool
	// KeepAlive is EvalConfig.KeepAlive.
	KeepAlive *time.Duration
	// Kind is what the question's answer is: answer.Auto chooses from the
	// replies (what ask and serve do without a benchmark); "" is
	// answer.Short, equality on extracted answers.
	Kind answer.Kind
}

// ErrAdaptiveProfile reports adaptive sampling under the official
// profile, whose denominators cannot be bounded before sampling.
var ErrAdaptiveProfile = errors.New("adaptive sampling needs the paper profile (confidence = count / k)")

// adaptive is the tracker cfg asks for, or nil. Adaptive sampling bounds
// counts of equal short answers: a code or text question draws every
// sample (nil), and an automatic one every sample once a reply is not a
// short answer.
func (cfg AskConfig) adaptive() *Adaptive {
	if !cfg.Adaptive || cfg.Kind == answer.Code || cfg.Kind == answer.Text {
		return nil
	}
	a := NewAdaptive(cfg.Sampling.Samples, Priority(cfg.Models, cfg.ValAcc))
	a.auto = cfg.Kind == answer.Auto
	return a
}

// Answer is the outcome of Ask.
type Answer struct {
	Answer     string
	Model      string // the winner; "" when no model answered
	Confidence float64
	Models     []ModelAnswer
	Wall       time.Duration
	Loads      int // model loads the question caused (Ask only)
	// Signal is the confidence signal that chose ("" = consistency).
	Signal confidence.Method
	// Reply is a whole reply of the winning model that carries the
	// answer: its first sample with the winning answer (short), its medoid
	// (code, text, the embedding signal); "" when no model answered.
	Reply string
	// Kind is the question's kind (Auto resolved).
	Kind answer.Kind
	// Measure is how code and text samples were compared ("" for short).
	Measure answer.Measure
	// NotNeeded counts the samples adaptive sampling did not generate.
	NotNeeded int
}

// ModelAnswer is one model's part of an Answer.
type ModelAnswer struct {
	Model   string `json:"model"`
	Answer  string `json:"answer"`
	Votes   int    `json:"votes"`
	Samples int    `json:"samples"`
	// Drawn is how many samples were generated (below Samples when
	// adaptive sampling stopped the model early).
	Drawn      int      `json:"drawn"`
	Confidence float64  `json:"confidence"`
	Answers    []string `json:"answers"`
	Responses  []string `json:"responses,omitempty"`
	Tokens     int      `json:"output_tokens"`
	// PromptTokens sums the prompt tokens of its samples.
	PromptTokens int    `json:"prompt_tokens,omitempty"`
	Error        string `json:"error,omitempty"`
	Err          error  `json:"-"` // the error behind Error

	// Medoid is the index of the sample that is the model's answer on a
	// code or text question (nil for short answers, and when it has none).
	Medoid *int `json:"medoid,omitempty"`

	// FollowUps and FollowUpTokens count the verbalized signal's extra
	// generations (one per sample) and their prompt and output tokens.
	FollowUps      int `json:"follow_ups,omitempty"`
	FollowUpTokens int `json:"follow_up_tokens,omitempty"`
}

// AskItemID is the item id Ask gives a question that has none.
const AskItemID = "ask"

// ItemID is the item id of a question by its content: the same system
// prompt and question always get the same id, so their samples' seeds
// (Sampling.SampleSeed) depend on what was asked, never on when, with
// what else, or where. Serve names every request this way.
func ItemID(system, question string) string {
	h := sha256.Sum256([]byte(system + "\x00" + question))
	return "q" + hex.EncodeToString(h[:8])
}

// Validate checks an ask's settings before anything is generated.
func (cfg AskConfig) Validate() error {
	if err := cfg.Sampling.Validate(); err != nil {
		return err
	}
	if len(cfg.Models) == 0 {
		return ErrNoModels
	}
	if cfg.Adaptive && cfg.Profile == mux.Official {
		return ErrAdaptiveProfile
	}
	if cfg.Adaptive && cfg.Confidence != nil && cfg.Confidence.Method() != confidence.Consistency {
		return fmt.Errorf("%w: adaptive sampling bounds consistency's counts, not %s", ErrInvalid, cfg.Confidence.Method())
	}
	return nil
}

// evalConfig is the Eval that collects an ask's samples: the one mapping
// from AskConfig to EvalConfig, whoever runs it (one backend, several
// hosts, serve's scheduler).
func (cfg AskConfig) evalConfig() EvalConfig {
	return EvalConfig{
		Models: cfg.Models, Sampling: cfg.Sampling, Order: ModelMajor, Waves: cfg.Waves,
		Progress: cfg.Progress, WaveDone: cfg.WaveDone,
		BackendWait: cfg.BackendWait, RequestTimeout: cfg.RequestTimeout, Waiting: cfg.Waiting,
		Needs: needs(cfg.Confidence), EmbedModel: cfg.EmbedModel,
		EmbedText: cfg.EmbedModel != "" && (cfg.Kind == answer.Auto || cfg.Kind == answer.Text),
		Adaptive:  cfg.adaptive(), KeepAlive: cfg.KeepAlive,
	}
}

// evalFunc collects samples into a sink: Engine.Eval, a host list's plan,
// or the scheduler's queue.
type evalFunc func(ctx context.Context, b benchmark.Benchmark, items []benchmark.Item, w Sink, cfg EvalConfig) (EvalStats, error)

// ask is every Ask: an Eval over the one item into memory, then SLM-MUX
// over its samples. A model dropped from the Eval counts as failed with
// the reason.
func ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, cfg AskConfig, eval evalFunc) (Answer, EvalStats, error) {
	if err := cfg.Validate(); err != nil {
		return Answer{}, EvalStats{}, err
	}
	start := time.Now()
	if it.ID == "" {
		it.ID = AskItemID
	}
	sink := newMemSink()
	stats, err := eval(ctx, b, []benchmark.Item{it}, sink, cfg.evalConfig())
	if err != nil {
		return Answer{}, stats, err
	}
	errs := map[string]error{}
	for m, e := range stats.Errs {
		errs[m] = e
	}
	for m, why := range stats.Dropped {
		if errs[m] == nil {
			errs[m] = errors.New(why)
		}
	}
	ans, err := Tally(it.ID, cfg, sink.get, errs, start)
	ans.Loads, ans.NotNeeded = stats.Loads, stats.NotNeeded
	return ans, stats, err
}

// Ask samples every model k times on one question and applies SLM-MUX, on
// this one backend with cfg.Waves. A model whose requests fail is reported
// with its error and left out of the vote; Ask fails only when every model
// fails (with their errors joined) or ctx ends. The item's ID names its
// samples' seeds ("": AskItemID).
func (e *Engine) Ask(ctx context.Context, b benchmark.Benchmark, it benchmark.Item, cfg AskConfig) (Answer, error) {
	ans, _, err := ask(ctx, b, it, cfg, e.Eval)
	return ans, err
}

// Tally applies SLM-MUX to one item's samples, as Ask does after its
// Eval: get returns a stored sample, errs each model's last error. A model
// missing samples is reported with its error and left out of the vote.
// Callers that batch several questions into one Eval (the server) tally
// each question with it.
func Tally(item string, cfg AskConfig, get func(runstore.Key) (runstore.Sample, bool), errs map[string]error, start time.Time) (Answer, error) {
	k := cfg.Sampling.Samples
	res := make([]ModelAnswer, len(cfg.Models))
	for i, m := range cfg.Models {
		r := ModelAnswer{Model: m, Samples: k, Answers: make([]string, k), Responses: make([]string, k)}
		got := 0
		for j := range k {
			s, ok := get(runstore.Key{Item: item, Model: m, Sample: j})
			if !ok {
				continue
			}
			got++
			r.Drawn++
			r.Answers[j], r.Responses[j] = s.Answer, s.Response
			r.Tokens += s.OutputTokens
			r.PromptTokens += s.PromptTokens
		}
		if got < k && (!cfg.Adaptive || errs[m] != nil) {
			r.Err = errs[m]
			if r.Err == nil {
				r.Err = errors.New("some samples were not generated")
			}
			r.Error = r.Err.Error()
		}
		res[i] = r
	}
	if cfg.Confidence != nil && cfg.Confidence.Method() != confidence.Consistency {
		return chooseSignal(item, res, cfg, get, start)
	}
	return chooseKind(item, res, cfg, get, start)
}

func choose(res []ModelAnswer, cfg AskConfig, start time.Time) (Answer, error) {
	var samples []mux.Samples
	var kept []int
	var errs []error
	for i, r := range res {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		samples = append(samples, mux.Samples{Model: r.Model, Answers: r.Answers})
		kept = append(kept, i)
	}
	if len(kept) == 0 {
		return Answer{Models: res}, errors.Join(errs...)
	}
	ch := mux.Select(samples, cfg.ValAcc, cfg.Profile)
	out := Answer{Answer: ch.Answer, Models: res, Wall: time.Since(start), Kind: answer.Short}
	for vi, v := range ch.Votes {
		r := &res[kept[vi]]
		r.Answer, r.Votes, r.Confidence = v.Answer, v.Count, v.Confidence()
		if vi == ch.Winner {
			out.Model, out.Confidence = v.Model, v.Confidence()
			out.Reply = r.Responses[slices.Index(r.Answers, v.Answer)]
		}
	}
	return out, nil
}

// unloadTimeout bounds the unloads at a wave's end, which run on a fresh
// context so that a cancelled run still frees the daemon's memory.
const unloadTimeout = 5 * time.Second

// unload frees the wave's models when the backend can, so that nothing
// stays resident by accident, also when ctx was cancelled.
func (e *Engine) unload(ctx context.Context, wave []string) {
	u, ok := e.gen.(Unloader)
	if !ok {
		return
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unloadTimeout)
	defer cancel()
	for _, m := range wave {
		if err := u.Unload(uctx, m); err != nil {
			e.log.Debug("unload failed", "model", m, "err", err)
		}
	}
}
