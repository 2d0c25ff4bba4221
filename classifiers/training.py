"""Training and evaluation of heads on JSON Lines rows ``{"id", "title"?, "text", "label"}``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from pipeline.errors import InputError

from . import registry
from .heads import fit_head
from .text import item_text

# Decision thresholds per head: rumour at 0.5; incident detection recall first (P(none) < 0.7 → incident).
THRESHOLDS = {"rumor": 0.5, "incident_type": 0.7}
# Regularisation per head, chosen by cross-validation (see datasets.py); others use the default.
HEAD_PARAMS: dict[str, dict[str, Any]] = {"domain": {"C": 0.25}}


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


def train(rows: list[dict[str, Any]], features=None, **params: Any):
    labels = [r["label"] for r in rows]
    if len(set(labels)) < 2:
        raise InputError("training needs at least two different labels")
    weights = None
    if any("weight" in r for r in rows):
        weights = [float(r.get("weight", 1.0)) for r in rows]
    return fit_head([item_text(r) for r in rows], labels, weights=weights, features=features, **params)


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


def predict(pipeline, rows: list[dict[str, Any]], head: str, threshold: float | None) -> list[str]:
    """Labels as the classifier decides them, thresholds included."""
    from .classify import negative_label, none_label, positive_label

    labels = [str(c) for c in pipeline.classes_]
    proba = scores(pipeline, rows)
    if head == "rumor" and threshold is not None and len(labels) >= 2:
        pos, neg = positive_label(labels), negative_label(labels)
        return [pos if p >= threshold else neg for p in proba[:, labels.index(pos)]]
    none = none_label(labels) if head == "incident_type" else None
    if none is not None and threshold is not None:
        col = labels.index(none)
        masked = proba.copy()
        masked[:, col] = -1.0
        best = masked.argmax(axis=1)
        return [none if row[col] >= threshold else labels[int(b)] for row, b in zip(proba, best)]
    return [labels[i] for i in proba.argmax(axis=1)]


def train_and_save(head: str, data: Path, out: Path, holdout: float = 0.2,
                   extra_rows: list[dict[str, Any]] | None = None,
                   progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """`yuqing train`: measure on a held-out fifth, then fit on every row and save.

    ``extra_rows`` (operators' relabels) replace data rows with the same id; ``progress(step, done,
    total)`` is told before each of the four steps."""
    from sklearn.model_selection import train_test_split

    tell = progress or (lambda step, done, total: None)
    tell("读取数据", 0, 4)
    rows = read_rows(data)
    if extra_rows:
        relabelled = {r["id"] for r in extra_rows}
        rows = [r for r in rows if r.get("id") not in relabelled] + [dict(r) for r in extra_rows]
    labels = [r["label"] for r in rows]
    threshold = THRESHOLDS.get(head)
    metrics: dict[str, Any] = {"n_rows": len(rows)}
    counts = {label: labels.count(label) for label in set(labels)}
    tell("留出集评估", 1, 4)
    if len(rows) >= 20 and min(counts.values()) >= 2:
        fit_rows, held = train_test_split(rows, test_size=holdout, random_state=0, stratify=labels)
        if len({r["label"] for r in fit_rows}) >= 2:
            metrics["held_out"] = report([r["label"] for r in held],
                                         predict(train(fit_rows), held, head, threshold))
    tell("全量训练", 2, 4)
    model = train(rows)
    tell("保存", 3, 4)
    registry.save(out, head, model, labels=sorted(counts), data_sha256=registry.sha256_rows(rows),
                  metrics=metrics, threshold=threshold)
    return registry.load(out).manifest


def evaluate_dir(model_dir: Path, data: Path) -> dict[str, Any]:
    model = registry.load(model_dir)
    rows = read_rows(data)
    return report([r["label"] for r in rows], predict(model.pipeline, rows, model.head, model.threshold))
