"""Training and evaluation of heads on JSON Lines rows ``{"id", "title"?, "text", "label"}``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from pipeline.errors import InputError

from .heads import fit_head, item_text


def read_rows(path: Path | str, need_label: bool = True) -> list[dict[str, Any]]:
    """Rows of a training or evaluation file; a bad line is an InputError naming it."""
    rows = []
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise InputError(f"{path}:{number}: a row must be a JSON object")
            if need_label and (not isinstance(row.get("label"), (str, int)) or row.get("label") == ""):
                raise InputError(f"{path}:{number}: missing 'label'")
            if not item_text(row):
                raise InputError(f"{path}:{number}: needs a non-empty 'title' or 'text'")
            if need_label:
                row["label"] = str(row["label"])
            rows.append(row)
    if not rows:
        raise InputError(f"{path} holds no rows")
    return rows


def train(rows: list[dict[str, Any]], **params: Any):
    labels = [r["label"] for r in rows]
    if len(set(labels)) < 2:
        raise InputError("training needs at least two different labels")
    return fit_head([item_text(r) for r in rows], labels, **params)


def scores(pipeline, rows: list[dict[str, Any]]) -> np.ndarray:
    return pipeline.predict_proba([item_text(r) for r in rows])


def report(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """The contract's evaluation object: macro_f1, accuracy, n, per_class, plus the confusion matrix."""
    labels = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    present = [i for i, label in enumerate(labels) if label in set(truth)]
    return {
        "macro_f1": round(float(np.mean([f[i] for i in present])), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "n": len(truth),
        "per_class": {label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                              "f1": round(float(f[i]), 4), "support": int(s[i])}
                      for i, label in enumerate(labels)},
        "labels": labels,
        "confusion_matrix": confusion_matrix(truth, predicted, labels=labels).tolist(),
    }
