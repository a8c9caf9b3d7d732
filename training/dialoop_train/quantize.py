"""INT8 weight quantization of an exported Dialoop model folder, with the `onnx` package alone.

    python3 -m dialoop_train.quantize --model-dir IN --beside [--heldout FILE]   # IN/model_int8.onnx
    python3 -m dialoop_train.quantize --model-dir IN --out OUT [--heldout FILE]  # OUT: a whole INT8 copy

Every 2-D float initializer that feeds the weight input of a MatMul (or Gemm) — the attention
and MLP projections and the LM head — becomes an int8 initializer with one float scale per
output channel (symmetric: zero point 0, scale = max|w| / 127 over the channel) and a
DequantizeLinear node (opset ≥ 13, `axis` = the output-channel axis) whose output takes the
original initializer's name, so the MatMul reads float32 weights as before. The graph's inputs
and outputs are unchanged, so the inference server serves it like model.onnx; activations, the
KV cache and the embedding lookup (a Gather, kept in float32) stay float32.

`--beside` writes the INT8 graph into the folder itself, as `model_int8.onnx` next to
`model.onnx` (transformers.js's file name for int8 weights): the layout the training job
produces (base.py, preference_train.py and export.py call `quantize_beside`) and the inference
server serves by default (`INFERENCE_PRECISION=auto`: the INT8 graph when the folder has one;
`fp32` keeps `model.onnx`). `--out OUT` writes a whole copy of the folder whose `model.onnx` is
the INT8 graph (an INT8 graph beside the source's model.onnx is not copied).

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
initializer with the layer's weight. It is written to quantization.json and put into the card
(README.md, section "INT8 weights", replaced when run again) of the folder written (MODEL_DIR with
--beside, which also records it in MODEL_DIR/metrics.json; OUT with --out).
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


FP32_GRAPHS = ("model.onnx", "onnx/model.onnx")
#: Where an INT8 graph may sit in a model folder, in order of preference: ours (beside model.onnx,
#: transformers.js's name for int8) and the names transformers.js / Optimum give under onnx/.
INT8_GRAPHS = ("model_int8.onnx", "onnx/model_int8.onnx", "onnx/model_quantized.onnx")
INT8_FILE = INT8_GRAPHS[0]
CARD_HEADING = "## INT8 weights"


def fp32_graph(folder: str | Path) -> Path:
    """The folder's FP32 graph (model.onnx, else onnx/model.onnx)."""
    for name in FP32_GRAPHS:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise FileNotFoundError(f"{folder}: neither model.onnx nor onnx/model.onnx exists")


def int8_graph(folder: str | Path) -> Path | None:
    """The folder's INT8 graph when it has one (model_int8.onnx, onnx/model_int8.onnx, onnx/model_quantized.onnx)."""
    return next((Path(folder) / n for n in INT8_GRAPHS if (Path(folder) / n).is_file()), None)


def _quantize_file(src: Path, dst: Path) -> tuple[onnx.ModelProto, onnx.ModelProto, list[dict]]:
    """Writes the INT8 graph of `src` to `dst`; returns (the FP32 graph, the INT8 graph, records)."""
    fp32 = onnx.load(str(src))
    model, records = quantize_graph(copy.deepcopy(fp32))
    for kind in ("input", "output"):
        assert ([(v.name, str(v.type)) for v in getattr(model.graph, kind)]
                == [(v.name, str(v.type)) for v in getattr(fp32.graph, kind)])
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    return fp32, model, records


def _report(src_dir: Path, src: Path, dst: Path, fp32: onnx.ModelProto, model: onnx.ModelProto, records: list[dict],
            heldout, max_heldout: int | None) -> dict:
    report: dict = {
        "method": "weight-only int8, per-output-channel symmetric (zero point 0), DequantizeLinear -> MatMul; "
                  "activations, KV cache and embedding in float32",
        "quantized_initializers": len(records),
        "quantized_parameters": int(sum(np.prod(r["shape"]) for r in records)),
        "max_abs_weight_error": max((r["max_abs_error"] for r in records), default=0.0),
        "size_bytes": {"fp32": src.stat().st_size, "int8": dst.stat().st_size},
        "sha256": {"fp32": sha256(src), "int8": sha256(dst)},
        "source": str(src_dir.resolve()),
    }
    report["size_ratio"] = report["size_bytes"]["int8"] / report["size_bytes"]["fp32"]
    hpath = Path(heldout) if heldout else (src_dir / "heldout.jsonl" if (src_dir / "heldout.jsonl").exists() else None)
    if hpath is not None and (src_dir / "dialoop_checkpoint.pt").exists():
        dialogues = heldout_from(hpath)[:max_heldout]
        fp32_model, _ = load_model(src_dir)
        q_model, matched = int8_torch_model(fp32_model, fp32, model)
        l32 = evaluate_loss(fp32_model, dialogues)
        l8 = evaluate_loss(q_model, dialogues)
        report["heldout"] = {"file": str(hpath), "dialogues": len(dialogues), "loss_fp32": l32, "loss_int8": l8,
                             "loss_delta": l8 - l32, "layers_matched": len(matched)}
    else:
        report["heldout"] = None
    return report


def insert_card_section(text: str, section: str) -> str:
    """Puts `section` (starting with CARD_HEADING) into a model card: in place of an earlier INT8
    section, else before "## Measured quality" (the part eval:model writes), else at the end."""
    section = section.strip("\n") + "\n"
    old = text.find(CARD_HEADING + "\n")
    if old >= 0:
        nxt = text.find("\n## ", old + len(CARD_HEADING))
        return text[:old] + section + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    at = text.find("## Measured quality")
    if at >= 0 and CARD_MARK in text:
        return text[:at] + section + "\n" + text[at:]
    return text.rstrip("\n") + "\n\n" + section


def sync_files_table(text: str, folder: Path, names: list[str]) -> str:
    """Brings the card's file table rows (`| `name` | bytes | `sha256` |`, full or shortened
    digests) of `names` up to date, adding a missing row after the row before it in `names`."""
    import re
    lines = text.split("\n")
    row = re.compile(r"^\| `([^`]+)` \| [\d,]+ \| `([0-9a-f]+)(…?)` \|$")
    rows = {m.group(1): (i, m) for i, line in enumerate(lines) if (m := row.match(line))}
    if not rows:
        return text
    short = next(iter(rows.values()))[1].group(3) == "…"
    for k, name in enumerate(names):
        digest = sha256(folder / name)
        cell = f"| `{name}` | {(folder / name).stat().st_size:,} | `{digest[:16] + '…' if short else digest}` |"
        if name in rows:
            lines[rows[name][0]] = cell
        elif k > 0 and names[k - 1] in rows:
            at = rows[names[k - 1]][0] + 1
            lines.insert(at, cell)
            rows = {n: ((i + 1 if i >= at else i), m) for n, (i, m) in rows.items()}
            rows[name] = (at, None)
    return "\n".join(lines)


def card_section(report: dict) -> str:
    """The model card's INT8 section for a folder holding both graphs (beside mode)."""
    f = report.get("files", {"fp32": "model.onnx", "int8": INT8_FILE})
    return (f"{CARD_HEADING}\n\n`{f['int8']}` is `{f['fp32']}` (`{report['sha256']['fp32'][:16]}…`) with int8 weights, made by "
            f"`python3 -m dialoop_train.quantize --beside`: {report['method']}. Its inputs and outputs are those of "
            f"`{f['fp32']}`; `quantization.json` holds the full report. `pnpm bench:int8` compares the two graphs' decode "
            f"speed and replies through the inference server.\n\n{report_table(report)}\n\n"
            f"The inference server serves `{f['int8']}` by default (`INFERENCE_PRECISION=auto`: the INT8 graph when the "
            f"folder has one); `INFERENCE_PRECISION=fp32` serves `{f['fp32']}`, `int8` requires the INT8 graph.\n")


def quantize_beside(model_dir: str | Path, heldout: str | Path | None = None, max_heldout: int | None = None,
                    log=print, card: bool = True, update_metrics: bool = True) -> dict:
    """Writes the INT8 graph of MODEL_DIR's FP32 graph beside it, as MODEL_DIR/model_int8.onnx (an
    older one is replaced), and MODEL_DIR/quantization.json. `card`: also put the INT8 section into
    MODEL_DIR/README.md; `update_metrics`: also record the report (`int8`) and the hashes of both
    graphs and quantization.json (`files`) in MODEL_DIR/metrics.json when it exists. The training job writes its card and
    metrics.json itself and passes False for both."""
    folder = Path(model_dir)
    src = fp32_graph(folder)
    dst = folder / INT8_FILE
    tmp = folder / (INT8_FILE + ".tmp")
    try:
        fp32, model, records = _quantize_file(src, tmp)
        tmp.replace(dst)
    finally:
        tmp.unlink(missing_ok=True)
    report = _report(folder, src, dst, fp32, model, records, heldout, max_heldout)
    report["mode"] = "beside"
    report["files"] = {"fp32": src.relative_to(folder).as_posix(), "int8": INT8_FILE}
    # Paths inside the folder are recorded relative to it: the record travels with the folder.
    report["source"] = report["files"]["fp32"]
    h = report["heldout"]
    if h and Path(h["file"]).resolve().is_relative_to(folder.resolve()):
        h["file"] = Path(h["file"]).resolve().relative_to(folder.resolve()).as_posix()
    (folder / "quantization.json").write_text(json.dumps({**report, "initializers": records}, indent=2) + "\n")
    if update_metrics and (folder / "metrics.json").exists():
        m = json.loads((folder / "metrics.json").read_text())
        if isinstance(m.get("files"), dict):
            # model.onnx too: export.py re-exports it and then calls this.
            m["files"].update({report["files"]["fp32"]: report["sha256"]["fp32"], INT8_FILE: report["sha256"]["int8"],
                               "quantization.json": sha256(folder / "quantization.json")})
            m["files"] = dict(sorted(m["files"].items()))
        m["int8"] = report
        (folder / "metrics.json").write_text(json.dumps(m, indent=2) + "\n")
    if card and (folder / "README.md").exists():
        path = folder / "README.md"
        text = insert_card_section(path.read_text(encoding="utf-8"), card_section(report))
        text = sync_files_table(text, folder, [report["files"]["fp32"], INT8_FILE, "quantization.json"])
        path.write_text(text, encoding="utf-8")
    log(report_table(report))
    return report


def quantize_folder(model_dir: str | Path, out: str | Path, heldout: str | Path | None = None,
                    max_heldout: int | None = None, log=print) -> dict:
    """A whole INT8 copy of MODEL_DIR in OUT, whose model.onnx holds the int8 weights."""
    src, dst = Path(model_dir), Path(out)
    if src.resolve() == dst.resolve():
        raise ValueError("--out must differ from --model-dir")
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        # The copy's model.onnx is the INT8 graph: an INT8 graph beside the source's model.onnx is left out.
        if f.is_file() and f.name not in ("model.onnx", "quantization.json", INT8_FILE):
            shutil.copyfile(f, dst / f.name)
    src_graph = fp32_graph(src)
    fp32_g, model, records = _quantize_file(src_graph, dst / "model.onnx")
    report = _report(src, src_graph, dst / "model.onnx", fp32_g, model, records, heldout, max_heldout)
    report["mode"] = "copy"
    cfg_path = dst / "config.json"
    if cfg_path.exists():
        cfg = json.loads(cfg_path.read_text())
        cfg["dialoop_quantization"] = {"weights": "int8", "scheme": "per-channel symmetric", "activations": "float32"}
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    metrics_path = dst / "metrics.json"
    if metrics_path.exists():
        # The source's record of its own INT8 graph describes a file this copy does not have.
        m = json.loads(metrics_path.read_text())
        if isinstance(m.get("files"), dict) or "int8" in m:
            if isinstance(m.get("files"), dict):
                m["files"].pop(INT8_FILE, None)
                m["files"].pop("quantization.json", None)
            m.pop("int8", None)
            metrics_path.write_text(json.dumps(m, indent=2) + "\n")
    (dst / "quantization.json").write_text(json.dumps({**report, "initializers": records}, indent=2) + "\n")
    table = report_table(report)
    card = dst / "README.md"
    if card.exists():
        text = card.read_text(encoding="utf-8")
        section = (f"{CARD_HEADING}\n\nThis folder's `model.onnx` holds int8 weights made by `python3 -m dialoop_train.quantize` "
                   f"from `{src.name}` (`{report['sha256']['fp32'][:16]}…`): {report['method']}.\n\n{table}\n")
        card.write_text(insert_card_section(text, section), encoding="utf-8")
    log(table)
    return report


def report_table(r: dict) -> str:
    s = r["size_bytes"]
    f = r.get("files")
    label = f"`{f['fp32']}` / `{f['int8']}` bytes" if f else "model.onnx bytes"
    rows = ["| | FP32 | INT8 | |", "|---|---|---|---|",
            f"| {label} | {s['fp32']:,} | {s['int8']:,} | ×{r['size_ratio']:.3f} |"]
    if f:
        rows.append(f"| SHA-256 | `{r['sha256']['fp32'][:16]}…` | `{r['sha256']['int8'][:16]}…` | |")
    h = r.get("heldout")
    if h:
        rows.append(f"| held-out loss (nats/token, {h['dialogues']} dialogues) | {h['loss_fp32']:.5f} | {h['loss_int8']:.5f} | "
                    f"Δ {h['loss_delta']:+.1e} (×{h['loss_int8'] / h['loss_fp32']:.5f}) |")
    return "\n".join(rows)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(prog="python3 -m dialoop_train.quantize",
                                 description="INT8 weight quantization of a model folder's model.onnx (onnx package only)")
    ap.add_argument("--model-dir", required=True, help="the FP32 model folder")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", help="write a whole INT8 copy of the folder here (its model.onnx holds the int8 weights)")
    where.add_argument("--beside", action="store_true",
                       help=f"write the INT8 graph into MODEL_DIR itself, as {INT8_FILE} beside model.onnx (what the "
                            "inference server serves by default), and record it in MODEL_DIR's quantization.json, "
                            "README.md and metrics.json")
    ap.add_argument("--heldout", help="held-out dialogues for the loss comparison (default: MODEL_DIR/heldout.jsonl); "
                                      "a heldout.jsonl, an SFT or DPO file, or a dataset version folder")
    ap.add_argument("--max-heldout", type=int, help="use at most this many held-out dialogues")
    a = ap.parse_args(argv)
    if a.beside:
        report = quantize_beside(a.model_dir, a.heldout, a.max_heldout)
    else:
        report = quantize_folder(a.model_dir, a.out, a.heldout, a.max_heldout)
    print(json.dumps({k: v for k, v in report.items() if k != "sha256"}))
    return report


if __name__ == "__main__":
    main()
