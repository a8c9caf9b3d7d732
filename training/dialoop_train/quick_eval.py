"""Held-out exact-answer evaluation in PyTorch, for quick sweeps without the inference server.

Greedy decoding (export.greedy_ids_batch: batched, left-padded, KV cache) of heldout.jsonl-style
items, stopping at <|im_end|> or <|endoftext|> as the server does, graded exactly as inference/scripts/eval-model.ts grades: `extract_answer` mirrors
`extractAnswer` / `isExactAnswer` (inference/src/eval/answers.ts, formerly in eval-model.ts):
the number after the last '=' for arithmetic and conversions, the text after "is "/"是" at
the end for capitals, and only items whose kind is arithmetic, capital or conversion (with an
answer) count towards the exact rates. "ends" is the share of replies that
produced an end token within --max-tokens; "utf8" the share whose bytes decode strictly.
Unlike the server, decoding is not masked to valid UTF-8 (a reply that is invalid shows here).

python3 -m dialoop_train.quick_eval --model CKPT_OR_DIR [--heldout FILE] [--limit-per-kind N]
    [--kinds all|exact] [--max-tokens 160] [--threads 1] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import torch

from .export import greedy_ids_batch
from .model import load_model
from .tokenizer import SPECIAL_TOKENS, encode, render_chat

EXACT_KINDS = ("arithmetic", "capital", "conversion")
LANGS = ("en", "zh")

# eval-model.ts: /(?:\bis |是)([^.。]+)[.。]?$/u — JS \b is ASCII-only, even with the u flag.
_CAP_RE = re.compile(r"(?:(?<![A-Za-z0-9_])is |是)([^.。]+)[.。]?\Z")
# eval-model.ts: /=\s*(-?\d+)/gu — JS \d is ASCII digits only.
_NUM_RE = re.compile(r"=\s*(-?[0-9]+)")


def extract_answer(kind: str, reply: str) -> str | None:
    text = reply.strip()
    if kind == "capital":
        m = _CAP_RE.search(text)
        return m.group(1).strip() if m else None
    all_ = _NUM_RE.findall(text)
    return all_[-1] if all_ else None


def _to_bytes_text(ids: list[int]) -> tuple[str, bool]:
    """Reply text (as the server would return it) and whether its bytes are valid UTF-8."""
    out, parts, valid = bytearray(), [], True
    for i in ids:
        if i < 256:
            out.append(i)
            continue
        try:
            parts.append(out.decode("utf-8"))
        except UnicodeDecodeError:
            valid = False
            parts.append(out.decode("utf-8", errors="replace"))
        out.clear()
        parts.append(SPECIAL_TOKENS[i - 256])
    try:
        parts.append(out.decode("utf-8"))
    except UnicodeDecodeError:
        valid = False
        parts.append(out.decode("utf-8", errors="replace"))
    return "".join(parts), valid


def load_items(path: str | Path, limit_per_kind: int | None, kinds: str) -> list[dict]:
    items = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    if kinds == "exact":
        items = [h for h in items if h["kind"] in EXACT_KINDS]
    if limit_per_kind:
        seen: dict = {}
        keep = []
        for h in items:
            k = (h["kind"], h["lang"])
            seen[k] = seen.get(k, 0) + 1
            if seen[k] <= limit_per_kind:
                keep.append(h)
        items = keep
    return items


def evaluate(model, items: list[dict], max_new: int = 160, batch_size: int = 50) -> dict:
    model.eval()
    prompts = [encode(render_chat(h["messages"], add_generation_prompt=True)) for h in items]
    order = sorted(range(len(items)), key=lambda i: len(prompts[i]))
    outcomes: list[dict | None] = [None] * len(items)
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        for i, (ids, ended) in zip(idx, greedy_ids_batch(model, [prompts[i] for i in idx], max_new)):
            h = items[i]
            reply, valid = _to_bytes_text(ids)
            correct = (extract_answer(h["kind"], reply) == h["answer"]
                       if h["answer"] is not None and h["kind"] in EXACT_KINDS else None)
            outcomes[i] = {"id": h["id"], "kind": h["kind"], "lang": h["lang"], "answer": h["answer"],
                           "reply": reply, "ended": ended, "utf8": valid, "correct": correct}
    summary: dict = {}
    for lang in LANGS:
        mine = [o for o in outcomes if o["lang"] == lang]
        row = {"replies": len(mine),
               "ends": sum(o["ended"] for o in mine) / max(1, len(mine)),
               "utf8": sum(o["utf8"] for o in mine) / max(1, len(mine))}
        tot_n = tot_c = 0
        for kind in EXACT_KINDS:
            k = [o for o in mine if o["kind"] == kind and o["correct"] is not None]
            c = sum(o["correct"] for o in k)
            row[kind] = {"n": len(k), "correct": c, "rate": c / len(k) if k else None}
            tot_n, tot_c = tot_n + len(k), tot_c + c
        row["exact"] = tot_c / tot_n if tot_n else None
        summary[lang] = row
    return {"summary": summary, "outcomes": outcomes}


def table(summary: dict) -> str:
    pct = lambda x: "-" if x is None else f"{100 * x:.1f}%"
    lines = ["| lang | replies | ends | utf8 | arithmetic | capital | conversion | exact |",
             "|---|---|---|---|---|---|---|---|"]
    for lang in LANGS:
        r = summary[lang]
        cells = [f"{pct(r[k]['rate'])} ({r[k]['n']})" for k in EXACT_KINDS]
        lines.append(f"| {lang} | {r['replies']} | {pct(r['ends'])} | {pct(r['utf8'])} | " + " | ".join(cells)
                     + f" | {pct(r['exact'])} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="checkpoint file or model folder")
    ap.add_argument("--heldout", help="heldout.jsonl (default: the model folder's, else "
                    "inference/models/dialoop-tiny/heldout.jsonl)")
    ap.add_argument("--limit-per-kind", type=int, default=None, help="first N items per kind x lang")
    ap.add_argument("--kinds", choices=("all", "exact"), default="all",
                    help="all: every held-out item (ends/utf8 over all); exact: only the graded kinds")
    ap.add_argument("--max-tokens", type=int, default=160, help="as eval-model.ts's default")
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="write summary + every reply here")
    ap.add_argument("--show-wrong", type=int, default=4, help="wrong answers to print per kind x lang")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, _ = load_model(a.model)
    heldout = a.heldout
    if heldout is None:
        mp = Path(a.model)
        cand = (mp if mp.is_dir() else mp.parent) / "heldout.jsonl"
        default = Path(__file__).resolve().parents[2] / "inference/models/dialoop-tiny/heldout.jsonl"
        heldout = cand if cand.exists() else default
    items = load_items(heldout, a.limit_per_kind, a.kinds)
    t0 = time.time()
    res = evaluate(model, items, a.max_tokens, a.batch_size)
    secs = time.time() - t0
    print(f"{a.model}: {len(items)} items from {heldout}, greedy, max_tokens {a.max_tokens}, {secs:.1f} s",
          file=sys.stderr)
    for lang in LANGS:
        for kind in EXACT_KINDS:
            wrong = [o for o in res["outcomes"] if o["lang"] == lang and o["kind"] == kind and o["correct"] is False]
            for o in wrong[:a.show_wrong]:
                print(f"  wrong {o['id']}: expected {o['answer']!r} got {o['reply']!r}", file=sys.stderr)
    print(table(res["summary"]))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"model": str(a.model), "heldout": str(heldout), "items": len(items),
                       "max_tokens": a.max_tokens, "seconds": secs, "summary": res["summary"],
                       "outcomes": res["outcomes"]}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
