"""Hand-annotated evaluation sets: ids and labels in ``classifiers/eval/``, text in ../shared/data.

The sets hold no text of their own (the data's licences ask that raw rows not be shipped); this
joins each row to its source line and normalises it like a crawled item.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.items import normalise


def load(name: str) -> list[dict[str, Any]]:
    text = resources.files("classifiers").joinpath("eval", name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def items(data: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One normalised item per row, from the row's ``file`` under ``data``, same order."""
    sources: dict[str, dict[str, dict]] = {}
    out = []
    for row in rows:
        if row["file"] not in sources:
            with open(Path(data) / row["file"], encoding="utf-8") as fh:
                sources[row["file"]] = {r["id"]: r for r in map(json.loads, fh)}
        source = sources[row["file"]][row["id"]]
        out.append(normalise({"id": row["id"], "title": source.get("title", ""), "text": source.get("text", "")}))
    return out
