package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/confidence"
	"github.com/slmmux/slmmux/engine/mux"
	"github.com/slmmux/slmmux/engine/report"
	"github.com/slmmux/slmmux/engine/sched"
)

// askOptions are ask's flags.
type askOptions struct {
	liveFlags
	question, file        string
	models                []string
	profile, valAcc       string
	tieBreak, agreeRun    string
	asJSON, showResponses bool
	adaptive              bool
	kindName              string

	// Set by validate: the benchmark, the question's kind, the profile,
	// the validation accuracies and the tie-break rule.
	b    benchmark.Benchmark
	kind answer.Kind
	p    mux.Profile
	acc  map[string]float64
	tie  mux.TieBreak
}

func (a *App) askCmd() *cobra.Command {
	var (
		o         = askOptions{liveFlags: defaultLiveFlags()}
		modelList string
	)
	cmd := &cobra.Command{
		Use:   `ask [--models a,b,c] [--samples k] "question" | --file F`,
		Short: "Answer one question with SLM-MUX, live",
		Long: `ask samples every model k times on the question and prints the SLM-MUX answer
with each model's votes, then the winning model's whole reply. Without --bench
the question is sent as it is and its kind is chosen from the replies: code
when most carry a code block (compared by BLEU), short when the general rule
reads an answer from most (the last \boxed{}, else an explicit "answer is X"
phrase, else the last number of the reply's last line, else a one-line reply
when it is short; voted by equality), else text (compared by ROUGE-L). For
code and text a model's confidence is the mean similarity of its samples and
its answer its medoid sample. With --bench the benchmark's prompt, extractor
and kind apply. A long question can come from a file (--file F, or
--file - for standard input) instead of the command line.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := a.question(args, o.file)
			if err != nil {
				return err
			}
			o.question, o.models = strings.TrimSpace(q), splitList(modelList)
			if modelList != "" && len(o.models) == 0 {
				return usagef("--models %q names no model", modelList)
			}
			if err := o.validate(); err != nil {
				return err
			}
			return a.runAsk(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.liveFlags.register(f)
	f.StringVar(&modelList, "models", "", "comma-separated models (default: every installed model)")
	f.StringVar(&o.profile, "profile", "paper", "paper or official confidence")
	f.BoolVar(&o.adaptive, "adaptive", false, "exact adaptive sampling: stop sampling a model once it cannot change the answer (same answer and winner, fewer generations; paper profile)")
	f.StringVar(&o.valAcc, "val-acc", "", "validation accuracies for ties, e.g. a=0.71,b=0.64")
	f.StringVar(&o.tieBreak, "tie-break", "", "ties between equally confident models: val (--val-acc), agreement (label-free, estimated on --agreement-run) or order (default: val with --val-acc, else agreement with --agreement-run, else order)")
	f.StringVar(&o.agreeRun, "agreement-run", "", "a run folder (e.g. an earlier eval of these models) to estimate each model's label-free agreement from, for --tie-break agreement")
	f.StringVar(&o.kindName, "kind", "auto", "without --bench: the answer's kind: auto (chosen from the replies), short (the general rule, voted by equality), code or text (compared by similarity)")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object")
	f.BoolVar(&o.showResponses, "responses", false, "include every raw response")
	f.StringVar(&o.file, "file", "", "read the question from this file (- for standard input)")
	return cmd
}

// question is the argument, or --file's content (at most engine.MaxPromptBytes).
func (a *App) question(args []string, file string) (string, error) {
	switch {
	case len(args) == 1 && file != "":
		return "", usagef("ask: give the question as an argument or with --file, not both")
	case len(args) == 1:
		return args[0], nil
	case file == "":
		return "", usagef("ask: no question: pass it as an argument, or with --file F (- for standard input)")
	}
	r := a.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", usagef("ask: --file: %w", err)
		}
		defer f.Close()
		r = f
	} else if r == nil {
		return "", usagef("ask: --file -: no standard input")
	}
	q, err := engine.ReadPrompt(r)
	if err != nil {
		return "", usagef("ask: --file %s: %w", file, err)
	}
	return q, nil
}

func (o *askOptions) validate() error {
	if o.question == "" {
		return usagef("ask: the question is empty")
	}
	if o.adaptive && o.profile == string(mux.Official) {
		return usagef("--adaptive needs --profile paper: the official profile's denominators (non-empty samples) are not known before sampling")
	}
	var err error
	if o.p, err = mux.ParseProfile(o.profile); err != nil {
		return usagef("--profile: %w", err)
	}
	if o.acc, err = parseValAcc(o.valAcc); err != nil {
		return err
	}
	if o.tie, err = mux.ResolveTie(o.tieBreak, len(o.acc) > 0, o.agreeRun != ""); err != nil {
		return tieErr(err, "--val-acc a=0.71,b=0.64 (or use --tie-break agreement --agreement-run DIR, which needs no labels)", " (an eval of these models)")
	}
	if o.b, err = o.bench(); err != nil {
		return err
	}
	if o.kind, err = answer.ParseKind(o.kindName); err != nil {
		return usagef("--kind: %w", err)
	}
	if o.bf.name != "" {
		if o.kindName != "auto" {
			return usagef("--kind applies without --bench only: a benchmark fixes its kind")
		}
		o.kind = o.b.Kind()
	}
	return o.liveFlags.validate("ask", o.adaptive)
}

// bench is --bench's benchmark, or without it the bare question read by
// the general extractor.
func (o *askOptions) bench() (benchmark.Benchmark, error) {
	if o.bf.name == "" {
		if o.bf.extractor != "" {
			return nil, usagef("--extractor applies with --bench jsonl only")
		}
		bf := o.bf
		bf.name, bf.extractor = "jsonl", "general"
		return bf.build()
	}
	return o.bf.build()
}

func (a *App) runAsk(ctx context.Context, o askOptions) error {
	b, p, acc, tie := o.b, o.p, o.acc, o.tie
	progress := func(pr engine.Progress) {
		fmt.Fprintf(a.Stderr, "\r%d/%d samples (%s)   ", pr.Done, pr.Total, pr.Model)
	}
	lh, err := a.openHosts(ctx, o.hosts())
	if err != nil {
		return err
	}
	ms, digests, err := a.resolve(lh, o.models)
	if err != nil {
		return err
	}
	if acc, err = engine.TieScores(tie, acc, o.agreeRun, ms); err != nil {
		return fmt.Errorf("--agreement-run %s: %w", o.agreeRun, err)
	}
	sig, err := a.liveSignal(ctx, lh, o.cf, p, ms, digests)
	if err != nil {
		return err
	}
	a.noteNoPlan(lh, len(ms))
	plan, err := a.plan(ctx, lh, ms, sched.Work{Items: 1, Samples: o.sf.s.Samples}, false)
	if err != nil {
		return err
	}
	ans, st, err := lh.Ask(ctx, b, benchmark.Item{Question: o.question}, plan,
		engine.AskConfig{Models: ms, Sampling: lh.Sampling(plan, o.sf.s), Profile: p, ValAcc: acc, Progress: progress, Adaptive: o.adaptive,
			BackendWait: max(o.wf.daemonWait, time.Nanosecond), RequestTimeout: o.wf.requestTimeout,
			Confidence: sig, EmbedModel: o.cf.embedModel, Kind: o.kind})
	fmt.Fprintln(a.Stderr)
	if err != nil {
		return err
	}
	if a.verbose > 0 && !lh.single {
		a.reportHosts(st, false, len(ms), engine.ModelMajor)
	}
	return a.showAnswer(o, tie, sig, ans)
}

// showAnswer prints ask's answer, as a table or --json.
func (a *App) showAnswer(o askOptions, tie mux.TieBreak, sig confidence.Signal, ans engine.Answer) error {
	v := ans.View(engine.AnswerViewConfig{Question: o.question, Tie: tie, Signal: sig, Samples: o.sf.s.Samples, Adaptive: o.adaptive, Responses: o.showResponses})
	if o.asJSON {
		return writeJSON(a.Stdout, v)
	}
	if err := report.WriteAnswer(a.Stdout, ans.Text()); err != nil {
		return err
	}
	v.WriteNotes(a.Stdout)
	fmt.Fprintln(a.Stdout, tieNote(tie))
	return nil
}
