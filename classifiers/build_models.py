"""`make models`: train the shipped default heads on ../shared/data and report held-out quality.

For each head: fit on a fixed 75% split and measure on the other 25% (the
figures README reports), then refit on all rows and write the model to
``classifiers/models/<head>/``. Run: ``python -m classifiers.build_models ../shared/data``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

from . import registry
from .datasets import BUILDERS, split
from .training import THRESHOLDS, predict, report, train

HERE = Path(__file__).parent
def build(data: Path, heads: list[str]) -> dict[str, dict]:
    warnings.filterwarnings("ignore", category=FutureWarning)
    results = {}
    for head in heads:
        rows = BUILDERS[head](data)
        fit_rows, held = split(rows)
        threshold = THRESHOLDS.get(head)
        held_report = report([r["label"] for r in held], predict(train(fit_rows), held, head, threshold))
        final = train(rows)
        labels = sorted({r["label"] for r in rows})
        registry.save(HERE / "models" / head, head, final, labels=labels, data_sha256=registry.sha256_rows(rows),
                      metrics={"held_out": held_report, "split": "75/25 stratified, seed in datasets.py"},
                      threshold=threshold)
        results[head] = held_report
        print(f"{head}: macro_f1={held_report['macro_f1']} accuracy={held_report['accuracy']} n={held_report['n']}")
    return results


if __name__ == "__main__":
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    heads = sys.argv[2:] or list(BUILDERS)
    out = build(data, heads)
    print(json.dumps({h: {k: v for k, v in r.items() if k != "confusion_matrix"} for h, r in out.items()},
                     ensure_ascii=False, indent=1))
