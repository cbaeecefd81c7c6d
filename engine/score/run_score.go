package score

import (
	"context"
	"fmt"
	"io"

	"github.com/slmmux/slmmux/engine/benchmark"
)

// Config is one scoring of responses against a benchmark's items.
type Config struct {
	Bench     benchmark.Benchmark
	Items     []benchmark.Item
	Responses []Response
	// Missing scores every item: one a model did not answer counts as a
	// blank response (AddMissing).
	Missing bool
	// Workers bounds the gradings at once (0: the cores).
	Workers int
	// Run, when set, is a run folder to write the graded responses to
	// (WriteRun), recording Data as the data file.
	Run, Data string
}

// Result is a scoring: every response's record and each model's metrics.
type Result struct {
	Bench   string
	Records []Record
	Metrics []Metrics
}

// Run matches the responses to their items, grades them (a code grader
// without permission fails with benchmark.ErrExecutionNotAllowed),
// writes the run folder when asked, and computes the metrics.
func Run(ctx context.Context, cfg Config) (Result, error) {
	recs := Match(cfg.Bench, cfg.Items, cfg.Responses)
	if cfg.Missing {
		recs = AddMissing(cfg.Items, recs)
	}
	if err := Grade(ctx, benchmark.Grading(cfg.Bench), cfg.Items, recs, cfg.Workers); err != nil {
		return Result{}, err
	}
	if cfg.Run != "" {
		if err := WriteRun(cfg.Run, cfg.Data, cfg.Bench, cfg.Items, recs); err != nil {
			return Result{}, err
		}
	}
	return Result{Bench: cfg.Bench.Name(), Records: recs, Metrics: Compute(cfg.Bench.Kind(), recs)}, nil
}

// Report is the result as `score --json` prints it.
func (r Result) Report() Report { return NewReport(r.Bench, r.Metrics, r.Records) }

// WriteText writes the metrics of every model that answered, a line
// each, then each response that matched no item.
func (r Result) WriteText(w io.Writer) error {
	for _, m := range r.Metrics {
		if m.Responses > 0 {
			if _, err := fmt.Fprintln(w, m); err != nil {
				return err
			}
		}
	}
	for _, rec := range r.Records {
		if rec.Err != "" {
			if _, err := fmt.Fprintln(w, "not scored:", rec.Err); err != nil {
				return err
			}
		}
	}
	return nil
}
