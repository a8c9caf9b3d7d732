"""Preference (DPO, KTO) and supervised (SFT) fine-tuning of a Dialoop model folder on a
dataset version, writing a new, complete model folder.

    python3 -m dialoop_train.preference_train --method dpo --model-dir PARENT --dataset VERSION_DIR --out NEW_MODEL

* DPO (Rafailov et al. 2023; TRL's ``sigmoid`` loss): the policy starts from the parent's
  checkpoint, a frozen copy of it is the reference; loss −log σ(β((π_c − ref_c) − (π_r − ref_r)))
  on log-probabilities summed over the completion tokens (the reply and its closing
  ``<|im_end|>``; prompt tokens masked), encoded with the ChatML layout the model was trained
  with (tokenizer.encode_dialogue). The reference log-probabilities are computed once, before
  training (TRL's ``precompute_ref_log_probs``).
* KTO (Ethayarajh et al. 2024, as TRL's KTOTrainer computes it): the reference point z is the
  policy-vs-reference log-ratio of mismatched prompt/completion pairs (each micro-batch's
  completions rotated by one), computed without gradient, averaged over ranks and clamped at 0;
  desirable loss 1 − σ(β(r − z)), undesirable 1 − σ(β(z − r)), weighted by
  ``--desirable-weight`` / ``--undesirable-weight``.
* SFT: mean cross-entropy over assistant-reply tokens of ``sft/*.jsonl`` dialogues (right-padded,
  not packed), the same objective as train.py.

Training: AdamW (train.make_optimizer), linear warm-up then cosine or linear decay (train.lr_at),
gradient accumulation, gradient clipping, seeded data order (a fresh seeded shuffle per epoch),
checkpoints (model, optimizer, grad scaler, data position, RNG) that resume exactly
(``--resume``), mixed precision on CUDA (bf16 autocast where supported, else fp16 with a
GradScaler; always fp32 on CPU), and torchrun: with WORLD_SIZE > 1 it joins a process group
(gloo on CPU, nccl on CUDA), each rank takes its slice of every global micro-batch, the policy
is wrapped in DistributedDataParallel, and only rank 0 writes.

Outputs: RUN_DIR/metrics.jsonl (one line per log step: step, loss, lr, tokens_per_s, and for DPO
rewards/chosen, rewards/rejected, rewards/accuracy, rewards/margins; with --replay-weight, replay_ce,
the replay batches' cross-entropy, which `loss` includes times the weight), RUN_DIR/checkpoints/, one
JSON line per log step on stdout ({"event": "progress", "step", "total", "loss", "eta_s", ...}
— stdout carries only JSON lines; human-readable messages go to stderr), and OUT: model.onnx
(export.py's layout with KV cache) and model_int8.onnx beside it (the same graph with int8 weights,
quantize.py; quantization.json its report, held-out loss FP32 vs INT8 on at most
``--int8-max-heldout`` of OUT/heldout.jsonl's dialogues; ``--no-int8`` leaves it out), dialoop_checkpoint.pt, tokenizer files, config.json,
generation_config.json, heldout.jsonl (the parent's, for pnpm eval:model), metrics.json
(held-out reward accuracy and margin, held-out loss, exact KL(policy‖reference) per token,
tokens/s, wall time, `files`: every file's SHA-256, model.onnx and model_int8.onnx included, and
`int8`: the quantization report) and README.md (the model card: parent and dataset version with hashes).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import math
import os
import platform
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch.nn import functional as F

from .base import CARD_MARK, sha256
from .dataset_version import describe, read_split
from .model import load_model, save_checkpoint, write_configs
from .tokenizer import IM_END, PAD, encode, encode_dialogue, save_tokenizer
from .train import lr_at, make_optimizer

METHODS = ("dpo", "kto", "sft")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
OUTPUT_FILES = ("model.onnx", "model_int8.onnx", "quantization.json", "dialoop_checkpoint.pt", "config.json", "generation_config.json", *TOKENIZER_FILES,
                "metrics.json", "README.md", "guards.json")


@dataclass
class PrefConfig:
    method: str = "dpo"
    beta: float = 0.1
    lr: float = 5e-4
    steps: int | None = None
    epochs: float | None = None  # used when steps is None (default 1 epoch)
    batch_size: int = 8  # per rank and micro-batch (pairs for DPO, examples otherwise)
    grad_accum: int = 1
    warmup_steps: int = 10
    schedule: str = "cosine"  # cosine | linear | constant (after warm-up)
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    seed: int = 0
    precision: str = "auto"  # auto | fp32 | bf16 | fp16
    checkpoint_every: int = 100
    eval_every: int = 0  # 0: only at the end
    log_every: int = 10
    threads: int = 2
    max_len: int = 512
    eval_batch_size: int = 32
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    rpo_alpha: float = 0.0  # DPO: + α × NLL of the chosen reply per token (TRL's rpo_alpha); 0 = plain DPO
    device: str = "auto"  # auto | cpu | cuda
    # OUT/guards.json: greedy replies of parent and new model to this many test-split prompts and
    # parent held-out exact-answer questions (0 and 0: none), graded by the api (feedback's guardsOf).
    guard_prompts: int = 16
    guard_exact: int = 16
    # Sentences the run is meant to add (a trait): not a side effect, and not part of the answer.
    guard_ignore: list[str] = field(default_factory=list)
    # Replay (a mix of SFT data, against forgetting): + w × cross-entropy on a batch of the parent's
    # own training corpus per micro-batch (regenerated from the variant and seed its metrics.json
    # records, with a new seed; dialogues whose prompts the dataset answers are left out). 0 = off.
    replay_weight: float = 0.0
    replay_dialogues: int = 4000


# ---------------------------------------------------------------------------------------------
# Encoding


def encode_prompt(messages: list[dict]) -> list[int]:
    """The prompt as the model sees it before replying: the dialogue so far, then the assistant header."""
    return encode_dialogue(messages)[0] + encode("<|im_start|>assistant\n")


def encode_completion(text: str) -> list[int]:
    """A reply's tokens as SFT trained them: content bytes and the closing <|im_end|>."""
    return list(text.encode("utf-8")) + [IM_END]


def join(prompt: list[int], completion: list[int], max_len: int) -> tuple[list[int], list[int]]:
    """prompt + completion within max_len tokens (the prompt loses its oldest tokens first, keeping
    at least half the window, then the completion is cut); returns (ids, 0/1 mask of the completion)."""
    if len(prompt) + len(completion) > max_len:
        keep = max(max_len - len(completion), max_len // 2)
        prompt = prompt[-keep:]
        completion = completion[:max_len - len(prompt)]
    return prompt + completion, [0] * len(prompt) + [1] * len(completion)


def kl_pairs(items: list[dict], max_len: int) -> list[tuple[list[int], list[int]]]:
    """KTO's mismatched pairs: each prompt with the previous item's completion (rotated by one)."""
    return [join(it["prompt"], items[j - 1]["completion"], max_len) for j, it in enumerate(items)]


def encode_records(method: str, records: list[dict], max_len: int) -> list[dict]:
    out = []
    for r in records:
        if method == "dpo":
            p = encode_prompt(r["prompt"])
            out.append({"chosen": join(p, encode_completion(r["chosen"][0]["content"]), max_len),
                        "rejected": join(p, encode_completion(r["rejected"][0]["content"]), max_len)})
        elif method == "kto":
            p = encode_prompt(r["prompt"])
            c = encode_completion(r["completion"][0]["content"])
            out.append({"prompt": p, "completion": c, "seq": join(p, c, max_len), "label": bool(r["label"])})
        else:
            ids, mask = encode_dialogue(r["messages"])
            out.append({"seq": (ids[:max_len], mask[:max_len])})
    return out


def pad_batch(seqs: list[tuple[list[int], list[int]]], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids [N, L] and the 0/1 masks of the positions to learn [N, L]. Right padding needs
    no attention mask: under the causal mask no real position attends to a later pad."""
    n = max(len(ids) for ids, _ in seqs)
    x = torch.full((len(seqs), n), PAD, dtype=torch.long)
    m = torch.zeros((len(seqs), n), dtype=torch.float32)
    for j, (ids, mask) in enumerate(seqs):
        x[j, :len(ids)] = torch.tensor(ids)
        m[j, :len(mask)] = torch.tensor(mask, dtype=torch.float32)
    return x.to(device), m.to(device)


# ---------------------------------------------------------------------------------------------
# Log-probabilities and losses


def token_logps(model, ids: torch.Tensor, mask: torch.Tensor, autocast=contextlib.nullcontext):
    """Per-position log-probabilities of the next token [N, L-1] (masked to completion targets),
    and the logits (float32)."""
    with autocast():
        logits, _ = model(ids[:, :-1])
    logits = logits.float()
    lp = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return lp * mask[:, 1:], logits


def sequence_logps(model, ids, mask, autocast=contextlib.nullcontext) -> torch.Tensor:
    """Summed completion log-probabilities per sequence [N]."""
    return token_logps(model, ids, mask, autocast)[0].sum(-1)


def dpo_loss(pi_c, pi_r, ref_c, ref_r, beta: float):
    """TRL's sigmoid DPO loss with its reward statistics."""
    chosen_rewards = beta * (pi_c - ref_c)
    rejected_rewards = beta * (pi_r - ref_r)
    losses = -F.logsigmoid(chosen_rewards - rejected_rewards)
    return losses.mean(), chosen_rewards.detach(), rejected_rewards.detach()


def kto_loss(pi, ref, labels: torch.Tensor, kl: torch.Tensor, beta: float, w_d: float, w_u: float):
    """TRL's KTO loss: desirable 1 − σ(β(r − z)), undesirable 1 − σ(β(z − r)), r = π − ref."""
    logratio = pi - ref
    desirable = w_d * (1 - torch.sigmoid(beta * (logratio - kl)))
    undesirable = w_u * (1 - torch.sigmoid(beta * (kl - logratio)))
    losses = torch.where(labels, desirable, undesirable)
    return losses.mean(), (beta * logratio).detach()


def all_reduce_mean(t: torch.Tensor) -> torch.Tensor:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        t = t.clone()
        torch.distributed.all_reduce(t)
        t /= torch.distributed.get_world_size()
    return t


def all_reduce_sum(t: torch.Tensor) -> torch.Tensor:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        t = t.clone()
        torch.distributed.all_reduce(t)
    return t


# ---------------------------------------------------------------------------------------------
# Data order


class Sampler:
    """Seeded per-epoch shuffles read in order; the state (epoch, position) is all a resume needs."""

    def __init__(self, n: int, seed: int):
        if n == 0:
            raise ValueError("the training split is empty")
        self.n, self.seed = n, seed
        self.epoch, self.pos = 0, 0
        self._order_epoch = -1
        self._order: list[int] = []

    def order(self) -> list[int]:
        if self._order_epoch != self.epoch:
            self._order = list(range(self.n))
            random.Random(self.seed * 1_000_003 + self.epoch).shuffle(self._order)
            self._order_epoch = self.epoch
        return self._order

    def take(self, k: int) -> list[int]:
        out: list[int] = []
        while len(out) < k:
            if self.pos >= self.n:
                self.epoch, self.pos = self.epoch + 1, 0
            o = self.order()
            t = min(k - len(out), self.n - self.pos)
            out += o[self.pos:self.pos + t]
            self.pos += t
        return out

    def state(self) -> dict:
        return {"epoch": self.epoch, "pos": self.pos}

    def load_state(self, s: dict) -> None:
        self.epoch, self.pos = int(s["epoch"]), int(s["pos"])


# ---------------------------------------------------------------------------------------------
# Environment: distributed, device, precision


@dataclass
class Env:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    precision: str = "fp32"
    distributed: bool = False

    @property
    def main(self) -> bool:
        return self.rank == 0

    def autocast(self):
        if self.device.type == "cuda" and self.precision in ("bf16", "fp16"):
            dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
            return torch.autocast(device_type="cuda", dtype=dtype)
        return contextlib.nullcontext()


def resolve_precision(requested: str, device: torch.device) -> str:
    """fp32 on CPU whatever was asked; on CUDA bf16 where supported, else fp16 (with a GradScaler)."""
    if device.type != "cuda":
        return "fp32"
    bf16_ok = torch.cuda.is_bf16_supported()
    if requested == "auto":
        return "bf16" if bf16_ok else "fp16"
    if requested == "bf16" and not bf16_ok:
        return "fp16"
    return requested


def setup_env(cfg: PrefConfig) -> Env:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = cfg.device == "cuda" or (cfg.device == "auto" and torch.cuda.is_available())
    if use_cuda:
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    distributed = world > 1
    if distributed and not torch.distributed.is_initialized():
        torch.distributed.init_process_group(backend="nccl" if use_cuda else "gloo")
    return Env(rank=rank, world=world, local_rank=local_rank, device=device,
               precision=resolve_precision(cfg.precision, device), distributed=distributed)


# ---------------------------------------------------------------------------------------------
# The trainer


def corpus_of(model_dir: Path) -> dict | None:
    """The corpus a model was trained on (variant and seed), as its metrics.json records it:
    train:base writes `corpus` and `train_config.seed`; a preference run carries them down."""
    p = Path(model_dir) / "metrics.json"
    if not p.exists():
        return None
    try:
        m = json.loads(p.read_text())
    except ValueError:
        return None
    c = m.get("corpus")
    if not isinstance(c, dict) or not c.get("variant"):
        return None
    seed = c.get("seed", (m.get("train_config") or {}).get("seed", 0))
    return {**c, "seed": int(seed)}


class Trainer:
    def __init__(self, cfg: PrefConfig, model_dir: str | Path, dataset: str | Path, out: str | Path,
                 run_dir: str | Path | None = None, resume: bool | str = False, log=None, emit=None, on_step=None,
                 int8: bool = True, int8_max_heldout: int | None = 200):
        if cfg.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        self.cfg, self.model_dir, self.dataset = cfg, Path(model_dir), Path(dataset)
        self.out = Path(out)
        self.run_dir = Path(run_dir) if run_dir else self.out.parent / f"{self.out.name}-run"
        self.resume = resume
        self.log = log or (lambda *a: print(*a, file=sys.stderr, flush=True))
        self.emit = emit or (lambda obj: print(json.dumps(obj), flush=True))
        self.on_step = on_step  # called as on_step(trainer) after every optimizer step (experiments)
        # model_int8.onnx beside model.onnx; its held-out loss comparison reads at most this many dialogues.
        self.int8, self.int8_max_heldout = int8, int8_max_heldout
        self.env = setup_env(cfg)

    # -- setup ----------------------------------------------------------------------------------
    def _load_data(self) -> None:
        cfg = self.cfg
        train_records = read_split(self.dataset, cfg.method, "train")
        test_records = read_split(self.dataset, cfg.method, "test")
        self.train_items = encode_records(cfg.method, train_records, cfg.max_len)
        self.test_items = encode_records(cfg.method, test_records, cfg.max_len)
        self.replay_items, self.replay_source = [], None
        if cfg.replay_weight > 0:
            self._load_replay(train_records + test_records)
        if cfg.method == "kto" and cfg.batch_size < 2:
            raise ValueError("KTO needs --batch-size of at least 2 (the KL reference point pairs prompts "
                             "with other examples' completions)")

    def _load_replay(self, dataset_records: list[dict]) -> None:
        """The replay set: dialogues of the parent's own corpus (what it was trained on), so that a
        run on a narrow dataset keeps what the dataset does not speak about (exact answers)."""
        from . import corpus
        cfg = self.cfg
        src = corpus_of(self.model_dir)
        if src is None:
            raise ValueError(f"--replay-weight needs the parent's training corpus, and {self.model_dir}/metrics.json "
                             "names none (a model trained by train:base, or a descendant of one, does)")
        work = self.run_dir / f"replay-corpus-{self.env.rank}"
        seed = src["seed"] + 1  # the same distribution, other dialogues (held-out items never appear)
        with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the job's JSON lines
            corpus.main(["--out", str(work), "--n", str(cfg.replay_dialogues), "--seed", str(seed), "--variant", src["variant"]])
        # Prompts the dataset answers (train and test split: the guards read the test split's) are not replayed.
        answered = set()
        for r in dataset_records:
            msgs = r.get("prompt") or r.get("messages") or []
            answered.update(m["content"].strip() for m in msgs if m.get("role") == "user")
        kept = []
        with open(work / "train.jsonl", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)["messages"]
                if any(m["role"] == "user" and m["content"].strip() in answered for m in d):
                    continue
                ids, mask = encode_dialogue(d)
                kept.append((ids[:cfg.max_len], mask[:cfg.max_len]))
        if not kept:
            raise ValueError(f"--replay-weight: all {cfg.replay_dialogues} replay dialogues answer prompts of the dataset; "
                             "raise --replay-dialogues or leave replay off")
        random.Random(cfg.seed).shuffle(kept)
        self.replay_items = kept
        self.replay_source = {"variant": src["variant"], "seed": src["seed"], "replay_seed": seed, "dialogues": len(kept), "left_out": cfg.replay_dialogues - len(kept)}
        self.log(f"replay: {len(kept)} dialogues of the parent's corpus (variant {src['variant']}), "
                 f"{cfg.replay_dialogues - len(kept)} left out as the dataset answers their prompts")

    def _replay_loss(self) -> torch.Tensor:
        """Cross-entropy per token on the next batch of replay dialogues (reply tokens only)."""
        n, env = len(self.replay_items), self.env
        # Each process its own batch (as the preference data is split), the same order on resume.
        start = ((self._replay_pos * env.world + env.rank) * self.cfg.batch_size) % n
        self._replay_pos += 1
        batch = [self.replay_items[(start + j) % n] for j in range(self.cfg.batch_size)]
        ids, mask = pad_batch(batch, self.env.device)
        lp, _ = token_logps(self.model, ids, mask, self.env.autocast)
        self._replay_tokens = int((ids != PAD).sum())
        return -lp.sum() / mask[:, 1:].sum().clamp(min=1.0)

    @torch.no_grad()
    def _reference_logps(self, items: list[dict]) -> dict[str, torch.Tensor]:
        """Reference log-probabilities of every example, in fixed chunks (deterministic)."""
        keys = ("chosen", "rejected") if self.cfg.method == "dpo" else ("seq",)
        res = {}
        for k in keys:
            vals = []
            for i in range(0, len(items), self.cfg.eval_batch_size):
                ids, mask = pad_batch([it[k] for it in items[i:i + self.cfg.eval_batch_size]], self.env.device)
                vals.append(sequence_logps(self.ref, ids, mask, self.env.autocast).float().cpu())
            res[k] = torch.cat(vals) if vals else torch.zeros(0)
        return res

    def setup(self) -> None:
        cfg, env = self.cfg, self.env
        torch.set_num_threads(cfg.threads)
        # Denormal floats (Adam's second moments of vanishing gradients, softmax tails) slow x86
        # CPUs down by orders of magnitude once a preference loss saturates; flush them to zero.
        torch.set_flush_denormal(True)
        torch.manual_seed(cfg.seed)
        random.seed(cfg.seed)
        self._load_data()
        policy, _ = load_model(self.model_dir)
        if cfg.max_len > policy.config.max_position_embeddings:
            raise ValueError(f"--max-len {cfg.max_len} exceeds the model's context {policy.config.max_position_embeddings}")
        self.parent_sha256 = sha256(self.model_dir / "dialoop_checkpoint.pt")
        self.parent_corpus = corpus_of(self.model_dir)
        self.policy = policy.to(env.device)
        self.ref = None
        if cfg.method in ("dpo", "kto"):
            self.ref = copy.deepcopy(self.policy).eval()
            for p in self.ref.parameters():
                p.requires_grad_(False)
            self.ref_train = self._reference_logps(self.train_items)
            self.ref_test = self._reference_logps(self.test_items)
        global_micro = cfg.batch_size * env.world
        per_step = global_micro * cfg.grad_accum
        if cfg.steps is not None:
            self.total_steps = int(cfg.steps)
        else:
            self.total_steps = max(1, math.ceil((cfg.epochs or 1.0) * len(self.train_items) / per_step))
        self.optimizer = make_optimizer(self.policy, cfg)
        self.scaler = torch.cuda.amp.GradScaler(enabled=env.precision == "fp16")
        self.sampler = Sampler(len(self.train_items), cfg.seed)
        self.step, self.elapsed = 0, 0.0
        self._replay_pos = 0
        self.history: list[dict] = []
        self.evals: list[dict] = []
        self.first_loss = None
        self.ckpt_dir = self.run_dir / "checkpoints"
        if env.main:
            self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        if self.resume:
            self._maybe_resume()
        if env.distributed:
            kw = {"device_ids": [env.local_rank]} if env.device.type == "cuda" else {}
            self.model = torch.nn.parallel.DistributedDataParallel(self.policy, **kw)
        else:
            self.model = self.policy

    def _checkpoint_path(self) -> Path | None:
        if isinstance(self.resume, str) and self.resume not in ("latest", "auto"):
            return Path(self.resume)
        p = self.ckpt_dir / "latest.pt"
        return p if p.exists() else None

    def _maybe_resume(self) -> None:
        p = self._checkpoint_path()
        if p is None or not p.exists():
            self.log(f"no checkpoint under {self.ckpt_dir}: starting from the parent model")
            return
        ck = torch.load(str(p), map_location="cpu")
        self.policy.load_state_dict(ck["model"])
        self.optimizer.load_state_dict(ck["optimizer"])
        self.total_steps = ck["total_steps"]
        if ck.get("scaler"):
            self.scaler.load_state_dict(ck["scaler"])
        self.sampler.load_state(ck["data"])
        torch.set_rng_state(ck["rng"]["torch"])
        random.setstate(ck["rng"]["python"])
        if ck["rng"].get("cuda") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ck["rng"]["cuda"])
        self.step, self.elapsed = ck["step"], ck["elapsed"]
        self._replay_pos = ck.get("replay_pos", self.step * self.cfg.grad_accum)
        self.history, self.evals, self.first_loss = ck.get("history", []), ck.get("evals", []), ck.get("first_loss")
        if self.env.main:  # metrics.jsonl keeps only what precedes the checkpoint
            mpath = self.run_dir / "metrics.jsonl"
            if mpath.exists():
                kept = [l for l in mpath.read_text().splitlines() if l.strip() and json.loads(l).get("step", 0) <= self.step]
                mpath.write_text("".join(l + "\n" for l in kept))
        self.log(f"resumed from {p} at step {self.step} of {self.total_steps}")

    def _save_checkpoint(self) -> None:
        if not self.env.main:
            return
        rng = {"torch": torch.get_rng_state(), "python": random.getstate(),
               "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}
        extra = {"optimizer": self.optimizer.state_dict(),
                 "scaler": self.scaler.state_dict() if self.scaler.is_enabled() else None,
                 "data": self.sampler.state(), "rng": rng, "step": self.step, "elapsed": self.elapsed,
                 "total_steps": self.total_steps, "history": self.history, "evals": self.evals,
                 "first_loss": self.first_loss, "replay_pos": self._replay_pos, "pref_config": json.dumps(asdict(self.cfg))}
        numbered = self.ckpt_dir / f"step-{self.step:06d}.pt"
        save_checkpoint(numbered, self.policy, extra)
        tmp = self.ckpt_dir / "latest.pt.tmp"
        shutil.copyfile(numbered, tmp)
        os.replace(tmp, self.ckpt_dir / "latest.pt")

    # -- one micro-batch ------------------------------------------------------------------------
    def _micro(self, idx: list[int]) -> tuple[torch.Tensor, dict, int]:
        """Loss of one micro-batch, its statistics (sums) and its token count."""
        cfg, env = self.cfg, self.env
        items = [self.train_items[i] for i in idx]
        if cfg.method == "dpo":
            ids, mask = pad_batch([it["chosen"] for it in items] + [it["rejected"] for it in items], env.device)
            lp = sequence_logps(self.model, ids, mask, env.autocast)
            n = len(items)
            ref_c = self.ref_train["chosen"][idx].to(env.device)
            ref_r = self.ref_train["rejected"][idx].to(env.device)
            loss, rc, rr = dpo_loss(lp[:n], lp[n:], ref_c, ref_r, cfg.beta)
            if cfg.rpo_alpha:
                loss = loss + cfg.rpo_alpha * (-lp[:n].sum() / mask[:n, 1:].sum().clamp(min=1.0))
            stats = {"rewards/chosen": rc.sum(), "rewards/rejected": rr.sum(),
                     "rewards/accuracy": (rc > rr).float().sum(), "rewards/margins": (rc - rr).sum(), "n": n}
            return loss, stats, int((ids != PAD).sum())
        if cfg.method == "kto":
            ids, mask = pad_batch([it["seq"] for it in items], env.device)
            labels = torch.tensor([it["label"] for it in items], device=env.device)
            z, kl_ids = self._kto_logratio(items)
            kl = all_reduce_mean(z).clamp(min=0)
            lp = sequence_logps(self.model, ids, mask, env.autocast)
            ref = self.ref_train["seq"][idx].to(env.device)
            loss, rewards = kto_loss(lp, ref, labels, kl, cfg.beta, cfg.desirable_weight, cfg.undesirable_weight)
            d, u = labels.float(), (~labels).float()
            stats = {"rewards/chosen_sum": (rewards * d).sum(), "n_chosen": d.sum(),
                     "rewards/rejected_sum": (rewards * u).sum(), "n_rejected": u.sum(), "kl": kl * len(items),
                     "n": len(items)}
            return loss, stats, int((ids != PAD).sum() + (kl_ids != PAD).sum())
        ids, mask = pad_batch([it["seq"] for it in items], env.device)
        lp, _ = token_logps(self.model, ids, mask, env.autocast)
        count = mask[:, 1:].sum().clamp(min=1.0)
        loss = -lp.sum() / count
        return loss, {"n": len(items)}, int((ids != PAD).sum())

    @torch.no_grad()
    def _kto_logratio(self, items: list[dict]) -> tuple[torch.Tensor, torch.Tensor]:
        """KTO's reference point before clamping: the mean policy-vs-reference log-ratio of the
        mismatched pairs (no gradient); and the pairs' ids."""
        ids, mask = pad_batch(kl_pairs(items, self.cfg.max_len), self.env.device)
        logratio = (sequence_logps(self.policy, ids, mask, self.env.autocast)
                    - sequence_logps(self.ref, ids, mask, self.env.autocast))
        return logratio.mean(), ids

    # -- evaluation -----------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self, kl: bool = True) -> dict:
        """Held-out (test split) metrics; KL(policy‖reference) exact over the vocabulary on every
        completion position, averaged per token."""
        cfg, env = self.cfg, self.env
        model = self.policy
        model.eval()
        items = self.test_items
        res: dict = {"examples": len(items)}
        if not items:
            model.train()
            return res
        bs = cfg.eval_batch_size
        kl_sum, kl_tokens = 0.0, 0.0

        def kl_of(ids, mask, pol_logits):
            nonlocal kl_sum, kl_tokens
            if self.ref is None:
                return
            with env.autocast():
                ref_logits, _ = self.ref(ids[:, :-1])
            lp = torch.log_softmax(pol_logits, -1)
            lq = torch.log_softmax(ref_logits.float(), -1)
            per_pos = (lp.exp() * (lp - lq)).sum(-1)
            m = mask[:, 1:]
            kl_sum += float((per_pos * m).sum())
            kl_tokens += float(m.sum())

        if cfg.method == "dpo":
            losses, acc, margins, rcs, rrs, nll, ntok = [], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
            for i in range(0, len(items), bs):
                chunk = items[i:i + bs]
                n = len(chunk)
                ids, mask = pad_batch([it["chosen"] for it in chunk] + [it["rejected"] for it in chunk], env.device)
                tl, logits = token_logps(model, ids, mask, env.autocast)
                lp = tl.sum(-1)
                ref_c = self.ref_test["chosen"][i:i + n].to(env.device)
                ref_r = self.ref_test["rejected"][i:i + n].to(env.device)
                loss, rc, rr = dpo_loss(lp[:n], lp[n:], ref_c, ref_r, cfg.beta)
                losses.append(float(loss) * n)
                acc += float((rc > rr).float().sum())
                margins += float((rc - rr).sum())
                rcs += float(rc.sum())
                rrs += float(rr.sum())
                nll -= float(lp[:n].sum())
                ntok += float(mask[:n, 1:].sum())
                if kl:
                    kl_of(ids, mask, logits)
            N = len(items)
            res.update({"loss": sum(losses) / N, "reward_accuracy": acc / N, "margin_mean": margins / N,
                        "rewards_chosen": rcs / N, "rewards_rejected": rrs / N, "nll_chosen_per_token": nll / max(ntok, 1)})
        elif cfg.method == "kto":
            total, rd, nd, ru, nu, z_sum, nz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0
            for i in range(0, len(items), bs):
                chunk = items[i:i + bs]
                ids, mask = pad_batch([it["seq"] for it in chunk], env.device)
                labels = torch.tensor([it["label"] for it in chunk], device=env.device)
                tl, logits = token_logps(model, ids, mask, env.autocast)
                lp = tl.sum(-1)
                ref = self.ref_test["seq"][i:i + len(chunk)].to(env.device)
                if len(chunk) > 1:
                    z = self._kto_logratio(chunk)[0].clamp(min=0)
                else:
                    z = torch.zeros((), device=env.device)
                z_sum, nz = z_sum + float(z), nz + 1
                loss, rewards = kto_loss(lp, ref, labels, z, cfg.beta, cfg.desirable_weight, cfg.undesirable_weight)
                total += float(loss) * len(chunk)
                rd += float((rewards * labels.float()).sum())
                nd += float(labels.float().sum())
                ru += float((rewards * (~labels).float()).sum())
                nu += float((~labels).float().sum())
                if kl:
                    kl_of(ids, mask, logits)
            res.update({"loss": total / len(items), "rewards_desirable": rd / nd if nd else None,
                        "rewards_undesirable": ru / nu if nu else None,
                        "reward_gap": (rd / nd - ru / nu) if nd and nu else None, "kl_reference_point": z_sum / max(nz, 1)})
        else:
            total, count = 0.0, 0.0
            for i in range(0, len(items), bs):
                ids, mask = pad_batch([it["seq"] for it in items[i:i + bs]], env.device)
                tl, _ = token_logps(model, ids, mask, env.autocast)
                total -= float(tl.sum())
                count += float(mask[:, 1:].sum())
            res["loss"] = total / max(count, 1.0)
        if self.ref is not None and kl:
            res["kl_policy_reference"] = kl_sum / max(kl_tokens, 1.0)
            res["kl_tokens"] = int(kl_tokens)
        model.train()
        return res

    # -- the loop -------------------------------------------------------------------------------
    def train(self) -> dict:
        cfg, env = self.cfg, self.env
        metrics_f = open(self.run_dir / "metrics.jsonl", "a", encoding="utf-8") if env.main else None
        self.model.train()
        window = {"loss": 0.0, "n": 0, "tokens": 0, "t": time.time(), "stats": {}}
        wall_start = time.time()
        start_step = self.step
        while self.step < self.total_steps:
            t0 = time.time()
            lr = lr_at(self.step, cfg, self.total_steps)
            for g in self.optimizer.param_groups:
                g["lr"] = lr
            step_loss = 0.0
            for micro in range(cfg.grad_accum):
                idx = self.sampler.take(cfg.batch_size * env.world)[env.rank * cfg.batch_size:(env.rank + 1) * cfg.batch_size]
                last = micro == cfg.grad_accum - 1
                sync = contextlib.nullcontext() if (last or not env.distributed) else self.model.no_sync()
                with sync:
                    loss, stats, tokens = self._micro(idx)
                    if self.replay_items:
                        replay = self._replay_loss()
                        stats["replay_ce"] = replay.detach()
                        stats["replay_n"] = 1
                        tokens += self._replay_tokens
                        loss = loss + cfg.replay_weight * replay
                    self.scaler.scale(loss / cfg.grad_accum).backward()
                step_loss += float(loss) / cfg.grad_accum
                window["tokens"] += tokens
                for k, v in stats.items():
                    window["stats"][k] = window["stats"].get(k, 0.0) + float(v)
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), cfg.grad_clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            self.elapsed += time.time() - t0
            step_loss = float(all_reduce_mean(torch.tensor(step_loss)))
            self.first_loss = step_loss if self.first_loss is None else self.first_loss
            window["loss"] += step_loss
            window["n"] += 1
            if self.step % cfg.log_every == 0 or self.step == self.total_steps:
                self._log_window(window, lr, metrics_f, wall_start, start_step)
                window = {"loss": 0.0, "n": 0, "tokens": 0, "t": time.time(), "stats": {}}
            if cfg.eval_every and self.step % cfg.eval_every == 0 and self.step != self.total_steps:
                ev = {"step": self.step, **self.evaluate(kl=False)}
                self.evals.append(ev)
                if env.main:
                    self.emit({"event": "eval", **ev})
            if self.step % cfg.checkpoint_every == 0 or self.step == self.total_steps:
                self._save_checkpoint()
            if self.on_step is not None:
                self.on_step(self)
                self.policy.train()
        if metrics_f:
            metrics_f.close()
        return {"steps": self.step}

    def _log_window(self, w: dict, lr: float, metrics_f, wall_start: float, start_step: int) -> None:
        cfg, env = self.cfg, self.env
        dt = max(time.time() - w["t"], 1e-9)
        keys = sorted(w["stats"])
        sums = all_reduce_sum(torch.tensor([w["stats"][k] for k in keys] + [float(w["tokens"])], dtype=torch.float64))
        s = dict(zip(keys, sums[:-1].tolist()))
        rec = {"step": self.step, "loss": w["loss"] / w["n"], "lr": lr, "tokens_per_s": float(sums[-1]) / dt,
               "elapsed_s": round(self.elapsed, 3)}
        if cfg.method == "dpo" and s.get("n"):
            for k in ("rewards/chosen", "rewards/rejected", "rewards/accuracy", "rewards/margins"):
                rec[k] = s[k] / s["n"]
        elif cfg.method == "kto" and s.get("n"):
            rec["rewards/chosen"] = s["rewards/chosen_sum"] / s["n_chosen"] if s["n_chosen"] else None
            rec["rewards/rejected"] = s["rewards/rejected_sum"] / s["n_rejected"] if s["n_rejected"] else None
            rec["kl"] = s["kl"] / s["n"]
        if s.get("replay_n"):
            rec["replay_ce"] = s["replay_ce"] / s["replay_n"]
        self.history.append(rec)
        if not env.main:
            return
        metrics_f.write(json.dumps(rec) + "\n")
        metrics_f.flush()
        done = self.step - start_step
        per_step = (time.time() - wall_start) / max(done, 1)
        self.emit({"event": "progress", "step": self.step, "total": self.total_steps, "loss": rec["loss"],
                   "lr": lr, "eta_s": round(per_step * (self.total_steps - self.step), 1),
                   "tokens_per_s": round(rec["tokens_per_s"], 1),
                   **({"reward_accuracy": rec["rewards/accuracy"]} if "rewards/accuracy" in rec else {})})

    # -- the loop's guards ------------------------------------------------------------------------
    @torch.no_grad()
    def guard_replies(self) -> dict | None:
        """Greedy replies of the parent and of the trained model to the same prompts: the test split's
        (each prompt once, at most guard_prompts) and the parent's held-out questions with an exact
        answer (at most guard_exact, spread over kinds and languages), capped at the parent's
        max_new_tokens. The api grades them with the loop's three guards (exact-answer rate, replies
        at the token limit, a new repeated phrase: feedback's `guardsOf`) when it registers the model.
        A dataset's test prompts carry no reference answer, hence the parent's held-out questions."""
        from .export import greedy_ids_batch
        from .quick_eval import EXACT_KINDS, _to_bytes_text, extract_answer
        cfg = self.cfg
        if cfg.guard_prompts <= 0 and cfg.guard_exact <= 0:
            return None
        prompts: list[dict] = []
        seen: set[str] = set()
        for r in read_split(self.dataset, cfg.method, "test"):
            msgs = r["prompt"] if "prompt" in r else r["messages"][:-1]
            key = json.dumps(msgs, sort_keys=True)
            if len(prompts) < cfg.guard_prompts and key not in seen and msgs and msgs[-1]["role"] == "user":
                seen.add(key)
                prompts.append({"messages": msgs, "kind": "test", "answer": None})
        heldout = self.model_dir / "heldout.jsonl"
        if cfg.guard_exact > 0 and heldout.exists():
            rows = [json.loads(line) for line in heldout.read_text(encoding="utf-8").splitlines() if line.strip()]
            exact = [h for h in rows if h.get("kind") in EXACT_KINDS and h.get("answer") is not None
                     and sum(m["role"] == "user" for m in h["messages"]) == 1]
            step = max(1, len(exact) // cfg.guard_exact)
            prompts += [{"messages": h["messages"], "kind": h["kind"], "answer": h["answer"]}
                        for h in exact[::step][:cfg.guard_exact]]
        if not prompts:
            return None
        gen = self.model_dir / "generation_config.json"
        max_new = int(json.loads(gen.read_text()).get("max_new_tokens", 256)) if gen.exists() else 256
        parent = copy.deepcopy(self.ref).float().cpu() if self.ref is not None else load_model(self.model_dir)[0]
        model = copy.deepcopy(self.policy).float().cpu().eval()
        # Prompts up to a quarter of the context (a long conversation would make every step of the
        # batch pay for it), replies up to what is left after the longest.
        context = model.config.max_position_embeddings
        kept = [(p, encode_prompt(p["messages"])) for p in prompts]
        kept = [(p, i) for p, i in kept if len(i) <= context // 4]
        if not kept:
            return None
        prompts, ids = [p for p, _ in kept], [i for _, i in kept]
        max_new = min(max_new, context - max(len(i) for i in ids))

        def answer_part(text: str) -> str:
            """The reply without the intended sentences at its end (the answer is what came before)."""
            t, cut = text.rstrip(), True
            while cut:
                cut = False
                for x in cfg.guard_ignore:
                    if x and t.endswith(x):
                        t, cut = t[:-len(x)].rstrip(), True
            return t

        def replies(m) -> list[dict]:
            m.eval()
            out: list[dict] = []
            for i in range(0, len(ids), 64):  # one batch at the defaults (decoding is step-bound)
                for new, ended in greedy_ids_batch(m, ids[i:i + 64], max_new):
                    p, text = prompts[len(out)], _to_bytes_text(new)[0]
                    # graded as eval:model grades (quick_eval.extract_answer mirrors inference/src/eval/answers.ts)
                    exact = extract_answer(p["kind"], answer_part(text)) == p["answer"] if p["answer"] is not None else None
                    out.append({"text": text, "finish": "stop" if ended else "length", "exact": exact})
            return out

        t0 = time.time()
        res = {"max_new_tokens": max_new, "ignore": list(cfg.guard_ignore),
               "prompts": [{"prompt": p["messages"][-1]["content"], "kind": p["kind"], "answer": p["answer"]} for p in prompts],
               "parent": replies(parent), "model": replies(model)}
        self.log(f"guard replies: {len(prompts)} prompts x 2 models in {time.time() - t0:.1f} s")
        return res

    # -- the model folder -----------------------------------------------------------------------
    def write_output(self, heldout: dict, wall_s: float) -> dict:
        from .export import export_onnx
        cfg, env = self.cfg, self.env
        out = self.out
        out.mkdir(parents=True, exist_ok=True)
        model = copy.deepcopy(self.policy).float().cpu().eval()
        save_checkpoint(out / "dialoop_checkpoint.pt", model)
        export_onnx(model, out / "model.onnx")
        write_configs(out, model.config)
        for name in (*TOKENIZER_FILES, "generation_config.json", "heldout.jsonl"):
            if (self.model_dir / name).exists():
                shutil.copyfile(self.model_dir / name, out / name)
        if not all((out / n).exists() for n in TOKENIZER_FILES):
            save_tokenizer(out, model.config.max_position_embeddings)
        int8_report = None
        if self.int8:
            from .quantize import quantize_beside
            int8_report = quantize_beside(out, max_heldout=self.int8_max_heldout, log=self.log, card=False, update_metrics=False)
        guards = self.guard_replies()
        if guards is not None:
            (out / "guards.json").write_text(json.dumps(guards, ensure_ascii=False) + "\n", encoding="utf-8")
        tps = [h["tokens_per_s"] for h in self.history]
        files = sorted(p.name for p in out.iterdir() if p.is_file() and p.name not in ("README.md", "metrics.json"))
        global_batch = cfg.batch_size * cfg.grad_accum * env.world
        metrics = {
            "method": cfg.method,
            "model": out.name,
            "parent": {"name": self.model_dir.resolve().name, "path": str(self.model_dir.resolve()),
                       "checkpoint_sha256": self.parent_sha256},
            "dataset": {**describe(self.dataset), "train_records": len(self.train_items), "test_records": len(self.test_items)},
            "hyperparameters": {**asdict(cfg), "total_steps": self.total_steps, "global_batch": global_batch,
                                "world_size": env.world, "precision_used": env.precision, "device": str(env.device)},
            "steps": self.step,
            "epochs": round(self.step * global_batch / max(len(self.train_items), 1), 3),
            "train_loss_first": self.first_loss,
            "train_loss_final": self.history[-1]["loss"] if self.history else None,
            "heldout": heldout,
            "tokens_per_s": sum(tps) / len(tps) if tps else None,
            "train_seconds": round(self.elapsed, 2),
            "wall_seconds": round(wall_s, 2),
            "history": self.history,
            "evals": self.evals,
            "parameters": model.num_parameters(),
            "torch": torch.__version__,
            "machine": f"{platform.machine()} {platform.processor()}".strip(),
            "threads": cfg.threads,
            "files": {name: sha256(out / name) for name in files},
            **({"int8": int8_report} if int8_report else {}),
            # The base corpus, carried down the lineage (a child's replay regenerates it).
            **({"corpus": self.parent_corpus} if self.parent_corpus else {}),
            **({"replay": self.replay_source} if self.replay_source else {}),
        }
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        write_card(out, metrics)
        return metrics


def _fmt(v, digits=3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def write_card(out: Path, m: dict) -> None:
    """The model card: lineage (parent and dataset version with their hashes), method,
    hyperparameters, held-out metrics and files."""
    hp, ho, ds, par = m["hyperparameters"], m["heldout"], m["dataset"], m["parent"]
    rpo = f", plus {hp['rpo_alpha']} × the chosen reply's NLL per token (RPO)" if hp.get("rpo_alpha") else ""
    method_text = {
        "dpo": f"DPO (sigmoid loss, β = {hp['beta']}{rpo}) against a frozen copy of the parent",
        "kto": (f"KTO (TRL's formulation, β = {hp['beta']}, desirable weight {hp['desirable_weight']}, "
                f"undesirable weight {hp['undesirable_weight']}) against a frozen copy of the parent"),
        "sft": "supervised fine-tuning on the assistant replies",
    }[m["method"]]
    if m.get("replay"):
        r = m["replay"]
        method_text += (f"; each micro-batch adds {hp['replay_weight']} × the cross-entropy of a batch of the parent's own "
                        f"training corpus (replay: `corpus --variant {r['variant']}`, seed {r['replay_seed']}, "
                        f"{r['dialogues']:,} dialogues, {r['left_out']} left out as the dataset answers their prompts), "
                        "so that what the dataset does not speak about is not forgotten")
    hp_rows = "\n".join(f"| {k} | {_fmt(v, 6) if isinstance(v, float) else _fmt(v)} |" for k, v in hp.items())
    ho_rows = "\n".join(f"| {k} | {_fmt(v, 4)} |" for k, v in ho.items())
    hist = "\n".join(f"| {h['step']} | {_fmt(h['loss'], 4)} | {_fmt(h.get('rewards/accuracy'))} | "
                     f"{_fmt(h.get('rewards/margins'))} | {h['lr']:.2e} | {h['tokens_per_s']:.0f} |" for h in m["history"])
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
    files = "\n".join(f"| `{name}` | {sizes.get(name, 0):,} | `{digest}` |" for name, digest in m["files"].items())
    card = f"""# {m['model']}

A Dialoop model version fine-tuned from **{par['name']}** by `python3 -m dialoop_train.preference_train`
with {method_text}.

## Lineage

| | |
|---|---|
| parent model | `{par['name']}` |
| parent checkpoint SHA-256 | `{par['checkpoint_sha256']}` |
| dataset version | {_fmt(ds.get('version'))}{f" ({ds['name']})" if ds.get('name') else ''} |
| dataset id | `{_fmt(ds.get('id'))}` |
| dataset manifest.json SHA-256 | `{_fmt(ds.get('manifest_sha256'))}` |
| records (train / test) | {ds['train_records']} / {ds['test_records']} |
| method | {m['method']} |

## Hyperparameters

| name | value |
|---|---|
{hp_rows}

## Training

{m['steps']} optimizer steps ({m['epochs']} epochs) in {m['train_seconds']:.1f} s of optimizer steps,
{m['wall_seconds']:.1f} s wall-clock; {_fmt(m['tokens_per_s'], 0)} tokens/s on {hp['device']} ({hp['precision_used']},
{hp['world_size']} process(es), {m['threads']} threads), PyTorch {m['torch']}. First-step loss {_fmt(m['train_loss_first'], 4)},
last logged {_fmt(m['train_loss_final'], 4)}.

| step | loss | reward accuracy | margin | lr | tokens/s |
|---|---|---|---|---|---|
{hist}

## Held-out (test split) metrics

| metric | value |
|---|---|
{ho_rows}

`kl_policy_reference` is the exact KL(policy ‖ reference) summed over the vocabulary at every
completion position of the held-out examples, averaged per token (nats).

## Files

| file | bytes | SHA-256 |
|---|---|---|
{files}

## Measured quality

{CARD_MARK}

Not measured yet: run `pnpm eval:model --model-dir <this folder> --write-card`.
"""
    if m.get("int8"):
        from .quantize import card_section, insert_card_section
        card = insert_card_section(card, card_section(m["int8"]))
    (out / "README.md").write_text(card, encoding="utf-8")


def run(cfg: PrefConfig, model_dir, dataset, out, run_dir=None, resume: bool | str = False, log=None, emit=None,
        on_step=None, int8: bool = True, int8_max_heldout: int | None = 200) -> dict:
    """Trains, evaluates on the test split and (rank 0) writes the model folder (with model_int8.onnx
    unless `int8` is False); returns metrics.json's content."""
    t0 = time.time()
    tr = Trainer(cfg, model_dir, dataset, out, run_dir, resume, log, emit, on_step, int8, int8_max_heldout)
    tr.setup()
    tr.train()
    heldout = tr.evaluate(kl=True)
    result: dict = {"steps": tr.step}
    if tr.env.main:
        result = tr.write_output(heldout, time.time() - t0)
        tr.emit({"event": "done", "step": tr.step, "total": tr.total_steps, "out": str(Path(out).resolve()),
                 "heldout": heldout, "wall_s": result["wall_seconds"]})
    if tr.env.distributed:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    result["trainer"] = tr
    return result


def build_parser() -> argparse.ArgumentParser:
    d = PrefConfig()
    ap = argparse.ArgumentParser(
        prog="python3 -m dialoop_train.preference_train",
        description="DPO / KTO / SFT fine-tuning of a Dialoop model folder on a dataset version; "
                    "writes a complete model folder. torchrun-compatible.")
    ap.add_argument("--method", choices=METHODS, default=d.method)
    ap.add_argument("--model-dir", required=True, help="the parent model folder (dialoop_checkpoint.pt, tokenizer files, ...)")
    ap.add_argument("--dataset", required=True, help="a dataset version folder (dpo/, kto/, sft/, manifest.json)")
    ap.add_argument("--out", required=True, help="the new model folder")
    ap.add_argument("--run-dir", help="checkpoints and metrics.jsonl (default: OUT/../<name>-run)")
    ap.add_argument("--beta", type=float, default=d.beta, help="DPO/KTO temperature (default %(default)s)")
    ap.add_argument("--lr", type=float, default=d.lr, help="peak learning rate (default %(default)s)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--steps", type=int, help="optimizer steps")
    g.add_argument("--epochs", type=float, help="passes over the train split (default 1 when --steps is not given)")
    ap.add_argument("--batch-size", type=int, default=d.batch_size, help="per process and micro-batch (default %(default)s)")
    ap.add_argument("--grad-accum", type=int, default=d.grad_accum, help="micro-batches per optimizer step")
    ap.add_argument("--warmup-steps", type=int, default=d.warmup_steps)
    ap.add_argument("--schedule", choices=("cosine", "linear", "constant"), default=d.schedule, help="decay after warm-up")
    ap.add_argument("--min-lr-ratio", type=float, default=d.min_lr_ratio)
    ap.add_argument("--weight-decay", type=float, default=d.weight_decay)
    ap.add_argument("--grad-clip", type=float, default=d.grad_clip)
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--precision", choices=("auto", "fp32", "bf16", "fp16"), default=d.precision,
                    help="autocast bf16/fp16 on CUDA where supported; CPU always trains in fp32")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default=d.device)
    ap.add_argument("--checkpoint-every", type=int, default=d.checkpoint_every)
    ap.add_argument("--resume", nargs="?", const="latest", default=None,
                    help="continue from RUN_DIR/checkpoints/latest.pt (or the given checkpoint file)")
    ap.add_argument("--eval-every", type=int, default=d.eval_every, help="held-out evaluation every N steps (0: only at the end)")
    ap.add_argument("--log-every", type=int, default=d.log_every)
    ap.add_argument("--threads", type=int, default=d.threads)
    ap.add_argument("--max-len", type=int, default=d.max_len, help="most tokens per prompt + completion")
    ap.add_argument("--eval-batch-size", type=int, default=d.eval_batch_size)
    ap.add_argument("--desirable-weight", type=float, default=d.desirable_weight, help="KTO")
    ap.add_argument("--undesirable-weight", type=float, default=d.undesirable_weight, help="KTO")
    ap.add_argument("--rpo-alpha", type=float, default=d.rpo_alpha,
                    help="DPO: add α × the chosen reply's NLL per token (TRL's rpo_alpha; keeps replies fluent)")
    ap.add_argument("--guard-prompts", type=int, default=d.guard_prompts,
                    help="test-split prompts answered by parent and new model for the guards (OUT/guards.json)")
    ap.add_argument("--guard-exact", type=int, default=d.guard_exact,
                    help="parent held-out exact-answer questions answered by both for the guards")
    ap.add_argument("--guard-ignore", action="append", default=[], metavar="SENTENCE",
                    help="a sentence the run is meant to add (repeatable): no side effect for the guards, stripped before grading answers")
    ap.add_argument("--replay-weight", type=float, default=d.replay_weight,
                    help="plus w × cross-entropy on the parent's own training corpus per micro-batch (a mix of SFT "
                         "data against forgetting; needs a parent trained by train:base or descended from one; 0: off)")
    ap.add_argument("--replay-dialogues", type=int, default=d.replay_dialogues, help="replay set size before leaving out "
                    "dialogues whose prompts the dataset answers (default %(default)s)")
    ap.add_argument("--no-int8", action="store_true", help="do not write model_int8.onnx (int8 weights) beside model.onnx")
    ap.add_argument("--int8-max-heldout", type=int, default=200,
                    help="held-out dialogues (OUT/heldout.jsonl) for the INT8 vs FP32 loss comparison (default %(default)s)")
    return ap


def config_from_args(a: argparse.Namespace) -> PrefConfig:
    names = set(asdict(PrefConfig()))
    return PrefConfig(**{k: v for k, v in vars(a).items() if k in names})


def main(argv=None) -> dict:
    a = build_parser().parse_args(argv)
    return run(config_from_args(a), a.model_dir, a.dataset, a.out, a.run_dir, a.resume or False,
               int8=not a.no_int8, int8_max_heldout=a.int8_max_heldout)


if __name__ == "__main__":
    main()
