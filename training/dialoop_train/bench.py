"""Single-stream decode speed of the PyTorch model (eager, KV cache, greedy), for
`pnpm bench:inference` to set beside onnxruntime-node on the same weights and prompt.

python3 -m dialoop_train.bench --model-dir DIR --prompt-tokens 64 --new-tokens 128 --repeats 3
prints one JSON object."""
from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from .model import load_model


@torch.no_grad()
def decode_speed(model, prompt: list[int], new_tokens: int) -> tuple[float, float]:
    """Returns (prefill seconds, decode tokens per second) for greedy decoding that ignores EOS."""
    t0 = time.perf_counter()
    logits, past = model(torch.tensor([prompt]))
    nxt = int(logits[0, -1].argmax())
    t1 = time.perf_counter()
    for _ in range(new_tokens - 1):
        logits, past = model(torch.tensor([[nxt]]), past_key_values=past)
        nxt = int(logits[0, -1].argmax())
    t2 = time.perf_counter()
    return t1 - t0, (new_tokens - 1) / (t2 - t1)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--prompt-ids", help="JSON list of prompt token ids (default: 64 byte tokens)")
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, _ = load_model(a.model_dir)
    model.eval()
    prompt = json.loads(a.prompt_ids) if a.prompt_ids else [ord(c) for c in ("Hello Dialoop! " * 8)[:64]]
    decode_speed(model, prompt, 16)  # warm-up
    runs = [decode_speed(model, prompt, a.new_tokens) for _ in range(a.repeats)]
    print(json.dumps({
        "engine": "pytorch-eager", "torch": torch.__version__, "threads": a.threads,
        "prompt_tokens": len(prompt), "new_tokens": a.new_tokens,
        "decode_tokens_per_s": statistics.median(r[1] for r in runs),
        "prefill_s": statistics.median(r[0] for r in runs),
    }))


if __name__ == "__main__":
    main()
