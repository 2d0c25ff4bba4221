"""A classifier head: jieba words + character 1–2-grams → a calibrated linear SVM.

One scikit-learn Pipeline per head (``features`` then ``model``), so a head
is trained, evaluated, saved and loaded as one object. The shipped heads
share one fitted ``features`` step; the classifier notices (same
fingerprint) and computes the features once per item for all of them.

Feature choice, measured on 4-fold CV (rumour / domain macro-F1, transform
cost per ~300-character item): words+bigrams 0.879/0.668 140 µs; words +
char 1–3 (char_wb) 0.905/0.739 443 µs; words + char 1–2 0.900/0.761 205 µs.
The last is the best trade of quality for speed.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any, Iterable

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from .tokenizer import tokenize

def build_features() -> FeatureUnion:
    words = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, sublinear_tf=True,
                            max_features=100_000, dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            max_features=150_000, dtype=np.float32)
    return FeatureUnion([("words", words), ("chars", chars)])


def build_model(C: float = 0.5, calibration_folds: int = 5, class_weight: str | None = "balanced"):
    # ensemble=False: one SVM on all rows, calibrated on cross-validated scores (5× smaller and faster).
    return CalibratedClassifierCV(LinearSVC(C=C, class_weight=class_weight), cv=calibration_folds,
                                  method="sigmoid", ensemble=False)


def _folds(labels: list[str]) -> int:
    return max(2, min(5, min(labels.count(label) for label in set(labels))))


def fit_head(texts: Iterable[str], labels: Iterable[str], weights: list[float] | None = None,
             features: FeatureUnion | None = None, C: float = 0.5) -> Pipeline:
    """Fit a head; with ``features`` (already fitted) only the model is fitted on top of them."""
    texts, labels = list(texts), list(labels)
    model = build_model(C=C, calibration_folds=_folds(labels))
    fit_params = {"sample_weight": weights} if weights is not None else {}
    if features is None:
        features = build_features()
        matrix = features.fit_transform(texts)
        compact(features)
    else:
        matrix = features.transform(texts)
    model.fit(matrix, labels, **fit_params)
    return Pipeline([("features", features), ("model", model)])


def compact(features: FeatureUnion) -> FeatureUnion:
    """Store vocabulary indices as Python ints: sklearn leaves numpy int64 scalars there, which
    made one model take ≈1 s to unpickle instead of ≈0.04 s."""
    for _, vectorizer in features.transformer_list:
        vectorizer.vocabulary_ = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
    return features


def fingerprint(features: Any) -> str:
    """Identity of a fitted feature step, so heads sharing one are computed once."""
    return hashlib.sha256(pickle.dumps(features, protocol=5)).hexdigest()[:16]
