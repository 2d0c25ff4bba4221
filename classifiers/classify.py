"""Every head on a batch of items → the contract's classification objects.

Heads are loaded once (from the registry, hash-checked) and applied to the
whole batch at a time: per-item Python work is kept small because this runs
on every crawled item.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import concern, registry, runtime, schemes, severity, type_rules
from .fastvec import fast_or_plain
from .text import item_text
from .region import region

HEADS = ("rumor", "domain", "incident_type")
OPTIONAL_HEADS = ("concern",)  # rules by default; a trained model given with --model concern=DIR replaces them
POSITIVE_LABELS = ("rumor", "谣言", "fake", "false", "1", "true", "yes")
NONE_LABELS = ("none", "无", "非突发事件", "other", "其他", "0", "null")
RESPONSE_LEVELS = ("特别重大", "重大")
# Third class of the shipped rumour head: text that is not a social post (news, citizen messages).
# Its rumour score is the probability of "rumor" alone; a label decision is never "other_genre".
OTHER_GENRE = "other_genre"


def positive_label(labels: list[str]) -> str:
    """Which label of a binary rumour model means 'rumour'."""
    for candidate in POSITIVE_LABELS:
        for label in labels:
            if label.lower() == candidate:
                return label
    return sorted(labels)[-1]


def negative_label(labels: list[str]) -> str:
    """The label a rumour head's decision gives when the score is under the threshold."""
    pos = positive_label(labels)
    return next((label for label in labels if label not in (pos, OTHER_GENRE)), OTHER_GENRE)


def none_label(labels: list[str]) -> str | None:
    for candidate in NONE_LABELS:
        for label in labels:
            if label.lower() == candidate:
                return label
    return None


class Classifier:
    def __init__(self, var: Path | None = None, overrides: dict[str, Path] | None = None,
                 jurisdiction: str = "", schemes_file: Path | None = None) -> None:
        self.var = var
        self.overrides = overrides or {}
        self.models = {head: registry.load(self._directory(head)) for head in HEADS}
        for head in OPTIONAL_HEADS:
            if head in self.overrides:
                self.models[head] = registry.load(self.overrides[head])
        self.jurisdiction = jurisdiction
        self._fast: dict = {}
        if schemes_file is None and var is not None and (var / "schemes.yaml").is_file():
            schemes_file = var / "schemes.yaml"
        self.schemes_file = schemes_file if schemes_file is not None else (var / "schemes.yaml" if var else None)
        self._schemes_mtime = self._mtime()
        self.schemes = schemes.load(schemes_file)
        self.type_rules = type_rules.rules()

    @classmethod
    def from_settings(cls, settings, overrides: dict[str, Path] | None = None) -> "Classifier":
        """The classifier the settings describe (var registry, jurisdiction, schemes file)."""
        return cls(var=settings.var_dir, overrides=overrides, jurisdiction=settings.jurisdiction,
                   schemes_file=Path(settings.schemes_file) if settings.schemes_file else None)

    def _directory(self, head: str) -> Path:
        return self.overrides.get(head) or registry.resolve(head, self.var)

    def refresh(self) -> list[str]:
        """Reload any head whose promoted version changed (called by long-running workers)."""
        changed = []
        for head in HEADS:  # an optional head given by --model is fixed for the run
            directory = self._directory(head)
            if directory != self.models[head].directory:
                self.models[head] = registry.load(directory)
                changed.append(head)
        if changed:
            self._fast.clear()
        if self._mtime() != self._schemes_mtime:      # the console saved new monitoring schemes
            path = self.schemes_file if self.schemes_file and self.schemes_file.is_file() else None
            self.schemes = schemes.load(path)
            self._schemes_mtime = self._mtime()
            changed.append("schemes")
        return changed

    def _mtime(self) -> float:
        path = getattr(self, "schemes_file", None)
        return path.stat().st_mtime if path is not None and path.is_file() else 0.0

    def versions(self) -> list[dict[str, str]]:
        return [{"head": h, "version": m.version, "directory": str(m.directory)} for h, m in self.models.items()]

    def _features(self, head: str):
        """The head's feature step, through the fast path when it has the supported shape."""
        model = self.models[head]
        key = (id(model), "features")
        if key not in self._fast:
            self._fast[key] = fast_or_plain(model.pipeline.named_steps["features"])
        return self._fast[key]

    def _proba(self, head: str, texts: list[str], cache: dict) -> tuple[list[str], np.ndarray]:
        """Class labels and probabilities; heads sharing a feature step compute it once."""
        model = self.models[head]
        if model.runtime is not None:  # plain arrays: no scikit-learn needed
            if ("scores", head) not in cache:
                self._score_group(model.runtime.features_sha256, texts, cache)
            return model.runtime.classes, model.runtime.head.calibrate(cache[("scores", head)])
        pipe = model.pipeline
        key = model.manifest.get("features_fingerprint") or head
        if key not in cache:
            cache[key] = self._features(head).transform(texts)
        return [str(c) for c in pipe.classes_], pipe.named_steps["model"].predict_proba(cache[key])

    def _score_group(self, features_sha256: str, texts: list[str], cache: dict) -> None:
        """Decision scores of every head on one feature step, in one pass over the batch's features:
        their weights stand side by side (built once per set of loaded models)."""
        group = [h for h, m in self.models.items()
                 if m.runtime is not None and m.runtime.features_sha256 == features_sha256]
        heads = [self.models[h].runtime.head for h in group]
        key = ("stacked", tuple(id(h) for h in heads))
        if key not in self._fast:
            self._fast[key] = np.ascontiguousarray(np.hstack([h.coef.T for h in heads]))
        blocks = self.models[group[0]].runtime.features.block_entries(texts)
        scores = runtime.linear_scores(self._fast[key], blocks, len(texts))
        start = 0
        for name, head in zip(group, heads):
            width = len(head.coef)
            cache[("scores", name)] = scores[:, start:start + width] + head.intercept
            start += width

    def classify(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Items already normalised (pipeline.items.normalise); one result per item, same order."""
        if not items:
            return []
        texts = [item_text(i) for i in items]
        cache: dict = {}

        labels, proba = self._proba("rumor", texts, cache)
        rumor_col = labels.index(positive_label(labels))
        rumor_threshold = self.models["rumor"].threshold or 0.5
        rumor_scores = proba[:, rumor_col]

        labels, proba = self._proba("domain", texts, cache)
        domains = [labels[i] for i in proba.argmax(axis=1)]

        labels, proba = self._proba("incident_type", texts, cache)
        none = none_label(labels)
        incident_threshold = self.models["incident_type"].threshold or 0.5
        if none is not None:
            none_col = labels.index(none)
            is_incident = proba[:, none_col] < incident_threshold
            masked = proba.copy()
            masked[:, none_col] = -1.0
        else:
            is_incident = np.ones(len(items), dtype=bool)
            masked = proba
        types = [labels[i] for i in masked.argmax(axis=1)]
        concerns: list[str | None] = [None] * len(items)
        if "concern" in self.models:
            labels, proba = self._proba("concern", texts, cache)
            concerns = [labels[i] for i in proba.argmax(axis=1)]

        out = []
        for k, item in enumerate(items):
            out.append(self._one(item, texts[k], float(rumor_scores[k]), rumor_threshold, domains[k],
                                 bool(is_incident[k]), types[k], concerns[k]))
        return out

    def _one(self, item: dict[str, Any], text: str, rumor_score: float, rumor_threshold: float, domain: str,
             is_incident: bool, incident_type: str, concern_label: str | None = None) -> dict[str, Any]:
        full = f"{item.get('title', '')}。{item.get('text', '')}"
        published = datetime.fromisoformat(item["published_at"]) if item.get("published_at") else None
        incident: dict[str, Any] = {"is_incident": is_incident, "type": None, "level": None, "deaths": None,
                                    "injured": None, "missing": None, "economic_loss_yuan": None,
                                    "occurred_at": None}
        explain: dict[str, Any] = {}
        if is_incident:
            incident_type, ruled = type_rules.decide(full, incident_type, self.type_rules)
            if ruled is not None:
                explain["incident_type"] = ruled
            figures = severity.extract(full, published)
            graded = severity.grade(figures, incident_type, full)
            incident.update(figures.as_dict())
            incident.update(type=incident_type, level=graded["level"])
            explain["severity"] = {k: graded[k] for k in ("estimated", "scheme", "because")}
        score = round(min(1.0, max(0.0, rumor_score)), 4)
        is_rumor = score >= rumor_threshold
        place = region(text, self.jurisdiction)
        chosen = ({"label": concern_label, "because": ["concern model"]} if concern_label is not None
                  else concern.decide(full, is_rumor, is_incident))
        explain["concern"] = chosen["because"]
        return {
            "id": item["id"],
            "concern": chosen["label"],
            "domain": domain,
            "rumor": {"is_rumor": is_rumor, "score": score},
            "incident": incident,
            "region": place,
            "triggers_response": bool(incident["level"] in RESPONSE_LEVELS and place["in_scope"]),
            "schemes": schemes.evaluate(self.schemes, full),
            "explain": explain,
        }
