"""Incident detection and typing on news titles the incident head never saw.

The shipped head trains on CEC reports and on THUCNews titles outside ``society``;
``eval/incident_types_thucnews.jsonl`` holds 103 ``society`` titles whose incident type
(or none) was annotated by hand (guidelines in ``eval/README.md``). Reports type accuracy
on the detected incidents with and without the type rules (``data/type_rules.yaml``).
Run: ``python -m classifiers.eval_types ../shared/data``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from . import annotated
from .classify import Classifier

SET = "incident_types_thucnews.jsonl"


def annotated_set() -> list[dict[str, Any]]:
    return annotated.load(SET)


def evaluate(data: Path, rows: list[dict[str, Any]] | None = None, classifier: Classifier | None = None) -> dict:
    rows = annotated_set() if rows is None else rows
    items = annotated.items(data, rows)
    classifier = classifier or Classifier()
    configured = classifier.type_rules
    result: dict[str, Any] = {"n": len(rows), "incidents": sum(r["type"] is not None for r in rows)}
    for name, rules in (("model", ()), ("with_rules", configured)):
        classifier.type_rules = rules
        try:
            outputs = classifier.classify(items)
        finally:
            classifier.type_rules = configured
        detected = [(r["type"], o["incident"]["type"]) for r, o in zip(rows, outputs)
                    if r["type"] is not None and o["incident"]["is_incident"]]
        result["detected"] = len(detected)
        result["false_alarms"] = sum(o["incident"]["is_incident"] for r, o in zip(rows, outputs) if r["type"] is None)
        result[name] = {"type_correct": sum(t == p for t, p in detected),
                        "type_accuracy": round(sum(t == p for t, p in detected) / len(detected), 4) if detected else None,
                        "confusion": sorted([t, p, n] for (t, p), n in Counter(detected).items())}
    result["detection_recall"] = round(result["detected"] / result["incidents"], 4) if result["incidents"] else None
    return result


if __name__ == "__main__":
    print(json.dumps(evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")), ensure_ascii=False))
