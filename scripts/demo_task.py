"""Arithmetic demo task, tokenizer and llama-architecture model for SLM-MUX demos.

Everything here mirrors what Ollama v0.6.5 (llama.cpp runner) does with a
llama GGUF whose vocabulary is: 0 <unk>, 1 <s>, 2 </s>, 3..258 byte tokens
<0x00>..<0xFF>, then the single-character PIECES from id 259 on.

Used by scripts/train_demo.py; importable on its own (needs torch only for the
model and sampler parts).
"""
import ctypes
import json
import math
import os
import random
import re
from dataclasses import dataclass, asdict

# Debian's torch links the reference BLAS (~3 GFLOPS). If the single-threaded
# OpenBLAS (apt: libopenblas0-serial) is installed, load it first: libtorch then
# binds to it by soname (~8x faster, still deterministic and single-threaded).
_OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3"
if os.path.exists(_OPENBLAS) and not os.environ.get("DEMO_REFERENCE_BLAS"):
    ctypes.CDLL(_OPENBLAS, mode=ctypes.RTLD_GLOBAL)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# ---------------------------------------------------------------- vocabulary
UNK, BOS, EOS = 0, 1, 2
N_BYTES = 256
PIECES = ["\u2581"] + list("0123456789") + list("+-*?") + list("Whatis")
PIECE_BASE = 3 + N_BYTES  # 259
PIECE_ID = {p: PIECE_BASE + i for i, p in enumerate(PIECES)}
VOCAB_SIZE = PIECE_BASE + len(PIECES)
OPS = ("add", "sub", "mul")
OP_SYMBOL = {"add": "+", "sub": "-", "mul": "*"}


def _char_ids(text):
    """Pieces for characters that are pieces, UTF-8 byte tokens otherwise."""
    ids = []
    for ch in text:
        if ch in PIECE_ID:
            ids.append(PIECE_ID[ch])
        else:
            ids.extend(3 + b for b in ch.encode("utf-8"))
    return ids


def tokenize_prompt(text):
    """Ollama/llama.cpp SPM tokenization of a prompt: BOS, then '▁'+text with
    spaces as '▁', single-character pieces (no merges), byte fallback."""
    return [BOS] + _char_ids("\u2581" + text.replace(" ", "\u2581"))


def tokenize_continuation(text):
    """Token ids the model generates for `text` right after the prompt (no ▁)."""
    return _char_ids(text.replace(" ", "\u2581"))


def detokenize(ids):
    """Generated ids -> response text, as llama.cpp's token_to_piece does."""
    out = bytearray()
    for i in ids:
        if i >= PIECE_BASE:
            out += PIECES[i - PIECE_BASE].replace("\u2581", " ").encode("utf-8")
        elif i >= 3:
            out.append(i - 3)
    return out.decode("utf-8", errors="replace")


_NUM = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def extract_answer(text):
    """GSM8K-style extractor: the last number in the text (commas removed)."""
    found = _NUM.findall(text)
    if not found:
        return None
    s = found[-1].replace(",", "").rstrip(".")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# --------------------------------------------------------------------- task

# The operands' ranges (inclusive), for make_problem and all_problems.
TWO_DIGIT = (10, 99)
MUL_LONG, MUL_SHORT = (2, 999), (2, 9)


def make_problem(op, rng):
    """One (question, answer) pair of operation `op` drawn from `rng`.
    add: 2-digit + 2-digit; sub: a-b with 10<=b<=a<=99 (never negative);
    mul: 2..999 times 2..9, either order (too many to memorize: a model
    must learn the algorithm to answer held-out items)."""
    if op == "add":
        a, b = rng.randint(*TWO_DIGIT), rng.randint(*TWO_DIGIT)
        return f"What is {a}+{b}?", str(a + b)
    if op == "sub":
        a = rng.randint(*TWO_DIGIT)
        b = rng.randint(TWO_DIGIT[0], a)
        return f"What is {a}-{b}?", str(a - b)
    a, b = rng.randint(*MUL_LONG), rng.randint(*MUL_SHORT)
    if rng.random() < 0.5:
        a, b = b, a
    return f"What is {a}*{b}?", str(a * b)


def make_split(n_per_op, rng, exclude, prefix):
    """n_per_op unique items per operation, not in `exclude` (updated), shuffled."""
    items = []
    for op in OPS:
        got = 0
        while got < n_per_op:
            q, a = make_problem(op, rng)
            if q in exclude:
                continue
            exclude.add(q)
            items.append({"question": q, "answer": a, "op": op})
            got += 1
    rng.shuffle(items)
    for i, it in enumerate(items):
        it["id"] = f"{prefix}-{i + 1:04d}"
    return [{k: it[k] for k in ("id", "question", "answer", "op")} for it in items]


def make_eval_sets(seed=1234, n_test=120, n_val=100):
    """Disjoint test and validation sets (deduplicated by question string)."""
    rng = random.Random(seed)
    seen = set()
    test = make_split(n_test, rng, seen, "demo")
    val = make_split(n_val, rng, seen, "val")
    return test, val, seen


def write_jsonl(path, items):
    with open(path, "w") as f:
        for it in items:
            f.write(json.dumps(it) + "\n")


def all_problems(exclude):
    """Every question make_problem can draw that is not in `exclude`, sorted."""
    two = range(TWO_DIGIT[0], TWO_DIGIT[1] + 1)
    qs = [f"What is {a}+{b}?" for a in two for b in two]
    qs += [f"What is {a}-{b}?" for a in two for b in range(TWO_DIGIT[0], a + 1)]
    for a in range(MUL_LONG[0], MUL_LONG[1] + 1):
        for b in range(MUL_SHORT[0], MUL_SHORT[1] + 1):
            qs += [f"What is {a}*{b}?", f"What is {b}*{a}?"]
    return sorted(set(qs) - set(exclude))


def training_batch(rng, mix, batch, exclude, labels=None):
    """Padded (inputs, targets, loss mask) for `batch` fresh problems whose op is
    drawn from `mix` ({op: weight}); held-out questions are skipped. labels,
    a function from a list of questions to answer texts (a teacher's),
    replaces the true answers."""
    ops, weights = list(mix), [mix[o] for o in mix]
    seqs, starts, pairs = [], [], []
    while len(pairs) < batch:
        op = rng.choices(ops, weights)[0]
        q, a = make_problem(op, rng)
        if q in exclude:
            continue
        pairs.append((q, a))
    if labels is not None:
        pairs = list(zip((q for q, _ in pairs), labels([q for q, _ in pairs])))
    for q, a in pairs:
        p = tokenize_prompt(q)
        seqs.append(p + tokenize_continuation(a) + [EOS])
        starts.append(len(p) - 1)  # first position whose target is an answer token
    L = max(len(s) for s in seqs)
    ids = torch.zeros(batch, L, dtype=torch.long)
    mask = torch.zeros(batch, L - 1)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, starts[i] : len(s) - 1] = 1.0
    same = (ids == ids[:1]).all(0).tolist() + [False]
    prefix = min(same.index(False), min(starts))  # columns shared by all rows: BOS "▁What▁is▁"
    return ids[:, :-1], ids[:, 1:], mask, prefix


# -------------------------------------------------------------------- model
@dataclass
class Config:
    context_length: int = 64
    embedding_length: int = 96
    block_count: int = 3
    feed_forward_length: int = 256
    head_count: int = 4
    head_count_kv: int = 4
    rms_eps: float = 1e-5
    rope_freq_base: float = 100.0  # low base: more distinct angles over ~20 positions
    tied_output: bool = False


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps, self.weight = eps, nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(cfg, n):
    """cos/sin [n, head_dim/2] for llama.cpp 'normal' rope (adjacent pairs)."""
    hd = cfg.embedding_length // cfg.head_count
    inv = cfg.rope_freq_base ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    ang = torch.arange(n, dtype=torch.float64)[:, None] * inv[None, :]
    return ang.cos().float(), ang.sin().float()


def apply_rope(x, cos, sin):
    """Rotate pairs (x[2i], x[2i+1]) of x [B, H, T, D] by position angles."""
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), -1).flatten(-2)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        e, f = cfg.embedding_length, cfg.feed_forward_length
        self.h = cfg.head_count
        self.attn_norm, self.ffn_norm = RMSNorm(e, cfg.rms_eps), RMSNorm(e, cfg.rms_eps)
        self.q, self.k, self.v, self.o = (nn.Linear(e, e, bias=False) for _ in range(4))
        self.gate, self.up = nn.Linear(e, f, bias=False), nn.Linear(e, f, bias=False)
        self.down = nn.Linear(f, e, bias=False)

    def forward(self, xp, xr, cos, sin):
        """xp [1, P, E]: a prefix shared by the whole batch; xr [B, T, E]: the
        rest. Same result as running each full sequence, prefix computed once."""
        (B, T, E), P, H = xr.shape, xp.shape[1], self.h
        split = lambda t: t.view(t.shape[0], t.shape[1], H, E // H).transpose(1, 2)
        hp, hr = self.attn_norm(xp), self.attn_norm(xr)
        qp, kp, vp = (split(m(hp)) for m in (self.q, self.k, self.v))
        qr, kr, vr = (split(m(hr)) for m in (self.q, self.k, self.v))
        qp, kp = apply_rope(qp, cos[:P], sin[:P]), apply_rope(kp, cos[:P], sin[:P])
        qr, kr = apply_rope(qr, cos[P:P + T], sin[P:P + T]), apply_rope(kr, cos[P:P + T], sin[P:P + T])
        if not self.training:
            # llama.cpp keeps K and V in an f16 cache and multiplies them in f16, converting
            # Q and the attention weights to f16 too: round them the same way, so greedy
            # outputs match Ollama's bit for bit even where two tokens nearly tie.
            qp, kp, vp, qr, kr, vr = (t.half().float() for t in (qp, kp, vp, qr, kr, vr))
        k = torch.cat((kp.expand(B, -1, -1, -1), kr), 2)
        v = torch.cat((vp.expand(B, -1, -1, -1), vr), 2)
        causal = torch.ones(P + T, P + T, dtype=torch.bool).triu(1)
        scale = 1.0 / math.sqrt(E // H)
        ap = ((qp @ kp.transpose(-1, -2)) * scale).masked_fill(causal[:P, :P], float("-inf")).softmax(-1)
        ar = ((qr @ k.transpose(-1, -2)) * scale).masked_fill(causal[P:], float("-inf")).softmax(-1)
        if not self.training:
            ap, ar = ap.half().float(), ar.half().float()
        xp = xp + self.o((ap @ vp).transpose(1, 2).reshape(1, P, E))
        xr = xr + self.o((ar @ v).transpose(1, 2).reshape(B, T, E))
        return xp + self.ffn(xp), xr + self.ffn(xr)

    def ffn(self, x):
        h = self.ffn_norm(x)
        return self.down(F.silu(self.gate(h)) * self.up(h))


class Llama(nn.Module):
    """llama.cpp 'llama' graph: embd -> blocks -> RMSNorm -> output."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embd = nn.Embedding(VOCAB_SIZE, cfg.embedding_length)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.block_count))
        self.norm = RMSNorm(cfg.embedding_length, cfg.rms_eps)
        self.out = None if cfg.tied_output else nn.Linear(cfg.embedding_length, VOCAB_SIZE, bias=False)
        cos, sin = rope_tables(cfg, cfg.context_length)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        # 1/sqrt(fan_in) init (GPT-2's fixed 0.02 is far too small at width 64:
        # attention starts uniform and training sits on a long plateau).
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 1.0 / math.sqrt(p.shape[1])
                if name.endswith(("o.weight", "down.weight")):
                    std /= math.sqrt(2 * cfg.block_count)
                nn.init.normal_(p, 0.0, std)

    def forward(self, ids, prefix=0):
        """Logits [B, T - prefix, vocab] for ids [B, T] (positions 0..T-1);
        ids[:, :prefix] must be the same in every row (computed once)."""
        xp, xr = self.embd(ids[:1, :prefix]), self.embd(ids[:, prefix:])
        for b in self.blocks:
            xp, xr = b(xp, xr, self.cos, self.sin)
        x = self.norm(xr)
        return x @ self.embd.weight.T if self.out is None else self.out(x)

    def gguf_tensors(self):
        """(gguf name, tensor) pairs in export order; Q/K are NOT permuted."""
        t = [("token_embd.weight", self.embd.weight), ("output_norm.weight", self.norm.weight)]
        if self.out is not None:
            t.append(("output.weight", self.out.weight))
        names = [("attn_norm", "attn_norm"), ("attn_q", "q"), ("attn_k", "k"), ("attn_v", "v"),
                 ("attn_output", "o"), ("ffn_norm", "ffn_norm"), ("ffn_gate", "gate"),
                 ("ffn_up", "up"), ("ffn_down", "down")]
        for i, b in enumerate(self.blocks):
            for g, attr in names:
                t.append((f"blk.{i}.{g}.weight", getattr(b, attr).weight))
        return [(n, w.detach().float().contiguous()) for n, w in t]


# ------------------------------------------------------------------ sampler
@torch.no_grad()
def generate(model, prompts, temperature, n=1, seed=0, max_new=12,
             repeat_penalty=1.1, repeat_last_n=64, top_k=40, top_p=0.9):
    """Responses (text) for each prompt, n samples each: returns [len(prompts)][n].

    Mimics Ollama v0.6.5's llama.cpp sampler chain with its default options:
    repeat penalty over the last 64 tokens (prompt included) -> top_k -> top_p
    (on untempered probabilities) -> temperature -> sample. temperature <= 0
    means greedy after the penalty; pass repeat_penalty=1 for pure argmax.
    """
    g = torch.Generator().manual_seed(seed)
    seqs = [tokenize_prompt(p) for p in prompts for _ in range(n)]
    gen = [[] for _ in seqs]
    live = list(range(len(seqs)))
    for _ in range(max_new):
        if not live:
            break
        L = max(len(seqs[i]) for i in live)
        ids = torch.zeros(len(live), L, dtype=torch.long)
        for r, i in enumerate(live):
            ids[r, : len(seqs[i])] = torch.tensor(seqs[i])
        last = torch.tensor([len(seqs[i]) - 1 for i in live])
        logits = model(ids)[torch.arange(len(live)), last].double()
        if repeat_penalty != 1.0:
            for r, i in enumerate(live):
                prev = torch.tensor(sorted(set(seqs[i][-repeat_last_n:])))
                lv = logits[r, prev]
                logits[r, prev] = torch.where(lv <= 0, lv * repeat_penalty, lv / repeat_penalty)
        if temperature <= 0:
            nxt = logits.argmax(-1)
        else:
            vals, idx = logits.topk(min(top_k, logits.shape[-1]), -1)  # sorted descending
            cum = vals.softmax(-1).cumsum(-1)
            keep_n = (cum < top_p).sum(-1) + 1  # include the token that crosses top_p
            vals[torch.arange(vals.shape[-1])[None, :] >= keep_n[:, None]] = float("-inf")
            pick = torch.multinomial((vals / temperature).softmax(-1), 1, generator=g)[:, 0]
            nxt = idx.gather(-1, pick[:, None])[:, 0]
        still = []
        for r, i in enumerate(live):
            t = int(nxt[r])
            if t == EOS:
                continue
            seqs[i].append(t)
            gen[i].append(t)
            if len(seqs[i]) < model.cfg.context_length:
                still.append(i)
        live = still
    texts = [detokenize(x) for x in gen]
    return [texts[j * n:(j + 1) * n] for j in range(len(prompts))]


def save_config(cfg):
    return asdict(cfg)
