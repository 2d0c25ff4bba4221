"""Per-class precision/recall/F1 of the concern head on the hand-labelled seed set.

Run: ``python -m classifiers.eval_concern ../shared/data``.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

from pipeline.items import normalise

from .classify import Classifier
from .training import report


def evaluate(data: Path) -> dict:
    seed = [json.loads(line) for line in resources.files("classifiers").joinpath(
        "eval", "concern_seed.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    files: dict[str, dict[str, dict]] = {}
    items = []
    for row in seed:
        if row["file"] not in files:
            with open(data / row["file"], encoding="utf-8") as fh:
                files[row["file"]] = {r["id"]: r for r in map(json.loads, fh)}
        source = files[row["file"]][row["id"]]
        items.append(normalise({"id": row["id"], "title": source.get("title", ""), "text": source.get("text", "")}))
    predicted = [out["concern"] for out in Classifier().classify(items)]
    result = report([r["label"] for r in seed], predicted)
    result["confusion_labels"] = result.pop("labels")
    return result


if __name__ == "__main__":
    print(json.dumps(evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")), ensure_ascii=False))
