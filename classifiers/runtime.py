"""A head's fitted numbers as plain arrays, applied with numpy alone.

Loading the pickled Pipeline means importing scikit-learn and scipy, ≈0.9 s
of a worker's or `yuqing classify`'s start, for a step that is one sparse
dot product and a sigmoid per class. ``registry.save`` writes the numbers
beside the pickle: ``features.npz`` (vocabularies, idf) and ``linear.npz``
(coefficients, intercepts, the sigmoid calibration of each class), loaded
with ``allow_pickle=False`` after their sha256 is checked. Heads that share
one feature step share one loaded copy. Only the shape the project trains
(a FeatureUnion of ``fastvec`` blocks, then CalibratedClassifierCV with the
sigmoid method and one calibrated linear model) is exported; any other
pipeline is used through scikit-learn as before.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .fastvec import Block, Entries, FastFeatures, _array_text, _text_array

FEATURES = "features.npz"
LINEAR = "linear.npz"


@dataclass
class LinearHead:
    """Calibrated one-vs-rest linear scores → class probabilities, as CalibratedClassifierCV gives them."""

    classes: list[str]
    coef: np.ndarray        # (models, width): one row for a binary head, one per class otherwise
    intercept: np.ndarray   # (models,)
    a: np.ndarray           # sigmoid calibration: p = 1 / (1 + exp(a·d + b))
    b: np.ndarray

    @cached_property
    def coef_t(self) -> np.ndarray:
        """The coefficients a feature per row, so the weights of one feature are read together."""
        return np.ascontiguousarray(self.coef.T)

    def predict_proba(self, blocks: list[Entries], n: int) -> np.ndarray:
        return self.calibrate(linear_scores(self.coef_t, blocks, n) + self.intercept)

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Decision scores (n, models), intercept included → class probabilities."""
        calibrated = _expit(-(self.a * scores + self.b))
        if len(self.classes) == 2:
            proba = np.column_stack([1.0 - calibrated[:, 0], calibrated[:, 0]])
        else:
            total = calibrated.sum(axis=1, keepdims=True)
            proba = np.divide(calibrated, total, out=np.full_like(calibrated, 1 / len(self.classes)),
                              where=total != 0)
        proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


def linear_scores(weights_t: np.ndarray, blocks: list[Entries], n: int) -> np.ndarray:
    """Per row, the sum of value × weight row over its entries: (n, weights_t.shape[1]).

    Each block's entries are sorted by row (``FastFeatures.block_entries``), so the gathered weight
    rows of one item are adjacent and one ``reduceat`` sums them; heads that share a feature step can
    stack their weights side by side and be scored in one pass.
    """
    total = np.zeros((n, weights_t.shape[1]))
    for rows, cols, values in blocks:
        if not len(rows):
            continue
        gathered = weights_t[cols]
        gathered *= values[:, None]
        starts = np.searchsorted(rows, np.arange(n))
        present = starts < np.append(starts[1:], len(rows))   # rows with entries in this block
        # present rows' starts rise strictly, and each run ends where the next present row starts
        total[present] += np.add.reduceat(gathered, starts[present], axis=0)
    return total


def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # the logistic function without overflow warnings


@dataclass
class Runtime:
    features: FastFeatures
    features_sha256: str
    head: LinearHead

    @property
    def classes(self) -> list[str]:
        return self.head.classes

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.head.predict_proba(self.features.block_entries(texts), len(texts))


def export(pipeline: Any) -> tuple[bytes, bytes] | None:
    """``(features.npz, linear.npz)`` contents for a pipeline of the supported shape, else None."""
    try:
        features = FastFeatures.from_union(pipeline.named_steps["features"])
        linear = _linear(pipeline.named_steps["model"])
    except (ValueError, AttributeError, KeyError, TypeError):
        return None
    arrays = {"dtype": _text_array(features.dtype.str)}
    for k, block in enumerate(features.blocks):
        arrays.update(block.arrays(f"b{k}_"))
    return _npz(arrays), _npz({"classes": _text_array("\n".join(linear.classes)), "coef": linear.coef,
                               "intercept": linear.intercept, "a": linear.a, "b": linear.b})


def _linear(model: Any) -> LinearHead:
    if (type(model).__name__ != "CalibratedClassifierCV" or model.method != "sigmoid"
            or len(model.calibrated_classifiers_) != 1):
        raise ValueError("only a sigmoid-calibrated model with one calibrated classifier is exported")
    calibrated = model.calibrated_classifiers_[0]
    estimator = calibrated.estimator
    classes = [str(c) for c in model.classes_]
    if [str(c) for c in estimator.classes_] != classes or any("\n" in c for c in classes):
        raise ValueError("estimator classes differ from the calibrated model's")
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    if coef.shape[0] != (1 if len(classes) == 2 else len(classes)) or len(calibrated.calibrators) != coef.shape[0]:
        raise ValueError("unexpected coefficient shape")
    return LinearHead(classes, coef, np.asarray(estimator.intercept_, dtype=np.float64).reshape(-1),
                      np.array([float(c.a_) for c in calibrated.calibrators]),
                      np.array([float(c.b_) for c in calibrated.calibrators]))


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


_FEATURES_CACHE: dict[str, FastFeatures] = {}
_CACHE_SIZE = 4  # feature steps kept; a long-running worker sees a new one only when a model is promoted


def load(features_bytes: bytes, features_sha256: str, linear_bytes: bytes) -> Runtime:
    """From the two files' contents (already hash-checked by the registry); equal features are loaded once."""
    features = _FEATURES_CACHE.get(features_sha256)
    if features is None:
        with np.load(io.BytesIO(features_bytes), allow_pickle=False) as arrays:
            count = len({name.split("_", 1)[0] for name in arrays.files if name.startswith("b")})
            features = FastFeatures([Block.from_arrays(arrays, f"b{k}_") for k in range(count)],
                                    np.dtype(_array_text(arrays["dtype"])))
        _FEATURES_CACHE[features_sha256] = features
        while len(_FEATURES_CACHE) > _CACHE_SIZE:
            _FEATURES_CACHE.pop(next(iter(_FEATURES_CACHE)))
    with np.load(io.BytesIO(linear_bytes), allow_pickle=False) as arrays:
        head = LinearHead(_array_text(arrays["classes"]).split("\n"), arrays["coef"], arrays["intercept"],
                          arrays["a"], arrays["b"])
    if head.coef.shape[1] != features.width:
        raise ValueError(f"linear model width {head.coef.shape[1]} ≠ feature width {features.width}")
    return Runtime(features, features_sha256, head)
