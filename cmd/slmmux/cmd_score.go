package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/slmmux/slmmux/engine/benchmark"
	"github.com/slmmux/slmmux/engine/score"
)

// scoreOptions are score's flags.
type scoreOptions struct {
	bf                   benchFlags
	data, responses, run string
	asJSON, missing      bool
	workers              int
}

func (a *App) scoreCmd() *cobra.Command {
	var o scoreOptions
	cmd := &cobra.Command{
		Use:   "score --bench B --data FILE --responses R.jsonl [--allow-code-execution] [--json] [--run DIR]",
		Short: "Score responses made by any tool with a benchmark's checker",
		Long: `score grades a responses file against a benchmark: HumanEval and MBPP code runs
against its tests in the sandbox (only with --allow-code-execution), IFEval's
instructions are checked strict and loose, and short-answer sets compare the
extracted answer. Each line of R is a JSON object naming its item ("key",
"task_id", "id" or the exact "prompt") with its "response" and, optionally, its
"model". It prints the metrics per model (pass@1 and pass@k for code, IFEval's
prompt- and instruction-level accuracy); --json prints {"metrics", "records"},
one record per response, an unmatched one with its error. --run DIR also writes
the responses as a run folder for mux, search, scale and report.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case o.bf.name == "":
				return usagef("score: --bench is required (%v)", benchmark.Names())
			case o.data == "" || o.responses == "":
				return usagef("score: --data FILE and --responses R.jsonl are required")
			case o.workers < 0 || o.workers > 1024:
				return usagef("--workers %d: use 0 (the cores) to 1024", o.workers)
			}
			if err := o.bf.validateExec(); err != nil {
				return err
			}
			return a.runScore(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.bf.register(f, "")
	o.bf.registerExec(f)
	f.StringVar(&o.data, "data", "", "the benchmark's data file (required)")
	f.StringVar(&o.responses, "responses", "", "JSONL of responses to score (required)")
	f.StringVar(&o.run, "run", "", "also write the responses as a run folder here")
	f.BoolVar(&o.asJSON, "json", false, `print {"metrics": ..., "records": [...]}`)
	f.IntVar(&o.workers, "workers", 0, "gradings at once (default: the cores)")
	f.BoolVar(&o.missing, "missing-as-blank", false, "score every item of --data: an item a model did not answer counts as a blank response (as the IFEval authors score every prompt); default: the answered items only")
	return cmd
}

func (a *App) runScore(ctx context.Context, o scoreOptions) error {
	b, err := o.bf.build()
	if err != nil {
		return err
	}
	items, err := b.Load(o.data)
	if err != nil {
		return usagef("--data: %w", err)
	}
	rs, err := score.ReadResponses(o.responses)
	if err != nil {
		return usagef("--responses: %w", err)
	}
	res, err := score.Run(ctx, score.Config{Bench: b, Items: items, Responses: rs, Missing: o.missing, Workers: o.workers, Run: o.run, Data: o.data})
	if err != nil {
		return execErr(err)
	}
	if o.asJSON {
		return writeJSON(a.Stdout, res.Report())
	}
	return res.WriteText(a.Stdout)
}

// execErr says which flag lets model-written code run.
func execErr(err error) error {
	if errors.Is(err, benchmark.ErrExecutionNotAllowed) {
		return usagef("%w: scoring code runs it; pass --allow-code-execution to run it in the sandbox (a separate process with resource limits, no network, a throwaway folder)", err)
	}
	return err
}
