"""The tokeniser: jieba precise mode with the domain dictionary, via the fastest compatible backend.

``tokenize`` is a module-level function so that a scikit-learn Pipeline
holding it pickles by reference. The backend is rjieba (jieba-rs: the same
dictionary and algorithm, ≈25× faster) when installed, else jieba; both get
the same user words. The dictionary is loaded once per process, on first use
or by ``load()`` before a worker starts.
"""

from __future__ import annotations

import os
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

_lock = threading.Lock()
_backend = None
_backend_name = ""
_dictionary_mtime: float | None = None     # of the operators' dictionary when the tokeniser was built
_stopwords: frozenset[str] = frozenset()

# Tokens that carry no meaning for the heads: whitespace, punctuation, symbols.
_NOISE = re.compile(r"^[\s\W_]+$", re.UNICODE)
PLACE_FREQ = 50_000  # high enough that a county name is never split


def _data(name: str) -> str:
    return resources.files("classifiers").joinpath("data", name).read_text(encoding="utf-8")


def dictionary_words(extra: Iterable[Path] = ()) -> list[tuple[str, int | None, str | None]]:
    """(word, freq, tag) from the shipped dictionary, the gazetteer and operators' files."""
    words: list[tuple[str, int | None, str | None]] = []
    texts = [_data("userdict.txt")]
    for path in extra:
        if Path(path).is_file():
            texts.append(Path(path).read_text(encoding="utf-8"))
    for text in texts:
        for line in text.splitlines():
            parts = line.split()
            if not parts or line.startswith("#"):
                continue
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
            words.append((parts[0], freq, tag))
    for line in _data("places.tsv").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        name = line.split("\t", 1)[1].strip()
        if len(name) >= 2 and name != "市辖区":
            words.append((name, PLACE_FREQ, "ns"))
    return words


def operator_dictionary() -> list[Path]:
    """Operators' words: <var>/userdict.txt (YUQING_VAR, default ./var)."""
    return [Path(os.environ.get("YUQING_VAR", "var")) / "userdict.txt"]


def load(backend: str | None = None, extra: Iterable[Path] | None = None) -> str:
    """Build the tokeniser once for this process; returns the backend's name."""
    global _backend, _backend_name, _stopwords
    with _lock:
        if _backend is not None and backend in (None, _backend_name):
            return _backend_name
        global _dictionary_mtime
        _dictionary_mtime = dictionary_mtime()
        words = dictionary_words(operator_dictionary() if extra is None else extra)
        choice = backend or os.environ.get("YUQING_TOKENIZER") or "auto"
        instance = None
        name = ""
        if choice in ("auto", "rjieba"):
            try:
                import rjieba
                instance = rjieba.Jieba()
                for word, freq, tag in words:
                    instance.add_word(word, freq, tag)
                name = "rjieba"
            except ImportError:
                if choice == "rjieba":
                    raise
        if instance is None:
            import logging

            import jieba
            jieba.setLogLevel(logging.WARNING)
            instance = jieba.Tokenizer()
            for word, freq, tag in words:
                instance.add_word(word, freq, tag)
            name = "jieba"
        _stopwords = frozenset(w.strip() for w in _data("stopwords.txt").splitlines()
                               if w.strip() and not w.startswith("#"))
        _backend, _backend_name = instance, name
        _cut.cache_clear()
        tokenize.cache_clear()
        _kept.clear()
        return name


def dictionary_mtime() -> float:
    path = operator_dictionary()[0]
    return path.stat().st_mtime if path.is_file() else 0.0


def reload_if_changed() -> bool:
    """Rebuild the tokeniser when the operators' dictionary changed since it was built (workers check
    this every minute, so words added in the console apply without a restart)."""
    global _dictionary_mtime
    mtime = dictionary_mtime()
    if _dictionary_mtime is None or mtime == _dictionary_mtime:
        return False
    global _backend
    with _lock:
        _backend = None
    load()
    _dictionary_mtime = mtime
    return True


@lru_cache(maxsize=2048)
def _cut(text: str) -> tuple[str, ...]:
    if _backend_name == "rjieba":
        return tuple(_backend.cut(text, True))
    return tuple(_backend.lcut(text, HMM=True))


def cut(text: str) -> tuple[str, ...]:
    """jieba precise mode (HMM on), every token kept. Cached: the heads' features and the
    place look-up read the same text of an item one after the other."""
    if _backend is None:
        load()
    return _cut(text)


_kept: dict[str, str] = {}  # token → what the heads see ("" = dropped); bounded below
_KEPT_MAX = 500_000


def _keep(token: str) -> str:
    low = token.lower()
    return "" if low in _stopwords or _NOISE.match(low) else low


def keep(token: str) -> str:
    """What the heads see of one token of ``cut`` ("" = dropped): ``tokenize`` is ``cut`` through this."""
    if _backend is None:
        load()
    return _keep(token)


@lru_cache(maxsize=2048)
def tokenize(text: str) -> tuple[str, ...]:
    """Tokens for the classifiers: lower-cased, no punctuation, no stopwords. Cached like ``cut``:
    the heads and the event stage tokenise the same text of an item one after the other."""
    kept = _kept
    out = []
    for token in cut(text):
        value = kept.get(token)
        if value is None:
            value = _keep(token)
            if len(kept) < _KEPT_MAX:
                kept[token] = value
        if value:
            out.append(value)
    return tuple(out)


def backend_name() -> str:
    return _backend_name or load()
