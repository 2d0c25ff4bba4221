"""A classifier head: jieba words + character n-grams → a calibrated linear model.

One scikit-learn Pipeline per head, so a head is trained, evaluated, saved
and loaded as one object. Probabilities come from sigmoid calibration over
cross-validation folds, so thresholds mean the same thing on every head.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from .tokenizer import tokenize

MAX_CHARS = 3000  # beyond this the head sees no new evidence, only cost


def item_text(item: dict[str, Any]) -> str:
    """What a head reads: title, then text, capped in length."""
    title = (item.get("title") or "").strip()
    text = (item.get("text") or "").strip()
    joined = f"{title}。{text}" if title and text and not text.startswith(title) else (text or title)
    return joined[:MAX_CHARS]


def build_pipeline(C: float = 0.5, char_ngrams: tuple[int, int] = (1, 3), calibration_folds: int = 5,
                   class_weight: str | None = "balanced") -> Pipeline:
    words = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=(1, 2),
                            min_df=1, sublinear_tf=True, max_features=100_000, dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams, min_df=2, sublinear_tf=True,
                            max_features=150_000, dtype=np.float32)
    svm = LinearSVC(C=C, class_weight=class_weight)
    return Pipeline([
        ("features", FeatureUnion([("words", words), ("chars", chars)])),
        # ensemble=False: one SVM on all rows, calibrated on cross-validated scores (5× smaller and faster).
        ("model", CalibratedClassifierCV(svm, cv=calibration_folds, method="sigmoid", ensemble=False)),
    ])


def fit_head(texts: Iterable[str], labels: Iterable[str], weights: list[float] | None = None,
             **params: Any) -> Pipeline:
    texts, labels = list(texts), list(labels)
    smallest = min(labels.count(label) for label in set(labels))
    folds = max(2, min(5, smallest))
    pipe = build_pipeline(calibration_folds=folds, **params)
    if weights is not None:
        return pipe.fit(texts, labels, model__sample_weight=weights)
    return pipe.fit(texts, labels)
