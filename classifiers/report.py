"""The operators' evaluation report: per-class figures, confusion matrix and precision–recall curves
as PNG, the chosen threshold marked, and the most confident mistakes.

Charts label classes by number (the HTML lists the names): the PNGs then need
no CJK font on the machine that draws them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, select_autoescape

from pipeline.templating import loader

from . import registry
from .classify import none_label, positive_label
from .text import item_text
from .training import predict, read_rows, report, scores

MISTAKES = 20


def _plot_confusion(matrix: list[list[int]], labels: list[str], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = np.array(matrix)
    size = max(4.0, 0.6 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(data, cmap="Blues")
    ticks = range(len(labels))
    ax.set_xticks(ticks, [str(i) for i in ticks])
    ax.set_yticks(ticks, [str(i) for i in ticks])
    ax.set_xlabel("predicted (class number)")
    ax.set_ylabel("true (class number)")
    for i in ticks:
        for j in ticks:
            ax.text(j, i, str(data[i, j]), ha="center", va="center",
                    color="white" if data[i, j] > data.max() / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_pr(truth: np.ndarray, score: np.ndarray, threshold: float, title: str, path: Path) -> dict[str, float]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import average_precision_score, precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(truth, score)
    chosen = score >= threshold
    tp = int((chosen & truth).sum())
    at = {"threshold": round(threshold, 4), "precision": round(tp / max(1, int(chosen.sum())), 4),
          "recall": round(tp / max(1, int(truth.sum())), 4),
          "average_precision": round(float(average_precision_score(truth, score)), 4)}
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(recall, precision, lw=2)
    ax.scatter([at["recall"]], [at["precision"]], color="red", zorder=3, label=f"threshold {threshold:g}")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(title)
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return at


def write_report(model_dir: Path, data: Path, out: Path, templates_dir: str = "") -> dict[str, Any]:
    """Evaluate, draw, and write ``out/report.html`` with its PNGs and ``out/metrics.json``."""
    out.mkdir(parents=True, exist_ok=True)
    model = registry.load(model_dir)
    rows = read_rows(data)
    truth = [r["label"] for r in rows]
    predicted = predict(model.pipeline, rows, model.head, model.threshold)
    result = report(truth, predicted)
    _plot_confusion(result["confusion_matrix"], result["labels"], out / "confusion.png")
    labels = [str(c) for c in model.pipeline.classes_]
    proba = scores(model.pipeline, rows)
    curves = []
    positive = None
    if model.head == "rumor" and len(labels) >= 2:
        positive = positive_label(labels)
        score = proba[:, labels.index(positive)]
        threshold = model.threshold or 0.5
    elif none_label(labels) is not None:
        positive = "incident"
        score = 1.0 - proba[:, labels.index(none_label(labels))]
        threshold = 1.0 - (model.threshold or 0.5)
    if positive is not None:
        is_pos = np.array([(t == positive) if positive != "incident" else (t != none_label(labels)) for t in truth])
        if is_pos.any() and (~is_pos).any():
            at = _plot_pr(is_pos, score, threshold, f"{model.head}: {positive}", out / "pr.png")
            curves.append({"file": "pr.png", "positive": positive, **at})
    confidence = proba.max(axis=1)
    wrong = [i for i, (t, p) in enumerate(zip(truth, predicted)) if t != p]
    wrong.sort(key=lambda i: -confidence[i])
    mistakes = [{"id": rows[i].get("id"), "truth": truth[i], "predicted": predicted[i],
                 "confidence": round(float(confidence[i]), 3), "text": item_text(rows[i])[:200]}
                for i in wrong[:MISTAKES]]
    context = {"head": model.head, "version": model.version, "data": str(data), "result": result,
               "curves": curves, "mistakes": mistakes, "manifest": model.manifest}
    env = Environment(loader=loader(templates_dir), autoescape=select_autoescape(default=True))
    (out / "report.html").write_text(env.get_template("reports/model.html").render(**context), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "confusion_matrix"}
    (out / "metrics.json").write_text(json.dumps({**summary, "curves": curves, "mistakes": mistakes},
                                                 ensure_ascii=False, indent=1), encoding="utf-8")
    return {**result, "curves": curves}
