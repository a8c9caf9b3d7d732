"""Dataset versions as the feedback module stores them (a folder per version):

    dpo/{train,test}.jsonl   TRL conversational preference: prompt, chosen, rejected (message lists)
    kto/{train,test}.jsonl   TRL conversational unpaired preference: prompt, completion, label
    sft/{train,test}.jsonl   {"messages": [...]}
    manifest.json            {"format": "dialoop-dataset/v1", "id", "version", "files": [{path, sha256, bytes, records}], ...}
    README.md                the dataset card

`read_split` loads one format's split (each line checked, see preference.py);
`describe` gives the identity a trained model's card names (id, number, manifest SHA-256);
`write_dataset_version` writes a folder in the same layout (tests and synthetic experiments).
"""
from __future__ import annotations

import json
from pathlib import Path

from .base import sha256
from .preference import load_preference_file

MANIFEST_FORMAT = "dialoop-dataset/v1"


def split_path(folder: str | Path, fmt: str, split: str) -> Path:
    return Path(folder) / fmt / f"{split}.jsonl"


def read_split(folder: str | Path, fmt: str, split: str) -> list[dict]:
    """One split of one format; a missing test file reads as empty (a version may hold no test prompts)."""
    p = split_path(folder, fmt, split)
    if not p.exists():
        if split == "test":
            return []
        raise FileNotFoundError(f"{p} does not exist: the dataset version has no {fmt!r} {split} split")
    return load_preference_file(p, fmt)


def describe(folder: str | Path) -> dict:
    """Identity of a dataset version folder: id, number, name and the manifest's SHA-256."""
    folder = Path(folder)
    m = folder / "manifest.json"
    if not m.exists():
        return {"path": str(folder.resolve()), "id": None, "version": None, "name": folder.name, "manifest_sha256": None}
    manifest = json.loads(m.read_text(encoding="utf-8"))
    return {"path": str(folder.resolve()), "id": manifest.get("id"), "version": manifest.get("version"),
            "name": manifest.get("name"), "manifest_sha256": sha256(m)}


def write_dataset_version(folder: str | Path, splits: dict[str, dict[str, list[dict]]], *, id: str, version: int,
                          name: str | None = None, note: str = "") -> dict:
    """Writes `splits` ({"dpo": {"train": [...], "test": [...]}, ...}) as a dataset version folder
    with manifest.json and README.md; returns the manifest."""
    folder = Path(folder)
    files = []
    for fmt, parts in splits.items():
        for split, rows in parts.items():
            p = split_path(folder, fmt, split)
            p.parent.mkdir(parents=True, exist_ok=True)
            with open(p, "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
            files.append({"path": f"{fmt}/{split}.jsonl", "sha256": sha256(p), "bytes": p.stat().st_size,
                          "records": len(rows)})
    rows = "\n".join(f"| {x['path']} | {x['records']} | {x['bytes']} | `{x['sha256']}` |" for x in files)
    card = (f"# Dataset version {version}{f' — {name}' if name else ''}\n\n{note}\n\n## Files\n\n"
            f"| file | records | bytes | sha256 |\n|---|---|---|---|\n{rows}\n")
    (folder / "README.md").write_text(card, encoding="utf-8")
    r = folder / "README.md"
    files.append({"path": "README.md", "sha256": sha256(r), "bytes": r.stat().st_size, "records": 0})
    manifest = {"format": MANIFEST_FORMAT, "id": id, "version": version, "name": name,
                "formats": sorted(splits), "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
