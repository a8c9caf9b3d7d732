"""INT8 graphs beside model.onnx (`quantize --beside`, what the training job and export.py write
and the inference server serves by default), and where a folder's graphs are found."""
import json
import shutil

import onnx
import pytest
import torch

from dialoop_train import export, quantize
from dialoop_train.base import sha256
from dialoop_train.export import export_onnx
from dialoop_train.model import PRESETS, DialoopLM, save_checkpoint, write_configs
from dialoop_train.tokenizer import save_tokenizer

CARD = ("# tiny\n\n## Files\n\n| file | bytes | SHA-256 |\n|---|---|---|\n| `model.onnx` | 1 | `0123456789abcdef…` |\n"
        "| `tokenizer.json` | 2 | `fedcba9876543210…` |\n\n## Measured quality\n\n<!-- eval:model writes below this line -->\n\n"
        "Not measured yet.\n")


def quiet(*_a, **_k):
    pass


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A servable tiny-test folder: checkpoint, model.onnx, tokenizer, configs, held-out items, card, metrics.json."""
    d = tmp_path_factory.mktemp("quant") / "tiny"
    d.mkdir()
    torch.manual_seed(0)
    model = DialoopLM(PRESETS["tiny-test"]).eval()
    save_checkpoint(d / "dialoop_checkpoint.pt", model)
    save_tokenizer(d, model.config.max_position_embeddings)
    write_configs(d, model.config)
    export_onnx(model, d / "model.onnx")
    heldout = [{"id": str(i), "messages": [{"role": "user", "content": f"What is {i} + {i}?"}], "reference": f"{i} + {i} = {2 * i}."}
               for i in range(12)]
    (d / "heldout.jsonl").write_text("".join(json.dumps(h) + "\n" for h in heldout))
    (d / "README.md").write_text(CARD)
    files = {p.name: sha256(p) for p in sorted(d.iterdir()) if p.name not in ("README.md", "metrics.json")}
    (d / "metrics.json").write_text(json.dumps({"files": files}) + "\n")
    return d


def copy_of(folder, tmp_path, name="f"):
    dst = tmp_path / name
    shutil.copytree(folder, dst)
    return dst


def test_beside_writes_model_int8_next_to_an_unchanged_model_onnx(folder, tmp_path, capsys):
    d = copy_of(folder, tmp_path)
    before = sha256(d / "model.onnx")
    report = quantize.main(["--model-dir", str(d), "--beside"])
    assert sha256(d / "model.onnx") == before
    assert (d / "model_int8.onnx").is_file()
    assert sorted(p.name for p in d.iterdir() if p.suffix == ".onnx") == ["model.onnx", "model_int8.onnx"]
    int8 = onnx.load(str(d / "model_int8.onnx"))
    onnx.checker.check_model(int8)
    fp32 = onnx.load(str(d / "model.onnx"))
    assert [i.name for i in int8.graph.input] == [i.name for i in fp32.graph.input]
    assert [o.name for o in int8.graph.output] == [o.name for o in fp32.graph.output]
    n_int8 = sum(i.data_type == onnx.TensorProto.INT8 and len(i.dims) == 2 for i in int8.graph.initializer)
    assert n_int8 == 7 * PRESETS["tiny-test"].num_hidden_layers + 1
    assert (d / "model_int8.onnx").stat().st_size < 0.75 * (d / "model.onnx").stat().st_size
    # The report: quantization.json, the card, metrics.json.
    q = json.loads((d / "quantization.json").read_text())
    assert q["mode"] == "beside" and q["files"] == {"fp32": "model.onnx", "int8": "model_int8.onnx"}
    assert q["sha256"] == {"fp32": before, "int8": sha256(d / "model_int8.onnx")} == report["sha256"]
    assert q["size_bytes"]["int8"] == (d / "model_int8.onnx").stat().st_size
    h = q["heldout"]
    assert h["dialogues"] == 12 and h["layers_matched"] == n_int8
    assert abs(h["loss_int8"] - h["loss_fp32"]) < 0.02 * h["loss_fp32"] + 0.01, h
    m = json.loads((d / "metrics.json").read_text())
    assert m["files"]["model_int8.onnx"] == sha256(d / "model_int8.onnx")
    assert m["files"]["quantization.json"] == sha256(d / "quantization.json")
    assert m["files"]["model.onnx"] == before and m["int8"]["sha256"] == q["sha256"]
    card = (d / "README.md").read_text()
    assert card.index("## INT8 weights") < card.index("## Measured quality")
    assert "`model_int8.onnx`" in card and "INFERENCE_PRECISION=fp32" in card
    size = lambda n: f"{(d / n).stat().st_size:,}"
    assert (f"| `model.onnx` | {size('model.onnx')} | `{before[:16]}…` |\n"
            f"| `model_int8.onnx` | {size('model_int8.onnx')} | `{sha256(d / 'model_int8.onnx')[:16]}…` |\n"
            f"| `quantization.json` | {size('quantization.json')} | `{sha256(d / 'quantization.json')[:16]}…` |\n"
            "| `tokenizer.json` | 2 | `fedcba9876543210…` |\n") in card  # the file table follows    assert not json.loads((d / "config.json").read_text()).get("dialoop_quantization")  # config.json describes model.onnx
    assert "model_int8.onnx" in capsys.readouterr().out


def test_beside_again_replaces_the_graph_and_the_card_section(folder, tmp_path):
    d = copy_of(folder, tmp_path)
    first = quantize.quantize_beside(d, log=quiet)
    second = quantize.quantize_beside(d, max_heldout=5, log=quiet)
    assert first["sha256"] == second["sha256"]  # deterministic
    assert second["heldout"]["dialogues"] == 5
    card = (d / "README.md").read_text()
    assert card.count("## INT8 weights") == 1 and "5 dialogues" in card and "12 dialogues" not in card
    assert card.count("| `model_int8.onnx` |") == 1 and card.count("| `quantization.json` |") == 1
    assert card.rstrip().endswith("Not measured yet.")
    assert not (d / "model_int8.onnx.tmp").exists()


def test_out_still_writes_a_whole_copy_without_the_beside_graph(folder, tmp_path):
    d = copy_of(folder, tmp_path)
    quantize.quantize_beside(d, log=quiet)
    out = tmp_path / "copy"
    report = quantize.main(["--model-dir", str(d), "--out", str(out)])
    assert report["mode"] == "copy"
    assert not (out / "model_int8.onnx").exists()
    assert sha256(out / "model.onnx") == sha256(d / "model_int8.onnx")  # the same rewrite either way
    assert json.loads((out / "config.json").read_text())["dialoop_quantization"]["weights"] == "int8"
    m = json.loads((out / "metrics.json").read_text())
    assert "model_int8.onnx" not in m["files"] and "int8" not in m
    assert (out / "README.md").read_text().count("## INT8 weights") == 1
    assert "This folder's `model.onnx` holds int8 weights" in (out / "README.md").read_text()
    with pytest.raises(SystemExit):
        quantize.main(["--model-dir", str(d)])  # --beside or --out is required
    with pytest.raises(SystemExit):
        quantize.main(["--model-dir", str(d), "--beside", "--out", str(out)])


def test_graph_lookup_accepts_transformers_js_names(tmp_path):
    (tmp_path / "onnx").mkdir()
    assert quantize.int8_graph(tmp_path) is None
    with pytest.raises(FileNotFoundError):
        quantize.fp32_graph(tmp_path)
    (tmp_path / "onnx" / "model.onnx").write_bytes(b"x")
    (tmp_path / "onnx" / "model_quantized.onnx").write_bytes(b"x")
    assert quantize.fp32_graph(tmp_path) == tmp_path / "onnx" / "model.onnx"
    assert quantize.int8_graph(tmp_path) == tmp_path / "onnx" / "model_quantized.onnx"
    (tmp_path / "onnx" / "model_int8.onnx").write_bytes(b"x")
    assert quantize.int8_graph(tmp_path) == tmp_path / "onnx" / "model_int8.onnx"
    (tmp_path / "model_int8.onnx").write_bytes(b"x")
    assert quantize.int8_graph(tmp_path) == tmp_path / "model_int8.onnx"


def test_export_writes_both_graphs_and_int8_follows_a_re_export(folder, tmp_path):
    d = copy_of(folder, tmp_path)
    (d / "model.onnx").unlink()
    export.main(["--model-dir", str(d), "--optimum-only"])
    q = json.loads((d / "quantization.json").read_text())
    assert q["sha256"] == {"fp32": sha256(d / "model.onnx"), "int8": sha256(d / "model_int8.onnx")}
    outputs = [o.name for o in onnx.load(str(d / "model_int8.onnx")).graph.output]
    assert not any(n.startswith("new_key_values") for n in outputs)  # made from the new model.onnx
    e = copy_of(folder, tmp_path, "no-int8")
    export.main(["--model-dir", str(e), "--no-int8"])
    assert not (e / "model_int8.onnx").exists()
