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
from .datasets import BUILDERS, split, unlabelled_messages
from .heads import build_features, compact, fingerprint, item_text
from .training import HEAD_PARAMS, THRESHOLDS, predict, report, train

HERE = Path(__file__).parent
def detection(truth: list[str], predicted: list[str], none: str = "none") -> dict[str, float]:
    """Incident detection (any type vs none) and type accuracy on the detected true incidents."""
    tp = sum(t != none and p != none for t, p in zip(truth, predicted))
    positives = sum(t != none for t in truth)
    flagged = sum(p != none for p in predicted)
    typed = [t == p for t, p in zip(truth, predicted) if t != none and p != none]
    return {"recall": round(tp / max(1, positives), 4), "precision": round(tp / max(1, flagged), 4),
            "type_accuracy": round(sum(typed) / max(1, len(typed)), 4), "incidents": positives}


def shared_features(data: Path, head_rows: dict[str, list[dict]]):
    """One feature step for every shipped head, fitted on all their texts and the unlabelled messages."""
    texts = [item_text(r) for rows in head_rows.values() for r in rows]
    texts += [item_text(r) for r in unlabelled_messages(data)]
    return compact(build_features().fit(texts))


def build(data: Path, heads: list[str]) -> dict[str, dict]:
    warnings.filterwarnings("ignore", category=FutureWarning)
    results = {}
    head_rows = {head: BUILDERS[head](data) for head in BUILDERS}
    features = shared_features(data, head_rows)
    print_ = fingerprint(features)
    for head in heads:
        rows = head_rows[head]
        fit_rows, held = split(rows)
        threshold = THRESHOLDS.get(head)
        # Held-out figures come from a head with its own features fitted on the fitting split only.
        params = HEAD_PARAMS.get(head, {})
        held_pred = predict(train(fit_rows, **params), held, head, threshold)
        held_report = report([r["label"] for r in held], held_pred)
        if head == "incident_type":
            held_report["detection"] = detection([r["label"] for r in held], held_pred)
        final = train(rows, features=features, **params)
        labels = sorted({r["label"] for r in rows})
        registry.save(HERE / "models" / head, head, final, labels=labels, data_sha256=registry.sha256_rows(rows),
                      metrics={"held_out": held_report, "split": "75/25 stratified, seed in datasets.py"},
                      threshold=threshold, extra={"features_fingerprint": print_})
        results[head] = held_report
        print(f"{head}: macro_f1={held_report['macro_f1']} accuracy={held_report['accuracy']} n={held_report['n']}"
              + (f" detection={held_report['detection']}" if "detection" in held_report else ""))
    return results


if __name__ == "__main__":
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    heads = sys.argv[2:] or list(BUILDERS)
    out = build(data, heads)
    print(json.dumps({h: {k: v for k, v in r.items() if k != "confusion_matrix"} for h, r in out.items()},
                     ensure_ascii=False, indent=1))
