"""Exact-match evaluation of casualty extraction against the hand annotations in eval/.

Run: ``python -m classifiers.eval_casualties ../shared/data``.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

from pipeline.items import InputError, parse_time

from .severity import extract

FIELDS = ("deaths", "injured", "missing", "economic_loss_yuan")


def evaluate(data: Path) -> dict:
    annotations = [json.loads(line) for line in resources.files("classifiers").joinpath(
        "eval", "casualties_cec.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    with open(data / "cec_incidents_train.jsonl", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in map(json.loads, fh)}
    per_field = {f: 0 for f in FIELDS}
    exact_docs = 0
    misses = []
    for ann in annotations:
        row = rows[ann["id"]]
        try:
            published = parse_time(row.get("published_at"))
        except InputError:
            published = None
        got = extract(f"{row['title']}。{row['text']}", published).as_dict()
        wrong = [f for f in FIELDS if got[f] != ann[f]]
        for f in FIELDS:
            per_field[f] += f not in wrong
        exact_docs += not wrong
        if wrong:
            misses.append({"id": ann["id"], **{f: [ann[f], got[f]] for f in wrong}})
    n = len(annotations)
    return {"n": n, "exact_match_docs": round(exact_docs / n, 4),
            "exact_match_fields": {f: round(c / n, 4) for f, c in per_field.items()},
            "misses (expected, got)": misses}


if __name__ == "__main__":
    print(json.dumps(evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")),
                     ensure_ascii=False, indent=1))
