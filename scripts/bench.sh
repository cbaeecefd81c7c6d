#!/usr/bin/env bash
# make bench: every Go benchmark, in benchstat format, saved to bench.txt.
# Figures are ratios measured side by side in one run (machines are noisy).
#   offline:  mux replay (500 items x 5 models x 9 samples, 100 trials), subset search
#             (40 models x 500 items, K 2..5), loading a run of 100,000 samples (fast path vs
#             encoding/json, and with the search command's work), probe time
#   live:     adapter vs raw HTTP per generate call, eval vs direct adapter calls,
#             model-major vs question-major (loads and wall time), ask concurrent vs sequential,
#             serve: 16 clients batched vs answered one by one (loads, req/s), passthrough vs daemon,
#             the demo at F32/F16/Q8_0/Q4_K_M (accuracy, sizes; the README's table, in quant-table.md)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BENCH_OUT:-bench.txt}"
: >"$out"
run() { go test -run '^$' -timeout 30m "$@" | tee -a "$out"; }
run -bench . -benchtime 3x ./engine/mux/ ./hardware/
run -bench . -benchtime 1x ./engine/search/
run -bench Correct -benchtime 3x ./engine/benchmark/
run -bench 'LoadRun' -benchtime 3x ./engine/runstore/
run -bench 'LoadRun|SearchCommand' -benchtime 3x ./engine/
run -bench AdapterOverhead -benchtime 30x ./models/ollama/
run -bench 'EvalOverhead|AskLatency' -benchtime 3x ./engine/
run -bench Scheduler -benchtime 1x ./engine/
run -bench ServeBatching -benchtime 1x ./cmd/slmmux/
run -bench ServePassthrough -benchtime 30x ./cmd/slmmux/
QUANT_TABLE="${QUANT_TABLE:-quant-table.md}" run -bench DemoQuantized -benchtime 1x ./cmd/slmmux/
echo "results in $out (compare runs with: go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt)"
