package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
	"github.com/slmmux/slmmux/models"
)

// Embedder is implemented by backends that embed texts (the embedding and
// probe confidence signals): one vector per text, in order. opts carries
// the runner options (NumCtx, NumThread) of a model that also generates.
type Embedder interface {
	Embed(ctx context.Context, model string, texts []string, opts models.Options) ([][]float32, error)
}

// ErrNoLogprobs reports a backend that answered a request for token
// log-probabilities without them; it stops the run.
var ErrNoLogprobs = errors.New("the backend returned no token log-probabilities")

// ErrNoEmbedder reports a signal that needs embeddings on a backend
// without them.
var ErrNoEmbedder = errors.New("the backend cannot embed texts")

// extras is what a sample's confidence signal needs besides its reply.
type extras struct {
	lpMean, lpMin *float64
	verbal        *float64
	verbalReply   *string
	verbalTokens  int
	embedding     []float32
}

func (x extras) apply(s *runstore.Sample) {
	s.LogprobMean, s.LogprobMin = x.lpMean, x.lpMin
	s.Verbal, s.VerbalReply, s.VerbalTokens = x.verbal, x.verbalReply, x.verbalTokens
	s.Embedding = x.embedding
}

// extras gathers what cfg.Needs asks for one generated sample: the reply's
// mean and min token log-probability (over every generated token that has
// one: Ollama gives none for the end token), a greedy follow-up
// generation asking for a 0-100 rating (verbalized), and the reply's
// embedding by cfg.EmbedModel, else the model itself.
func (r *evalRun) extras(ctx context.Context, m string, req models.Request, res models.Result) (extras, error) {
	var x extras
	need := r.cfg.Needs
	if need.Logprobs {
		if len(res.Logprobs) == 0 && res.Text != "" {
			return x, fmt.Errorf("%w (model %s)", ErrNoLogprobs, m)
		}
		x.lpMean, x.lpMin = logprobStats(res.Logprobs)
	}
	if need.Verbal {
		f := req
		f.Prompt = confidence.VerbalPrompt(req.Prompt, res.Text)
		f.Logprobs = false
		f.Options.Temperature, f.Options.NumPredict = models.Float(0), confidence.VerbalTokens
		vres, err := r.generate(ctx, f)
		if err != nil {
			return x, fmt.Errorf("verbalized confidence: %w", err)
		}
		reply := vres.Text
		x.verbalReply, x.verbalTokens = &reply, vres.PromptTokens+vres.OutputTokens
		if v, ok := confidence.ParseVerbal(reply); ok {
			x.verbal = &v
		}
	}
	if (need.Embedding || r.cfg.EmbedText) && strings.TrimSpace(res.Text) != "" {
		em, ok := r.e.gen.(Embedder)
		if !ok && need.Embedding {
			return x, ErrNoEmbedder
		}
		model, opts := r.cfg.EmbedModel, models.Options{}
		if model == "" {
			model, opts = m, req.Options // the model's own runner options: no reload
		}
		if ok {
			vs, err := em.Embed(ctx, model, []string{res.Text}, opts)
			switch {
			case err == nil:
				x.embedding = vs[0]
			case need.Embedding:
				return x, fmt.Errorf("embed with %s: %w", model, err)
			default: // for a text question's cosine only: it falls back to ROUGE-L
				r.e.log.Debug("embed failed", "model", model, "err", err)
			}
		}
	}
	return x, nil
}

// logprobStats is the mean and min of lps; nil for none.
func logprobStats(lps []models.TokenLogprob) (mean, lo *float64) {
	if len(lps) == 0 {
		return nil, nil
	}
	sum, mn := 0.0, math.Inf(1)
	for _, l := range lps {
		sum += l.Logprob
		mn = min(mn, l.Logprob)
	}
	avg := sum / float64(len(lps))
	return &avg, &mn
}

// SignalSample is a stored sample as a confidence signal sees it.
func SignalSample(s runstore.Sample) confidence.Sample {
	return confidence.Sample{Answer: s.Answer, Response: s.Response, LogprobMean: s.LogprobMean, Verbal: s.Verbal, Embedding: s.Embedding}
}

// chooseSignal is choose under a confidence signal other than consistency.
func chooseSignal(item string, res []ModelAnswer, cfg AskConfig, get func(runstore.Key) (runstore.Sample, bool), start time.Time) (Answer, error) {
	var votes []confidence.Vote
	var kept []int
	var errs []error
	for i := range res {
		r := &res[i]
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		ss := make([]confidence.Sample, r.Samples)
		for j := range ss {
			s, _ := get(runstore.Key{Item: item, Model: r.Model, Sample: j})
			ss[j] = SignalSample(s)
			if s.VerbalReply != nil {
				r.FollowUps++
				r.FollowUpTokens += s.VerbalTokens
			}
		}
		ch := cfg.Confidence.Choose(r.Model, ss)
		r.Answer, r.Votes, r.Confidence = ch.Answer, ch.Support, ch.Confidence
		votes = append(votes, confidence.Vote{Model: r.Model, Choice: ch})
		kept = append(kept, i)
	}
	if len(kept) == 0 {
		return Answer{Models: res}, errors.Join(errs...)
	}
	out := Answer{Models: res, Wall: time.Since(start), Signal: cfg.Confidence.Method(), Kind: answer.Short}
	if w := confidence.Select(votes, cfg.ValAcc); w >= 0 {
		v, r := votes[w], res[kept[w]]
		out.Answer, out.Model, out.Confidence = v.Answer, v.Model, v.Confidence
		out.Reply = r.Responses[v.Index]
	}
	return out, nil
}

// needs is what sig needs per sample (nothing for nil: consistency).
func needs(sig confidence.Signal) confidence.Needs {
	return confidence.MethodOf(sig).Needs()
}

// ErrSignalData reports a run whose samples lack what a confidence signal
// needs (they were collected without it).
var ErrSignalData = errors.New("the run's samples lack the confidence signal's data")

// SignalRecords returns the run's samples of r.Dataset's models in its item
// order, as confidence.Simulate replays them, so that the consistency
// signal replays exactly what mux.Simulate does. It fails when a sample
// with an answer lacks what m needs.
func (r *Run) SignalRecords(m confidence.Method) ([]confidence.Record, error) {
	order := make(map[string]int, len(r.Dataset.Items))
	for i, it := range r.Dataset.Items {
		order[it.ID] = i
	}
	keep := make(map[string]bool, len(r.Dataset.Models))
	for _, name := range r.Dataset.Models {
		keep[name] = true
	}
	need := m.Needs()
	var recs []confidence.Record
	missing := 0
	for _, s := range r.Samples {
		if !keep[s.Model] {
			continue
		}
		if _, ok := order[s.Item]; !ok {
			continue
		}
		if s.Answer != "" && (need.Logprobs && s.LogprobMean == nil || need.Verbal && s.VerbalReply == nil || need.Embedding && s.Embedding == nil) {
			missing++
		}
		recs = append(recs, confidence.Record{Item: s.Item, Model: s.Model, Index: s.Sample, Correct: s.Correct,
			Sample: SignalSample(s), Tokens: s.PromptTokens + s.OutputTokens, ExtraTokens: s.VerbalTokens})
	}
	if missing > 0 {
		return nil, &SignalDataError{Method: m, Missing: missing, Total: len(recs)}
	}
	slicesSortStable(recs, order)
	return recs, nil
}

// SignalDataError is a run whose samples lack what a signal needs (they
// were collected without it); it wraps ErrSignalData.
type SignalDataError struct {
	Method         confidence.Method
	Missing, Total int
}

func (e *SignalDataError) Error() string {
	return fmt.Sprintf("%v: %d of %d samples have no data for the %s signal", ErrSignalData, e.Missing, e.Total, e.Method)
}

func (e *SignalDataError) Unwrap() error { return ErrSignalData }

func slicesSortStable(recs []confidence.Record, order map[string]int) {
	slices.SortStableFunc(recs, func(a, b confidence.Record) int { return order[a.Item] - order[b.Item] })
}

// Skipped is a signal SignalComparison left out, and why.
type Skipped struct {
	Method confidence.Method
	Err    error
}

// ErrNoProbe reports a comparison without a probe file.
var ErrNoProbe = errors.New("no probe file")

// RunProbe reads the probe file of the run folder dir
// (runstore.ProbeFile): nil when there is none (or it cannot be read);
// an error, naming the file, when it cannot be parsed.
func RunProbe(dir string) (*confidence.ProbeFile, error) {
	path := filepath.Join(dir, runstore.ProbeFile)
	if b, err := os.ReadFile(path); err == nil {
		p, err := confidence.ParseProbe(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return p, nil
	}
	return nil, nil
}

// SignalComparison replays SLM-MUX over the run under every confidence
// signal whose data its samples hold (consistency always; logprob, the
// embedding signals and verbalized when the run was collected with them;
// probe when a probe file is given), with the same draws and tie-break
// scores. Skipped names each signal left out and why: ErrNoProbe, a
// *SignalDataError (not recorded in this run), or the probe's error.
func (r *Run) SignalComparison(cfg confidence.SimConfig, p mux.Profile, probe *confidence.ProbeFile) (rows []confidence.SimResult, skipped []Skipped, err error) {
	for _, m := range []confidence.Method{confidence.Consistency, confidence.Logprob, confidence.Embedding, confidence.Verbalized, confidence.Probe} {
		o := confidence.Options{Profile: p}
		if m == confidence.Probe {
			if probe == nil {
				skipped = append(skipped, Skipped{m, ErrNoProbe})
				continue
			}
			o.Probe = probe
		}
		recs, err := r.SignalRecords(m)
		if errors.Is(err, ErrSignalData) {
			skipped = append(skipped, Skipped{m, err})
			continue
		} else if err != nil {
			return nil, nil, err
		}
		sig, err := confidence.New(m, o)
		if err != nil {
			if m == confidence.Probe {
				skipped = append(skipped, Skipped{m, err})
				continue
			}
			return nil, nil, err
		}
		res, err := confidence.Simulate(recs, r.Dataset.Models, sig, cfg)
		if err != nil {
			if m == confidence.Probe {
				skipped = append(skipped, Skipped{m, err})
				continue
			}
			return nil, nil, err
		}
		rows = append(rows, res)
	}
	return rows, skipped, nil
}
