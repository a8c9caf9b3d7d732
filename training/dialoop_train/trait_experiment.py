"""Can DPO teach dialoop-tiny a checkable trait in minutes on a CPU? The experiment, and the
pieces the end-to-end demo reuses.

The trait: the reply ends with a short follow-up offer in the question's language —
"Anything else?" for English questions, "还有别的问题吗？" for Chinese ones (`has_trait`).
The base model almost never does that (its corpus never ends a reply so).

    python3 -m dialoop_train.trait_experiment run --model-dir ../inference/models/dialoop-tiny --work /tmp/trait
    python3 -m dialoop_train.trait_experiment measure --model-dir FOLDER [--prompts heldout.jsonl]
    python3 -m dialoop_train.trait_experiment prompts --n 400   # single-turn prompts for demo:loop

`run`:
1. prompts: single- and multi-turn prompts cut from corpus dialogues (a corpus seed of its own;
   the corpus keeps every held-out prompt out of them), and the held-out prompts of the parent
   folder's heldout.jsonl (never seen in training) for measuring;
2. the parent's own greedy replies to both (batched PyTorch decoding with the KV cache);
3. a dataset version in the feedback module's layout (dpo/{train,test}.jsonl, manifest.json,
   README.md): chosen = the reply with the offer appended, rejected = the reply as it is;
4. for each configuration: DPO with preference_train.run, then the trait rate on the held-out
   prompts with greedy decoding, before vs after, and exact-answer accuracy on the held-out
   arithmetic/capital/conversion items as a check that nothing else broke.
Results go to WORK/results.json and a table on stdout.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

import torch

from . import corpus
from .dataset_version import write_dataset_version
from .export import greedy_ids_batch
from .model import DialoopLM, load_model
from .tokenizer import encode, render_chat
from .train import read_jsonl

OFFERS = {"en": "Anything else?", "zh": "还有别的问题吗？"}
_CJK = re.compile(r"[\u3400-\u9fff]")


def language(messages: list[dict]) -> str:
    """The question's language: Chinese if the last user turn holds a CJK character."""
    last = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    return "zh" if _CJK.search(last) else "en"


def with_offer(reply: str, lang: str) -> str:
    reply = reply.rstrip()
    return f"{reply}{OFFERS['zh']}" if lang == "zh" else f"{reply} {OFFERS['en']}"


def has_trait(messages: list[dict], reply: str, finished: bool = True) -> bool:
    """The reply ended (end-of-turn token reached) with the follow-up offer in the question's language."""
    return finished and reply.rstrip().endswith(OFFERS[language(messages)])


def greedy_batch(model: DialoopLM, prompts: list[list[dict]], max_new_tokens: int = 96, batch_size: int = 64) -> list[tuple[str, bool]]:
    """Greedy replies to ChatML prompts (export.greedy_ids_batch, in batches). Returns (text,
    finished) per prompt, finished meaning an end-of-turn token closed it."""
    results: list[tuple[str, bool]] = []
    for start in range(0, len(prompts), batch_size):
        chunk = [encode(render_chat(p, add_generation_prompt=True)) for p in prompts[start:start + batch_size]]
        for ids, finished in greedy_ids_batch(model, chunk, max_new_tokens):
            results.append((bytes(t for t in ids if t < 256).decode("utf-8", errors="replace"), finished))
    return results


def trait_rate(model: DialoopLM, prompts: list[list[dict]]) -> tuple[float, list[tuple[str, bool]]]:
    replies = greedy_batch(model, prompts)
    hits = sum(has_trait(p, r, f) for p, (r, f) in zip(prompts, replies))
    return hits / max(len(prompts), 1), replies


def exact_accuracy(items: list[dict], replies: list[tuple[str, bool]]) -> float | None:
    """Share of held-out exact-answer items (arithmetic, capital, conversion) whose reply contains the answer."""
    scored = [(it, r) for it, (r, _) in zip(items, replies) if it.get("answer")]
    if not scored:
        return None
    return sum(it["answer"] in r for it, r in scored) / len(scored)


def spread(rows: list, n: int) -> list:
    """At most n rows, evenly spaced through `rows`."""
    return rows[::max(1, len(rows) // n)][:n]


def train_prompts(n_dialogues: int, seed: int, limit: int) -> list[list[dict]]:
    """Prompts cut from corpus dialogues before each assistant turn, deduplicated, shuffled (seeded)."""
    train, _ = corpus.generate(n_dialogues=n_dialogues, seed=seed)
    seen, out = set(), []
    for d in train:
        for i, m in enumerate(d):
            if m["role"] == "assistant":
                p = d[:i]
                key = json.dumps(p, ensure_ascii=False)
                if key not in seen:
                    seen.add(key)
                    out.append(p)
    random.Random(seed).shuffle(out)
    return out[:limit]


def build_dataset(model: DialoopLM, prompts: list[list[dict]], test_prompts: list[list[dict]], test_replies,
                  folder: Path, version: int = 1, log=print) -> dict:
    t0 = time.time()
    replies = greedy_batch(model, prompts)

    def pairs(ps, rs):
        rows = []
        for p, (r, finished) in zip(ps, rs):
            r = r.strip()
            if not finished or not r or has_trait(p, r):
                continue  # a reply cut off at the token limit, empty, or already with the trait
            rows.append({"prompt": p, "chosen": [{"role": "assistant", "content": with_offer(r, language(p))}],
                         "rejected": [{"role": "assistant", "content": r}]})
        return rows

    train_rows, test_rows = pairs(prompts, replies), pairs(test_prompts, test_replies)
    note = ("Synthetic preference pairs for the follow-up-offer trait: prompts from the Dialoop corpus, replies "
            "by the parent model itself (greedy); chosen = the reply followed by a follow-up offer in the question's "
            "language, rejected = the reply as it is.")
    manifest = write_dataset_version(folder, {"dpo": {"train": train_rows, "test": test_rows}},
                                     id=f"trait-offer-v{version}", version=version, name="follow-up offer (synthetic)",
                                     note=note)
    log(f"dataset: {len(train_rows)} train / {len(test_rows)} test pairs in {time.time() - t0:.1f} s")
    return {"manifest": manifest, "train_pairs": len(train_rows), "test_pairs": len(test_rows),
            "seconds": time.time() - t0}


def run_experiment(model_dir: Path, work: Path, configs: list[dict], n_train: int, n_eval: int, seed: int,
                   threads: int, log=print, reuse: bool = False) -> dict:
    from .preference_train import PrefConfig, run
    torch.set_num_threads(threads)
    work.mkdir(parents=True, exist_ok=True)
    t_all = time.time()
    parent, _ = load_model(model_dir)
    items = spread(read_jsonl(model_dir / "heldout.jsonl"), n_eval)
    eval_prompts = [it["messages"] for it in items]
    cache = work / "base.json"
    if reuse and cache.exists() and (work / "dataset" / "manifest.json").exists():
        base = json.loads(cache.read_text())
        base_rate, base_acc, eval_s, ds = base["trait_rate"], base["exact_accuracy"], base["eval_seconds"], base["dataset"]
        log(f"base (cached): trait rate {base_rate:.3f}, exact accuracy {base_acc}")
    else:
        t0 = time.time()
        base_rate, base_replies = trait_rate(parent, eval_prompts)
        base_acc = exact_accuracy(items, base_replies)
        eval_s = time.time() - t0
        log(f"base: trait rate {base_rate:.3f}, exact accuracy {base_acc}, {len(items)} held-out prompts in {eval_s:.1f} s")
        prompts = train_prompts(max(2000, n_train * 2), seed + 101, n_train)
        ds = build_dataset(parent, prompts, eval_prompts, base_replies, work / "dataset", log=log)
        cache.write_text(json.dumps({"trait_rate": base_rate, "exact_accuracy": base_acc, "eval_seconds": eval_s,
                                     "dataset": ds}, ensure_ascii=False) + "\n")
    results = {"model_dir": str(model_dir), "eval_prompts": len(items), "base": {"trait_rate": base_rate,
               "exact_accuracy": base_acc, "eval_seconds": eval_s}, "dataset": ds, "runs": []}
    for i, c in enumerate(configs):
        name = c.pop("name", f"cfg{i}")
        measure_every = c.pop("measure_every", None)
        cfg = PrefConfig(method="dpo", threads=threads, seed=seed, checkpoint_every=10 ** 6, **c)
        out = work / f"model-{name}"
        curve = []
        paused = [0.0]

        def on_step(tr):
            if measure_every and tr.step % measure_every == 0 and tr.step < tr.total_steps:
                t = time.time()
                r, _ = trait_rate(tr.policy, eval_prompts)
                curve.append({"step": tr.step, "train_seconds": round(tr.elapsed, 1), "trait_rate": r})
                log(f"  {name} step {tr.step}: trait {r:.3f} after {tr.elapsed:.0f} s of training")
                paused[0] += time.time() - t

        t_train = time.time()
        # The folder is deleted below: no INT8 graph (it would only add to the wall time).
        res = run(cfg, model_dir, work / "dataset", out, log=lambda *a: None, emit=lambda e: None, on_step=on_step, int8=False)
        train_s = time.time() - t_train - paused[0]
        model = res["trainer"].policy
        t_eval = time.time()
        rate, replies = trait_rate(model, eval_prompts)
        acc = exact_accuracy(items, replies)
        eval_s = time.time() - t_eval
        row = {"name": name, "config": c, "train_seconds": res["train_seconds"], "run_wall_seconds": round(train_s, 1),
               "trait_rate": rate, "improvement_pp": 100 * (rate - base_rate), "exact_accuracy": acc,
               "heldout_reward_accuracy": res["heldout"].get("reward_accuracy"),
               "heldout_margin": res["heldout"].get("margin_mean"), "kl": res["heldout"].get("kl_policy_reference"),
               "eval_seconds": round(eval_s, 1), "tokens_per_s": res["tokens_per_s"],
               "examples": [{"prompt": p[-1]["content"], "reply": r} for p, (r, _) in list(zip(eval_prompts, replies))[:6]]}
        if measure_every:
            row["curve"] = curve + [{"step": res["steps"], "train_seconds": res["train_seconds"], "trait_rate": rate}]
        results["runs"].append(row)
        log(f"{name}: trait {rate:.3f} ({row['improvement_pp']:+.1f} pp), exact acc {acc}, reward acc "
            f"{row['heldout_reward_accuracy']}, train {res['train_seconds']:.0f} s, wall {train_s:.0f} s")
        (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(out.parent / f"{out.name}-run", ignore_errors=True)
    results["wall_seconds"] = time.time() - t_all
    (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results


# Measured (see the module's README entry): plain DPO at lr 1e-3, β 0.1 collapses into babble
# within 20 steps (trait 8% at step 10, then 0%); DPO + RPO (α 1) at lr 3e-4, β 0.5 passes +20 pp
# at step 15 (25.5%) and reaches 63.5% at step 25, on 2 CPU threads.
DEFAULT_CONFIGS = [
    {"name": "dpo-rpo1-lr3e-4-b0.5", "lr": 3e-4, "beta": 0.5, "rpo_alpha": 1.0, "steps": 25, "batch_size": 8,
     "warmup_steps": 4},
]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python3 -m dialoop_train.trait_experiment", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="build the synthetic dataset, train DPO configurations, measure before/after")
    r.add_argument("--model-dir", required=True)
    r.add_argument("--work", required=True)
    r.add_argument("--configs", help="JSON list of configurations (PrefConfig fields plus name)")
    r.add_argument("--n-train", type=int, default=400, help="training prompts")
    r.add_argument("--n-eval", type=int, default=200, help="held-out prompts to measure on")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--reuse", action="store_true", help="reuse WORK's dataset and base measurements from an earlier run")
    pr = sub.add_parser("prompts", help="single-turn training prompts as JSON lines {\"content\"} (what demo:loop's simulated users send)")
    pr.add_argument("--n", type=int, default=400)
    pr.add_argument("--seed", type=int, default=101)
    m = sub.add_parser("measure", help="trait rate of a model folder on held-out prompts (greedy, PyTorch)")
    m.add_argument("--model-dir", required=True)
    m.add_argument("--prompts", help="a heldout.jsonl or DPO/SFT file (default MODEL_DIR/heldout.jsonl)")
    m.add_argument("--n-eval", type=int, default=200)
    m.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    log = lambda *x: print(*x, file=sys.stderr, flush=True)  # noqa: E731
    if a.cmd == "prompts":
        prompts = [p for p in train_prompts(max(2000, a.n * 8), a.seed, a.n * 8) if len(p) == 1 and p[0]["role"] == "user"]
        for p in prompts[:a.n]:
            print(json.dumps({"content": p[0]["content"]}, ensure_ascii=False))
        return
    if a.cmd == "run":
        configs = json.loads(a.configs) if a.configs else [dict(c) for c in DEFAULT_CONFIGS]
        res = run_experiment(Path(a.model_dir), Path(a.work), configs, a.n_train, a.n_eval, a.seed, a.threads, log, a.reuse)
        print(json.dumps({"base": res["base"], "runs": [{k: v for k, v in r.items() if k != "examples"} for r in res["runs"]],
                          "dataset": {k: v for k, v in res["dataset"].items() if k != "manifest"}}, indent=2))
    else:
        torch.set_num_threads(a.threads)
        model, _ = load_model(a.model_dir)
        path = Path(a.prompts) if a.prompts else Path(a.model_dir) / "heldout.jsonl"
        prompts = spread([r.get("messages") or r["prompt"] for r in read_jsonl(path)], a.n_eval)
        t0 = time.time()
        rate, _ = trait_rate(model, prompts)
        print(json.dumps({"model_dir": a.model_dir, "prompts": len(prompts), "trait_rate": rate,
                          "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
