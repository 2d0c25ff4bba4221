"""Monitoring schemes (监测方案): region AND subject AND event terms, NOT exclusions, per topic.

Evaluated on every item; a match records the terms that made it, so the
people reading an alert see why it fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import StartupError

GROUPS = ("region", "subject", "event")


@dataclass(frozen=True)
class Term:
    text: str
    pattern: re.Pattern | None

    def find(self, text: str) -> str | None:
        if self.pattern is None:
            return self.text if self.text in text else None
        m = self.pattern.search(text)
        return m.group(0) if m else None


def _any_of(terms: tuple[Term, ...]) -> re.Pattern | None:
    """One pattern that finds whether any of the terms occurs (None where the terms cannot be joined)."""
    try:
        return re.compile("|".join(f"(?:{t.pattern.pattern})" if t.pattern is not None else re.escape(t.text)
                                   for t in terms))
    except re.error:                 # e.g. two regular expressions with the same group name
        return None


@dataclass(frozen=True)
class Scheme:
    name: str
    terms: dict[str, tuple[Term, ...]]
    exclude: tuple[Term, ...]

    def __post_init__(self) -> None:
        # Most items name no term of a scheme's first group, and then the scheme cannot match: one regex
        # search says so instead of a test per term.
        first = next((self.terms[g] for g in GROUPS if self.terms.get(g)), ())
        object.__setattr__(self, "_first_group", _any_of(first) if first else None)

    def match(self, text: str) -> dict[str, list[str]] | None:
        """The matched terms per group, or None when the scheme does not match."""
        if self._first_group is not None and not self._first_group.search(text):
            return None
        for term in self.exclude:
            if term.find(text):
                return None
        matched: dict[str, list[str]] = {}
        for group in GROUPS:
            terms = self.terms.get(group, ())
            if not terms:
                continue
            hits = [hit for hit in (t.find(text) for t in terms) if hit]
            if not hits:
                return None
            matched[group] = hits
        return matched


def _term(raw: Any, where: str) -> Term:
    if not isinstance(raw, (str, int)):
        raise StartupError(f"{where}: a term must be text, got {raw!r}")
    text = str(raw)
    if text.startswith("re:"):
        try:
            return Term(text, re.compile(text[3:]))
        except re.error as exc:
            raise StartupError(f"{where}: bad regular expression {text[3:]!r}: {exc}") from None
    return Term(text, None)


def parse(data: Any, origin: str) -> list[Scheme]:
    if not isinstance(data, dict) or not isinstance(data.get("schemes"), list):
        raise StartupError(f"{origin} must hold a list under 'schemes'")
    out = []
    for n, raw in enumerate(data["schemes"], 1):
        where = f"{origin}: scheme {n}"
        if not isinstance(raw, dict) or not raw.get("name"):
            raise StartupError(f"{where} needs a 'name'")
        unknown = set(raw) - {"name", "exclude", *GROUPS}
        if unknown:
            raise StartupError(f"{where} ({raw['name']}): unknown key(s) {', '.join(sorted(unknown))}; "
                               f"use name, region, subject, event, exclude")
        terms = {g: tuple(_term(t, f"{where} {g}") for t in raw.get(g) or []) for g in GROUPS}
        if not any(terms.values()):
            raise StartupError(f"{where} ({raw['name']}) lists no region, subject or event terms")
        out.append(Scheme(str(raw["name"]), terms, tuple(_term(t, f"{where} exclude") for t in raw.get("exclude") or [])))
    return out


def load(path: Path | None = None) -> list[Scheme]:
    """The operator's file when given or present under <var>, else the shipped schemes."""
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise StartupError(f"cannot read schemes file {path}: {exc.strerror}") from None
        origin = str(path)
    else:
        text = resources.files("classifiers").joinpath("data", "schemes.yaml").read_text(encoding="utf-8")
        origin = "classifiers/data/schemes.yaml"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StartupError(f"{origin} is not valid YAML: {str(exc).splitlines()[0]}") from None
    return parse(data, origin)


def evaluate(schemes: list[Scheme], text: str) -> list[dict[str, Any]]:
    out = []
    for scheme in schemes:
        matched = scheme.match(text)
        if matched is not None:
            out.append({"name": scheme.name, "matched": matched})
    return out
