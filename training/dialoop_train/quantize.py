"""INT8 weight quantization of an exported Dialoop model folder, with the `onnx` package alone.

    python3 -m dialoop_train.quantize --model-dir IN --out OUT [--heldout FILE]

Every 2-D float initializer that feeds the weight input of a MatMul (or Gemm) — the attention
and MLP projections and the LM head — becomes an int8 initializer with one float scale per
output channel (symmetric: zero point 0, scale = max|w| / 127 over the channel) and a
DequantizeLinear node (opset ≥ 13, `axis` = the output-channel axis) whose output takes the
original initializer's name, so the MatMul reads float32 weights as before. The graph's inputs
and outputs are unchanged, so the inference server loads OUT like any other model folder;
activations, the KV cache and the embedding lookup (a Gather, kept in float32) stay float32.

Why weight-only, not onnxruntime's dynamic quantization (MatMulInteger / DynamicQuantizeLinear,
which also quantizes activations at run time): onnxruntime's Python package, whose
`quantize_dynamic` does that rewrite, is not installed on this machine (Debian ships `onnx` but
not `onnxruntime`), and this stays within what the `onnx` package alone can build and check. What
it buys is the file size (weights stored as int8, ~4x smaller). onnxruntime's graph optimizer
fuses each DequantizeLinear -> MatMul pair into an 8-bit MatMulNBits kernel, so the INT8 graph
decodes slightly faster than FP32 through the inference server (`pnpm bench:int8`: about 1.1x on
2 CPU cores), with the same greedy replies.

The report compares file sizes and the held-out loss of FP32 and INT8. The INT8 loss is computed
in PyTorch with the dequantized weights read back from the INT8 graph (exactly what its
DequantizeLinear nodes produce), each matched to its PyTorch layer by comparing the FP32 graph's
initializer with the layer's weight. It is written to OUT/quantization.json and appended to
OUT/README.md.
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from .base import CARD_MARK, sha256
from .model import DialoopLM, load_model
from .train import evaluate_loss, heldout_dialogues, read_jsonl

QUANT_SUFFIX = ("_int8", "_scale", "_zero_point")


def quantize_weight(w: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel symmetric int8: returns (q int8, scale float32 [channels])."""
    reduce_axes = tuple(i for i in range(w.ndim) if i != axis)
    amax = np.abs(w).max(axis=reduce_axes)
    scale = (amax / 127.0).astype(np.float32)
    scale[scale == 0] = 1.0
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def dequantize(q: np.ndarray, scale: np.ndarray, axis: int, zero_point: np.ndarray | None = None) -> np.ndarray:
    """What DequantizeLinear computes: (q - zero_point) × scale along `axis`."""
    shape = [1] * q.ndim
    shape[axis] = -1
    if zero_point is not None:
        q = q.astype(np.int32) - zero_point.astype(np.int32).reshape(shape)
    return q.astype(np.float32) * scale.reshape(shape)


def _weight_axis(node: onnx.NodeProto) -> int | None:
    """Output-channel axis of the node's weight input (input 1), or None if not a weight matmul."""
    if node.op_type == "MatMul":
        return 1  # B is [K, N]
    if node.op_type == "Gemm":
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    return None


def quantize_graph(model: onnx.ModelProto, min_elements: int = 256) -> tuple[onnx.ModelProto, list[dict]]:
    """Rewrites `model` in place; returns it and one record per quantized initializer."""
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    if opset < 13:
        raise ValueError(f"per-channel DequantizeLinear needs opset 13 or later, the graph has {opset}")
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    graph_inputs = {i.name for i in graph.input}
    consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
    for node in graph.node:
        for pos, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, pos))
    chosen: dict[str, int] = {}
    for name, init in inits.items():
        if init.data_type != TensorProto.FLOAT or len(init.dims) != 2 or name in graph_inputs:
            continue
        if init.dims[0] * init.dims[1] < min_elements:
            continue
        uses = consumers.get(name, [])
        axes = {_weight_axis(n) if pos == 1 else None for n, pos in uses}
        if uses and len(axes) == 1 and None not in axes:
            chosen[name] = axes.pop()
    new_nodes, records = [], []
    for name, axis in chosen.items():
        w = numpy_helper.to_array(inits[name])
        q, scale = quantize_weight(w, axis)
        qn, sn, zn = (name + s for s in QUANT_SUFFIX)
        graph.initializer.remove(inits[name])
        graph.initializer.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                                  numpy_helper.from_array(np.zeros(scale.shape, dtype=np.int8), zn)])
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [name], name=f"DequantizeLinear_{name}", axis=axis))
        err = np.abs(dequantize(q, scale, axis) - w)
        records.append({"name": name, "shape": list(w.shape), "axis": axis, "max_abs_error": float(err.max()),
                        "mean_abs_error": float(err.mean())})
    # DequantizeLinear nodes first: they depend only on initializers, so the order stays topological.
    old = list(graph.node)
    del graph.node[:]
    graph.node.extend(new_nodes + old)
    return model, records


def dequantized_weights(int8_model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """The float32 tensors the INT8 graph's DequantizeLinear nodes compute, by output name."""
    inits = {i.name: numpy_helper.to_array(i) for i in int8_model.graph.initializer}
    out = {}
    for node in int8_model.graph.node:
        if node.op_type == "DequantizeLinear" and all(n in inits for n in node.input[:2]):
            axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
            zp = inits.get(node.input[2]) if len(node.input) > 2 else None
            out[node.output[0]] = dequantize(inits[node.input[0]], inits[node.input[1]], axis, zp)
    return out


def int8_torch_model(fp32_model: DialoopLM, fp32_onnx: onnx.ModelProto, int8_onnx: onnx.ModelProto):
    """A copy of the PyTorch model with every quantized weight replaced by its dequantized value,
    which is what the INT8 graph computes. Layers are matched by value: the FP32 graph's initializer
    equals the layer's weight transposed (MatMul) or as is (Gemm with transB)."""
    model = copy.deepcopy(fp32_model)
    fp32 = {i.name: numpy_helper.to_array(i) for i in fp32_onnx.graph.initializer}
    deq = dequantized_weights(int8_onnx)
    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    matched = []
    for name, w_deq in deq.items():
        w = fp32[name]
        hit = None
        for lname, lin in linears:
            lw = lin.weight.detach().numpy()
            if lw.shape == w.T.shape and np.array_equal(lw, w.T):
                hit, value = (lname, lin), w_deq.T
                break
            if lw.shape == w.shape and np.array_equal(lw, w):
                hit, value = (lname, lin), w_deq
                break
        if hit is None:
            raise ValueError(f"no PyTorch layer matches the graph's weight {name} {list(w.shape)}")
        # A fresh Parameter: unties the LM head from the embedding (the graph keeps the embedding in float32).
        hit[1].weight = torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(value)).float(), requires_grad=False)
        matched.append(hit[0])
    return model.eval(), matched


def heldout_from(path: str | Path) -> list[list[dict]]:
    """Held-out dialogues from a model folder's heldout.jsonl (messages + reference), an SFT file
    ({messages}), a DPO file (prompt + chosen) or a dataset version folder (sft/test.jsonl, else dpo/test.jsonl)."""
    p = Path(path)
    if p.is_dir():
        for cand in (p / "sft" / "test.jsonl", p / "dpo" / "test.jsonl", p / "heldout.jsonl"):
            if cand.exists():
                p = cand
                break
        else:
            raise FileNotFoundError(f"no held-out file in {path}")
    rows = read_jsonl(p)
    if not rows:
        return []
    if "reference" in rows[0]:
        return heldout_dialogues(rows)
    if "messages" in rows[0]:
        return [r["messages"] for r in rows]
    if "chosen" in rows[0]:
        return [r["prompt"] + r["chosen"] for r in rows]
    if "completion" in rows[0]:
        return [r["prompt"] + r["completion"] for r in rows if r.get("label", True)]
    raise ValueError(f"{p}: unknown held-out format")


def quantize_folder(model_dir: str | Path, out: str | Path, heldout: str | Path | None = None,
                    max_heldout: int | None = None, log=print) -> dict:
    src, dst = Path(model_dir), Path(out)
    if src.resolve() == dst.resolve():
        raise ValueError("--out must differ from --model-dir")
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.name not in ("model.onnx", "quantization.json"):
            shutil.copyfile(f, dst / f.name)
    fp32_graph = onnx.load(str(src / "model.onnx"))
    model, records = quantize_graph(copy.deepcopy(fp32_graph))
    for kind in ("input", "output"):
        assert ([(v.name, str(v.type)) for v in getattr(model.graph, kind)]
                == [(v.name, str(v.type)) for v in getattr(fp32_graph.graph, kind)])
    onnx.checker.check_model(model)
    onnx.save(model, str(dst / "model.onnx"))
    report: dict = {
        "method": "weight-only int8, per-output-channel symmetric (zero point 0), DequantizeLinear -> MatMul; "
                  "activations, KV cache and embedding in float32",
        "quantized_initializers": len(records),
        "quantized_parameters": int(sum(np.prod(r["shape"]) for r in records)),
        "max_abs_weight_error": max((r["max_abs_error"] for r in records), default=0.0),
        "size_bytes": {"fp32": (src / "model.onnx").stat().st_size, "int8": (dst / "model.onnx").stat().st_size},
        "sha256": {"fp32": sha256(src / "model.onnx"), "int8": sha256(dst / "model.onnx")},
        "source": str(src.resolve()),
    }
    report["size_ratio"] = report["size_bytes"]["int8"] / report["size_bytes"]["fp32"]
    hpath = Path(heldout) if heldout else (src / "heldout.jsonl" if (src / "heldout.jsonl").exists() else None)
    if hpath is not None and (src / "dialoop_checkpoint.pt").exists():
        dialogues = heldout_from(hpath)[:max_heldout]
        fp32_model, _ = load_model(src)
        q_model, matched = int8_torch_model(fp32_model, fp32_graph, model)
        l32 = evaluate_loss(fp32_model, dialogues)
        l8 = evaluate_loss(q_model, dialogues)
        report["heldout"] = {"file": str(hpath), "dialogues": len(dialogues), "loss_fp32": l32, "loss_int8": l8,
                             "loss_delta": l8 - l32, "layers_matched": len(matched)}
    else:
        report["heldout"] = None
    cfg_path = dst / "config.json"
    if cfg_path.exists():
        cfg = json.loads(cfg_path.read_text())
        cfg["dialoop_quantization"] = {"weights": "int8", "scheme": "per-channel symmetric", "activations": "float32"}
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    (dst / "quantization.json").write_text(json.dumps({**report, "initializers": records}, indent=2) + "\n")
    table = report_table(report)
    card = dst / "README.md"
    if card.exists():
        text = card.read_text(encoding="utf-8")
        section = (f"\n## INT8 weights\n\nThis folder's `model.onnx` holds int8 weights made by `python3 -m dialoop_train.quantize` "
                   f"from `{src.name}` (`{report['sha256']['fp32'][:16]}…`): {report['method']}.\n\n{table}\n")
        at = text.find("## Measured quality")
        text = text[:at] + section.lstrip("\n") + "\n" + text[at:] if at >= 0 and CARD_MARK in text else text + section
        card.write_text(text, encoding="utf-8")
    log(table)
    return report


def report_table(r: dict) -> str:
    s = r["size_bytes"]
    rows = ["| | FP32 | INT8 | |", "|---|---|---|---|",
            f"| model.onnx bytes | {s['fp32']:,} | {s['int8']:,} | ×{r['size_ratio']:.3f} |"]
    h = r.get("heldout")
    if h:
        rows.append(f"| held-out loss (nats/token, {h['dialogues']} dialogues) | {h['loss_fp32']:.4f} | {h['loss_int8']:.4f} | "
                    f"Δ {h['loss_delta']:+.4f} |")
    return "\n".join(rows)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(prog="python3 -m dialoop_train.quantize",
                                 description="INT8 weight quantization of a model folder's model.onnx (onnx package only)")
    ap.add_argument("--model-dir", required=True, help="the FP32 model folder")
    ap.add_argument("--out", required=True, help="the INT8 model folder to write")
    ap.add_argument("--heldout", help="held-out dialogues for the loss comparison (default: MODEL_DIR/heldout.jsonl); "
                                      "a heldout.jsonl, an SFT or DPO file, or a dataset version folder")
    ap.add_argument("--max-heldout", type=int, help="use at most this many held-out dialogues")
    a = ap.parse_args(argv)
    report = quantize_folder(a.model_dir, a.out, a.heldout, a.max_heldout)
    print(json.dumps({k: v for k, v in report.items() if k != "sha256"}))
    return report


if __name__ == "__main__":
    main()
