package benchmark

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slmmux/slmmux/engine/answer"
	"github.com/slmmux/slmmux/engine/sandbox"
)

// Execution allows a code benchmark's Grade to run programs in the sandbox
// and says how. A nil *Execution in Config means running is not allowed.
type Execution struct {
	// Limits bound each run; zero fields take sandbox.DefaultLimits. Its
	// CPU and Wall are replaced per item by the time limit (below).
	Limits sandbox.Limits
	// Timeout, when positive, is the time limit (wall clock and CPU) of
	// every test program. Zero selects EvalPlus's policy: max(4 s, 4 x the
	// reference solution's time), the reference's whole test program
	// (the sandbox's start included, about 40 ms) timed once per item on
	// its first Grade, and cached. EvalPlus times each test input; here
	// an item's asserts run as one program, as upstream HumanEval does.
	Timeout time.Duration
	// Pool, when set, bounds the runs in flight across every Grade call;
	// nil leaves the bound to the caller (who calls Grade in parallel).
	Pool *sandbox.Pool
}

// The time-limit policy of EvalPlus (evalplus/evaluate.py: min_time_limit
// 4 s, gt_time_limit_factor 4).
const (
	MinTimeLimit    = 4 * time.Second
	TimeLimitFactor = 4
	refMeasureLimit = 20 * time.Second // the most a reference may take when timed
)

// noCode is the Reason of a reply with nothing to run.
const noCode = "no code in the reply"

// CodeDetail is Verdict.Detail for code benchmarks: how the test program
// ran.
type CodeDetail struct {
	Status     sandbox.Status `json:"status"`
	ExitCode   int            `json:"exit_code"`
	ElapsedMS  int64          `json:"elapsed_ms"`
	TimeLimitS float64        `json:"time_limit_s"`
	// Network ("none" or "shared") and Filesystem ("private" or "shared")
	// are the sandbox's isolation: a run's metadata can say when code ran
	// unconfined.
	Network    string `json:"network"`
	Filesystem string `json:"filesystem"`
}

// executor runs one code benchmark's programs: the Execution, and the
// reference times measured so far (shared by copies of the benchmark).
type executor struct {
	exec  *Execution
	mu    sync.Mutex
	times map[string]*refTime
}

// refTime is one item's reference time, measured once.
type refTime struct {
	once sync.Once
	d    time.Duration
	err  error
}

func newExecutor(e *Execution) *executor {
	if e == nil {
		return nil
	}
	return &executor{exec: e, times: map[string]*refTime{}}
}

// timeLimit returns the time limit of item id whose reference program is
// ref: Execution.Timeout, else max(MinTimeLimit, TimeLimitFactor x the
// reference's time).
func (x *executor) timeLimit(ctx context.Context, id, ref string) (time.Duration, error) {
	if x.exec.Timeout > 0 {
		return x.exec.Timeout, nil
	}
	x.mu.Lock()
	rt := x.times[id]
	if rt == nil {
		rt = &refTime{}
		x.times[id] = rt
	}
	x.mu.Unlock()
	rt.once.Do(func() {
		l := x.exec.Limits
		l.CPU, l.Wall = refMeasureLimit, refMeasureLimit
		r, err := x.run(ctx, ref, l)
		rt.d, rt.err = r.Elapsed, err
	})
	if rt.err != nil {
		// Not cached as a time: a cancelled measurement is tried again.
		x.mu.Lock()
		if x.times[id] == rt {
			delete(x.times, id)
		}
		x.mu.Unlock()
		return 0, rt.err
	}
	return max(MinTimeLimit, TimeLimitFactor*rt.d), nil
}

// run executes code under l, through the Pool when there is one.
func (x *executor) run(ctx context.Context, code string, l sandbox.Limits) (sandbox.Result, error) {
	p := sandbox.Program{Code: code}
	if x.exec.Pool != nil {
		return x.exec.Pool.Run(ctx, p, l)
	}
	return sandbox.Run(ctx, p, l)
}

// notAllowed is ErrExecutionNotAllowed, naming bench, when x is nil (no
// Config.Exec: running code is not allowed); else nil.
func (x *executor) notAllowed(bench string) error {
	if x == nil {
		return fmt.Errorf("%w (%s)", ErrExecutionNotAllowed, bench)
	}
	return nil
}

// gradeReply grades the code of reply (codeOf) for item id: it runs
// program(code), the item's test program, under the item's time limit
// (program(ref), the reference's, timed for the policy) and turns the
// outcome into a Verdict. A reply with no code fails as noCode without
// running; without an executor it returns ErrExecutionNotAllowed.
func (x *executor) gradeReply(ctx context.Context, bench, id, reply, ref string, program func(code string) string) (Verdict, error) {
	if err := x.notAllowed(bench); err != nil {
		return Verdict{}, err
	}
	code, ok := codeOf(reply)
	if !ok {
		return Verdict{Reason: noCode}, nil
	}
	limit, err := x.timeLimit(ctx, id, program(ref))
	if err != nil {
		return Verdict{}, fmt.Errorf("benchmark: %s: time the reference of %s: %w", bench, id, err)
	}
	l := x.exec.Limits
	l.CPU, l.Wall = limit, limit
	r, err := x.run(ctx, program(code), l)
	if err != nil {
		return Verdict{}, fmt.Errorf("benchmark: %s: run %s: %w", bench, id, err)
	}
	return codeVerdict(r, limit), nil
}

// codeVerdict turns a sandbox Result into a Verdict: passed when the
// program ran to the end; else the status and the sandbox's reason
// ("failed: AssertionError", "timeout: wall-clock limit of 4s").
func codeVerdict(r sandbox.Result, limit time.Duration) Verdict {
	v := Verdict{Pass: r.OK(), Detail: CodeDetail{
		Status: r.Status, ExitCode: r.ExitCode, ElapsedMS: r.Elapsed.Milliseconds(),
		TimeLimitS: limit.Seconds(), Network: r.Network, Filesystem: r.Filesystem,
	}}
	if !v.Pass {
		v.Reason = string(r.Status)
		if r.Reason != "" {
			v.Reason += ": " + r.Reason
		}
	}
	return v
}

// codeOf returns the code of a reply as graders run it: the code
// answer.ExtractCode finds, else the whole reply (a raw completion, as
// upstream harnesses run it), without its `if __name__ == "__main__":`
// block. ok is false for a blank reply.
func codeOf(reply string) (string, bool) {
	code, ok := answer.ExtractCode(reply)
	if !ok {
		code = reply
	}
	code = dropMainBlock(code)
	return code, strings.TrimSpace(code) != ""
}

// dropMainBlock removes a top-level `if __name__ == "__main__":` block
// and everything indented under it. Chat replies often end with one that
// reads input() or prints examples; it never runs when the solution is
// imported, and EvalPlus's sanitizer drops it too. Other top-level
// statements stay.
func dropMainBlock(code string) string {
	lines := strings.Split(code, "\n")
	out := lines[:0:0]
	skipping := false
	for _, l := range lines {
		top := l != "" && l[0] != ' ' && l[0] != '\t'
		if top {
			f := strings.Join(strings.Fields(l), "")
			skipping = strings.HasPrefix(f, "if__name__==") && strings.Contains(f, "__main__")
		}
		if !skipping {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// extractCode is Extract for code benchmarks: the normalised code of the
// reply (what votes compare), "" when it has none.
func extractCode(reply string) string {
	code, ok := answer.ExtractCode(reply)
	if !ok {
		return ""
	}
	return answer.NormalizeCode(code)
}
