"""Per-class precision/recall/F1 of the concern head on a hand-labelled set.

Two sets: ``seed`` (100 rows, read while writing the rules, so optimistic) and
``test`` (120 rows labelled before any prediction on them was seen; never tune on it).
Run: ``python -m classifiers.eval_concern ../shared/data [seed|test]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import annotated
from .classify import Classifier
from .training import report


SETS = {"seed": "concern_seed.jsonl", "test": "concern_test.jsonl"}


def evaluate(data: Path, name: str = "seed") -> dict:
    if name not in SETS:
        raise ValueError(f"unknown concern set {name!r}; choose one of {', '.join(SETS)}")
    seed = annotated.load(SETS[name])
    items = annotated.items(data, seed)
    predicted = [out["concern"] for out in Classifier().classify(items)]
    result = report([r["label"] for r in seed], predicted)
    result["confusion_labels"] = result.pop("labels")
    result["set"] = name
    return result


if __name__ == "__main__":
    print(json.dumps(evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"),
                              sys.argv[2] if len(sys.argv) > 2 else "seed"), ensure_ascii=False))
