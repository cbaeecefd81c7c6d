#!/usr/bin/env bash
# make bench: every Go benchmark, in benchstat format, saved to bench.txt.
# Figures are ratios measured side by side in one run (machines are noisy).
#   offline:  mux replay (500 items x 5 models x 9 samples, 100 trials), subset search
#             (40 models x 500 items, K 2..5), loading a run of 100,000 samples (fast path vs
#             encoding/json, and with the search command's work), probe time
#   live:     adapter vs raw HTTP per generate call, eval vs direct adapter calls,
#             model-major vs question-major (loads and wall time), ask concurrent vs sequential,
#             serve: 16 clients batched vs answered one by one (loads, req/s), passthrough vs daemon,
#             the mixed load: scheduler vs per-ensemble dispatcher vs per-request (runner starts, req/s, p50/p95),
#             the demo at F32/F16/Q8_0/Q4_K_M (accuracy, sizes; the table of docs/demo.md, in quant-table.md)
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
# The mixed load (three ensembles sharing members, passthrough, 24 clients, a daemon holding two
# models): serve's scheduler against the per-ensemble dispatcher of the last commit before it,
# built from this repository's history, and against answering each request on its own.
BASELINE_REV=0304108
base=$(mktemp -d)
git worktree add -q --detach "$base/src" "$BASELINE_REV"
(cd "$base/src" && go build -o "$base/slmmux" ./cmd/slmmux)
git worktree remove --force "$base/src"
SLMMUX_BASELINE_BIN="$base/slmmux" run -bench ServeMixedLoad -benchtime 1x ./cmd/slmmux/
rm -rf "$base"
run -bench ServePassthrough -benchtime 30x ./cmd/slmmux/
QUANT_TABLE="${QUANT_TABLE:-quant-table.md}" run -bench DemoQuantized -benchtime 1x ./cmd/slmmux/
# Side by side: the whole `slmmux mux` command against the authors' OfflineMUX trial loop ported to
# Python (scripts/offline_mux.py), on one synthetic run of 5 models x 500 items x 9 samples, k=5, 100 trials.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/slmmux" ./cmd/slmmux
python3 scripts/offline_mux.py --write-run "$tmp/run"
wall() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
gos=() pys=()
for _ in 1 2 3; do
  gos+=("$(wall "$tmp/slmmux" mux --run "$tmp/run" --samples 5 --trials 100 --tie-break order)")
  pys+=("$(PYTHONHASHSEED=0 wall python3 scripts/offline_mux.py --run "$tmp/run" --samples 5 --trials 100)")
done
best() { printf '%s\n' "$@" | sort -n | head -1; }
g=$(best "${gos[@]}"); p=$(best "${pys[@]}")
echo "offline mux 5x500x9 k=5 100 trials: slmmux mux ${g} ms, OfflineMUX loop (Python port) ${p} ms: $(awk "BEGIN{printf \"%.1f\", $p/($g>0?$g:1)}")x (best of 3 each, interleaved)" | tee -a "$out"
echo "results in $out (compare runs with: go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt)"
