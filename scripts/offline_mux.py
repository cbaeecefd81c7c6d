#!/usr/bin/env python3
"""The authors' OfflineMUX trial loop, ported for a side-by-side speed figure.

`slmmux mux` is compared with this script in scripts/bench.sh. The loop is
OfflineMUX.simulate with tie_mode "best_support", as the spec describes it
(docs/slm-mux-spec.md §3.2): one random.Random(seed) stream; for each trial,
for each question of the models' common set (Python set order), for each
model in order, rng.sample(range(len(pool)), k) draws the model's votes into
one pooled list; the pooled majority wins, a tie going to the answer whose
best supporter has the highest accuracy, then rng.choice among those
finalists. Only the input differs: it reads a slmmux run folder's
samples.jsonl (one JSON object a line) instead of one JSON file per model,
takes a question's reference to be an answer some sample was judged correct
with, and a model's accuracy (the authors' file-level "accuracy") to be the
share of questions its majority answer gets right.

  offline_mux.py --run DIR --samples 5 --trials 100 [--seed 42]
  offline_mux.py --write-run DIR [--models 5 --items 500 --samples 9]

The second form writes a synthetic run (model m right with probability
0.3 + 0.1 m, else one of four wrong answers; one sample in ten empty).
Standard library only.
"""
import argparse
import json
import os
import random
import sys
import time
from collections import Counter


def load(run):
    data = {}  # model -> question -> (reference, samples in sample order)
    raw = {}
    with open(os.path.join(run, "samples.jsonl"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            s = json.loads(line)
            raw.setdefault(s["model"], {}).setdefault(s["item"], []).append(
                (s["sample"], (s.get("answer") or "").strip(), bool(s.get("correct"))))
    refs = {}
    for per_item in raw.values():
        for q, samples in per_item.items():
            for _, a, ok in samples:
                if ok and a:
                    refs[q] = a
    for m, per_item in raw.items():
        data[m] = {}
        for q, samples in per_item.items():
            samples.sort()
            data[m][q] = (refs.get(q, ""), [a for _, a, _ in samples])
    return data


def accuracy(per_q):
    right = 0
    for ref, pool in per_q.values():
        c = Counter(a for a in pool if a)
        if c:
            top = max(c.values())
            maj = next(a for a in pool if a and c[a] == top)
            right += bool(ref) and maj == ref
    return right / max(1, len(per_q))


def simulate(model_data, models, samples_per_model, model_accuracies, trials=10, seed=42):
    rng = random.Random(seed)
    common = set(model_data[models[0]].keys())
    for m in models[1:]:
        common &= set(model_data[m].keys())
    if not common:
        return 0.0, 0, 0
    max_samples = max(len(model_data[m][q][1]) for m in models for q in common)
    if samples_per_model > max_samples:
        raise ValueError("samples_per_model %d > max samples %d" % (samples_per_model, max_samples))
    correct = total = 0
    for _ in range(max(1, trials)):
        for q in common:
            votes = []
            supporters = {}
            reference = ""
            for m in models:
                ref, pool = model_data[m][q]
                if not reference:
                    reference = ref
                kk = min(samples_per_model, len(pool))
                if kk > 0:
                    for i in rng.sample(range(len(pool)), kk):
                        a = pool[i]
                        votes.append(a)
                        if a:
                            supporters.setdefault(a, set()).add(m)
            counter = Counter(v for v in votes if v)
            pred = ""
            if counter:
                mx = max(counter.values())
                top = [a for a, c in counter.items() if c == mx]
                if len(top) == 1:
                    pred = top[0]
                else:
                    def bs(a):
                        return max((model_accuracies.get(m, 0.0) for m in supporters.get(a, ())), default=0.0)
                    top.sort(key=bs, reverse=True)
                    b0 = bs(top[0])
                    pred = rng.choice([a for a in top if bs(a) == b0])
            total += 1
            if pred and reference and pred == reference:
                correct += 1
    return correct / total, correct, total


def write_run(run, models, items, samples):
    os.makedirs(run, exist_ok=True)
    r = random.Random(3)
    with open(os.path.join(run, "samples.jsonl"), "w", encoding="utf-8") as f:
        for m in range(models):
            for i in range(items):
                for j in range(samples):
                    a = "right" if r.random() <= 0.3 + 0.1 * m else "w%d" % r.randrange(4)
                    if r.randrange(10) == 0:
                        a = ""
                    f.write(json.dumps({"item": "q%d" % i, "model": "m%d" % m, "sample": j,
                                        "response": "Let me think step by step. The answer is \\boxed{%s}." % a,
                                        "answer": a, "correct": a == "right", "output_tokens": 40 + j,
                                        "duration_ms": 100.5}) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run")
    ap.add_argument("--write-run")
    ap.add_argument("--models", type=int, default=5)
    ap.add_argument("--items", type=int, default=500)
    ap.add_argument("--samples", type=int, default=None)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    if a.write_run:
        write_run(a.write_run, a.models, a.items, a.samples or 9)
        return
    if not a.run:
        ap.error("--run DIR or --write-run DIR is required")
    t0 = time.perf_counter()
    data = load(a.run)
    models = sorted(data)
    accs = {m: accuracy(data[m]) for m in models}
    t1 = time.perf_counter()
    acc, c, t = simulate(data, models, a.samples or 5, accs, a.trials, a.seed)
    t2 = time.perf_counter()
    print("acc=%.4f (%d/%d) | samples=%d trials=%d | load %.3f s, trials %.3f s (%.1f us per trial-question)"
          % (acc, c, t, a.samples or 5, a.trials, t1 - t0, t2 - t1, 1e6 * (t2 - t1) / max(1, t)))


if __name__ == "__main__":
    sys.exit(main())
