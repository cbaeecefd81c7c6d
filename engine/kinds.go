package engine

import (
	"errors"
	"strings"
	"time"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/runstore"
)

// chooseKind is SLM-MUX under consistency for a question of cfg.Kind:
// Auto is detected from every model's replies (answer.Detect, with the
// general rule's benchmark.GeneralReads for short answers); Short is
// today's vote on extracted answers; Code and Text select by similarity
// (mux.SelectSimilar). An Auto or Code question on which no model has an
// answer (no short answer read, no code) while some reply is not blank is
// answered as Text: a chat client then gets a reply, never nothing. A
// Short question (a benchmark's, or "") keeps today's rule exactly.
func chooseKind(item string, res []ModelAnswer, cfg AskConfig, get func(runstore.Key) (runstore.Sample, bool), start time.Time) (Answer, error) {
	kind := cfg.Kind
	if kind == "" || kind == answer.Short {
		return choose(res, cfg, start)
	}
	var replies []string
	for _, r := range res {
		if r.Err == nil {
			replies = append(replies, r.Responses...)
		}
	}
	var out Answer
	var err error
	if kind == answer.Auto {
		kind = answer.Detect(replies, benchmark.GeneralReads)
	}
	if kind == answer.Short {
		out, err = choose(res, cfg, start)
	} else {
		out, err = chooseSimilar(item, kind, res, cfg, get, start)
	}
	if err != nil || out.Model != "" || kind == answer.Text || !anyReply(replies) {
		return out, err
	}
	return chooseSimilar(item, answer.Text, res, cfg, get, start)
}

func anyReply(replies []string) bool {
	for _, r := range replies {
		if strings.TrimSpace(r) != "" {
			return true
		}
	}
	return false
}

// chooseSimilar selects by similarity: each model's samples in kind's
// form (answer.FormOf), compared by cosine of their embeddings when every
// non-blank sample of a text question has one (the ensemble named an
// embedding model), else by the kind's measure.
func chooseSimilar(item string, kind answer.Kind, res []ModelAnswer, cfg AskConfig, get func(runstore.Key) (runstore.Sample, bool), start time.Time) (Answer, error) {
	var kept []int
	var errs []error
	embed := kind == answer.Text && cfg.EmbedModel != ""
	vecs := map[runstore.Key][]float32{}
	for i := range res {
		r := &res[i]
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		for j, reply := range r.Responses {
			r.Answers[j] = answer.FormOf(kind, reply)
			if k := (runstore.Key{Item: item, Model: r.Model, Sample: j}); embed && r.Answers[j] != "" {
				s, _ := get(k)
				vecs[k] = s.Embedding
				embed = len(s.Embedding) > 0 // some sample lacks its embedding: compare the texts
			}
		}
		kept = append(kept, i)
	}
	if len(kept) == 0 {
		return Answer{Models: res, Kind: kind}, errors.Join(errs...)
	}
	samples := make([]mux.SimSamples, len(kept))
	for si, i := range kept {
		r := &res[i]
		forms := make([]answer.Form, len(r.Answers))
		for j, a := range r.Answers {
			if v := vecs[runstore.Key{Item: item, Model: r.Model, Sample: j}]; embed && a != "" {
				forms[j] = answer.PrepareEmbedding(v)
			} else {
				forms[j] = answer.Prepare(kind, a)
			}
		}
		samples[si] = mux.SimSamples{Model: r.Model, Forms: forms}
	}
	ch := mux.SelectSimilar(samples, cfg.ValAcc, cfg.Profile)
	out := Answer{Models: res, Wall: time.Since(start), Kind: kind, Measure: answer.MeasureFor(kind, embed)}
	for vi, v := range ch.Votes {
		r := &res[kept[vi]]
		r.Votes, r.Confidence, r.Answer = v.Support, v.Consistency, ""
		if v.Medoid < 0 {
			continue
		}
		m := v.Medoid
		r.Medoid, r.Answer = &m, r.Answers[m]
		if vi == ch.Winner {
			out.Model, out.Confidence, out.Answer, out.Reply = v.Model, v.Consistency, r.Answer, r.Responses[m]
		}
	}
	return out, nil
}
