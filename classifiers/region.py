"""Places named in a text (province → city → county) and whether they lie in the jurisdiction (属地管理).

The gazetteer is ``data/places.tsv`` (adcodes). Full names match anywhere;
short names (四川, 兰州) are used for provinces and prefecture-level cities
only, where they are unambiguous enough. The most specific place wins;
between namesakes (two 朝阳区), the one whose province or city the text
also names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .tokenizer import cut

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟")


@dataclass(frozen=True)
class Place:
    code: str   # 12-digit adcode
    name: str

    @property
    def depth(self) -> int:
        """1 province, 2 prefecture, 3 county."""
        if self.code[2:] == "0" * 10:
            return 1
        if self.code[4:] == "0" * 8:
            return 2
        return 3

    @property
    def prefix(self) -> str:
        return self.code[: 2 * self.depth]


def _short(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, list[Place]]:
    names: dict[str, list[Place]] = {}
    text = resources.files("classifiers").joinpath("data", "places.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        code, name = line.split("\t", 1)
        name = name.strip()
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or len(name) < 2:
            continue
        place = Place(code, name)
        names.setdefault(name, []).append(place)
        if place.depth <= 2:
            short = _short(name)
            if short and short not in names:
                names.setdefault(short, []).append(place)
    return names


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(gazetteer())


def find_places(text: str) -> list[Place]:
    """Places among the text's tokens: every full name is in the tokeniser's dictionary,
    so a dictionary look-up per token replaces a 3,500-way regex (≈15× faster)."""
    names = gazetteer()
    tokens = cut(text)
    hits = set(tokens) & _names()   # set & set runs over the smaller side; most texts name no place or one
    if not hits:
        return []
    found: list[Place] = []
    for token in sorted(hits, key=tokens.index):   # in order of first mention, as before
        for place in names[token]:
            if place not in found:
                found.append(place)
    return found


def most_specific(text: str) -> Place | None:
    places = find_places(text)
    if not places:
        return None
    prefixes = {p.prefix for p in places}

    def support(p: Place) -> int:
        return sum(1 for d in (1, 2) if d < p.depth and p.code[: 2 * d] in prefixes)

    best_depth = max(p.depth for p in places)
    candidates = [p for p in places if p.depth == best_depth]
    return max(candidates, key=lambda p: (support(p), -places.index(p)))


@lru_cache(maxsize=64)
def jurisdiction_prefixes(jurisdiction: str) -> tuple[str, ...]:
    """'四川省, 兰州市' → adcode prefixes; empty means everywhere."""
    names = gazetteer()
    out = []
    for part in re.split(r"[,，;；\s]+", jurisdiction.strip()):
        if not part:
            continue
        if part not in names:
            raise ValueError(f"jurisdiction names '{part}', which is not a known place (see classifiers/data/places.tsv)")
        out.extend(p.prefix for p in names[part])
    return tuple(out)


def region(text: str, jurisdiction: str = "") -> dict[str, object]:
    """The contract's region object: the most specific place, and whether it is in scope."""
    place = most_specific(text)
    prefixes = jurisdiction_prefixes(jurisdiction) if jurisdiction else ()
    if not prefixes:
        in_scope = True
    elif place is None:
        in_scope = True  # unknown place: do not let a real incident drop out of scope
    else:
        in_scope = any(place.code.startswith(p) for p in prefixes)
    return {"place": place.name if place else None, "in_scope": in_scope}
