"""The same numbers as the fitted feature step, computed several times faster and without scikit-learn.

scikit-learn's CountVectorizer builds every character n-gram as a Python
string and looks it up in a dictionary, ≈250 ns a term and ≈600 terms an
item. Here the character 1–2-grams of a whole batch become 64-bit keys
(code point pairs) in one numpy array, found in the vocabulary with one
``searchsorted``; tf-idf weighting and the L2 norm are done on the batch
with numpy alone, so a head exported by ``classifiers.runtime`` classifies
without importing scikit-learn or scipy (that import was ≈0.9 s of the
≈1.9 s model load). Word tokens still go through the tokenizer. Fitting
stays with scikit-learn; tests check that both give the same matrix.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

_WHITE = re.compile(r"\s\s+")

# A feature matrix as entries: (row, column, value) arrays; each (row, column) cell at most once.
Entries = tuple[np.ndarray, np.ndarray, np.ndarray]


class Block:
    """One fitted tf-idf block: character 1–2-grams, or word tokens from ``classifiers.tokenizer``."""

    # A bigram key is (first << 21) | second; code points are < 2**21.
    SEP = (1 << 21) - 2  # between documents: no vocabulary key contains it

    def __init__(self, *, kind: str, idf: np.ndarray, sublinear: bool, norm: str | None, lowercase: bool,
                 ngram_range: tuple[int, int] = (1, 1), words: list[str] | None = None,
                 unigrams: np.ndarray | None = None, keys: np.ndarray | None = None,
                 values: np.ndarray | None = None) -> None:
        if kind not in ("char", "words") or norm not in ("l2", None):
            raise ValueError(f"unsupported block: {kind}, norm {norm}")
        self.kind, self.sublinear, self.norm, self.lowercase = kind, sublinear, norm, lowercase
        self.idf = np.asarray(idf, dtype=np.float64)
        self.width = len(self.idf)
        self.ngram_range = tuple(ngram_range)
        if kind == "words":
            self.words = list(words or [])
            self._columns = _Columns(dict(zip(self.words, range(len(self.words)))).get)
        else:
            self.unigrams, self.keys, self.values = unigrams, keys, values
            self._compact_pairs()

    def _compact_pairs(self) -> None:
        """Bigram keys renumbered over the letters that occur in them (a few thousand, so 32-bit), in an
        open-addressing hash table: looking every bigram of a batch up in the sorted keys was half of
        the block's time, and a hash probe costs a quarter of a binary search."""
        if self.keys is None or not len(self.keys):
            self._letter, self._letters = np.full(0, -1, dtype=np.int64), 0
            self._pairs = _PairTable(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
            return
        first = (self.keys >> np.uint64(21)).astype(np.int64)
        second = (self.keys & np.uint64((1 << 21) - 1)).astype(np.int64)
        alphabet = np.unique(np.concatenate([first, second]))
        self._letter = np.full(int(alphabet[-1]) + 1, -1, dtype=np.int64)
        self._letter[alphabet] = np.arange(len(alphabet))
        self._letters = len(alphabet)
        compact = (self._letter[first] * self._letters + self._letter[second]).astype(np.uint64)
        self._pairs = _PairTable(compact, np.asarray(self.values, dtype=np.int64))

    @classmethod
    def from_vectorizer(cls, vectorizer: Any) -> "Block":
        """From a fitted TfidfVectorizer of a supported shape; ValueError otherwise."""
        from .tokenizer import tokenize
        plain = (vectorizer.preprocessor is None and vectorizer.strip_accents is None and not vectorizer.binary
                 and vectorizer.stop_words is None and vectorizer.use_idf)
        common = dict(idf=vectorizer.idf_, sublinear=vectorizer.sublinear_tf, norm=vectorizer.norm,
                      lowercase=vectorizer.lowercase)
        if plain and vectorizer.analyzer == "char" and 1 <= vectorizer.ngram_range[0] <= vectorizer.ngram_range[1] <= 2:
            return cls(kind="char", ngram_range=vectorizer.ngram_range, **common,
                       **_char_tables(vectorizer.vocabulary_))
        if (plain and vectorizer.analyzer == "word" and vectorizer.tokenizer is tokenize
                and vectorizer.ngram_range == (1, 1)):
            words = [""] * len(vectorizer.vocabulary_)
            for term, index in vectorizer.vocabulary_.items():
                words[index] = term
            return cls(kind="words", words=words, **common)
        raise ValueError("fast path supports char 1–2-grams and classifiers.tokenizer word unigrams only")

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The block as named plain arrays (no pickled objects), for ``np.savez``."""
        meta = {"kind": self.kind, "sublinear": self.sublinear, "norm": self.norm, "lowercase": self.lowercase,
                "ngram_range": list(self.ngram_range)}
        out = {f"{prefix}meta": _text_array(json.dumps(meta)), f"{prefix}idf": self.idf}
        if self.kind == "words":
            out[f"{prefix}words"] = _text_array(json.dumps(self.words, ensure_ascii=False))
        else:
            out.update({f"{prefix}unigrams": self.unigrams, f"{prefix}keys": self.keys, f"{prefix}values": self.values})
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str) -> "Block":
        meta = json.loads(_array_text(arrays[f"{prefix}meta"]))
        kind = meta.pop("kind")
        if kind == "words":
            return cls(kind=kind, idf=arrays[f"{prefix}idf"], words=json.loads(_array_text(arrays[f"{prefix}words"])),
                       **meta)
        return cls(kind=kind, idf=arrays[f"{prefix}idf"], unigrams=arrays[f"{prefix}unigrams"],
                   keys=arrays[f"{prefix}keys"], values=arrays[f"{prefix}values"], **meta)

    def _char_entries(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        prepared = [_WHITE.sub(" ", d.lower() if self.lowercase else d) for d in docs]
        lengths = np.fromiter((len(d) for d in prepared), dtype=np.int64, count=len(prepared))
        codes = np.frombuffer("".join(d + "\x00" for d in prepared).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64)
        ends = np.cumsum(lengths + 1) - 1           # positions of the separators
        codes[ends] = self.SEP
        doc_of = np.repeat(np.arange(len(docs)), lengths + 1)
        low, high = self.ngram_range
        rows_out, cols_out = [], []
        if low <= 1:
            inside = codes < len(self.unigrams)
            idx = np.full(len(codes), -1, dtype=np.int64)
            idx[inside] = self.unigrams[codes[inside].astype(np.int64)]
            hit = idx >= 0
            rows_out.append(doc_of[hit])
            cols_out.append(idx[hit])
        if high >= 2 and len(codes) > 1 and self._letters:
            letter = np.full(len(codes), -1, dtype=np.int64)
            inside = codes < len(self._letter)
            letter[inside] = self._letter[codes[inside].astype(np.int64)]
            both = (letter[:-1] >= 0) & (letter[1:] >= 0)   # a bigram with a letter no key has is not one
            columns = self._pairs.get((letter[:-1][both] * self._letters + letter[1:][both]).astype(np.uint64))
            found = columns >= 0
            rows_out.append(doc_of[:-1][both][found])
            cols_out.append(columns[found])
        if not rows_out:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows_out), np.concatenate(cols_out)

    def _word_entries(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        # ``tokenize`` is ``cut`` through ``keep``; going from cut's tokens straight to columns skips
        # building each document's kept-token tuple (the worker's event stage still tokenises, cached).
        from .tokenizer import cut
        column = self._columns.__getitem__
        rows, cols = [], []
        for r, doc in enumerate(docs):
            idx = [i for i in map(column, cut(doc.lower() if self.lowercase else doc)) if i >= 0]
            cols.extend(idx)
            rows.extend([r] * len(idx))
        return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)

    def entries(self, docs: list[str]) -> Entries:
        """Tf-idf values of the batch, as TfidfVectorizer.transform computes them."""
        rows, cols = self._word_entries(docs) if self.kind == "words" else self._char_entries(docs)
        # One sort finds each (row, column) cell and its count; 32-bit keys sort ≈1.6× faster than 64-bit.
        key_type = np.uint32 if len(docs) * self.width < 2 ** 32 else np.int64
        cells, counts = np.unique((rows * self.width + cols).astype(key_type), return_counts=True)
        cells = cells.astype(np.int64)
        rows, cols = cells // self.width, cells % self.width
        values = counts.astype(np.float64)
        if self.sublinear:
            np.log(values, out=values)
            values += 1.0
        values *= self.idf[cols]
        if self.norm == "l2":
            norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(docs)))
            norms[norms == 0] = 1.0
            values /= norms[rows]
        return rows, cols, values


class _Columns(dict):
    """Token of ``cut`` → vocabulary column (-1: dropped by ``keep`` or not in the vocabulary), filled
    on first sight; bounded, since crawled text brings new tokens for ever."""

    LIMIT = 500_000

    def __init__(self, vocab_get: Any) -> None:
        from .tokenizer import keep
        super().__init__()
        self.vocab_get, self.keep = vocab_get, keep

    def __missing__(self, token: str) -> int:
        kept = self.keep(token)
        column = self.vocab_get(kept, -1) if kept else -1
        if len(self) < self.LIMIT:
            self[token] = column
        return column


class _PairTable:
    """uint64 key → int column, an open-addressing hash table (linear probing) built and probed with
    whole-array operations; at most a quarter full, so a probe rarely takes a second step."""

    EMPTY = np.uint64(2 ** 64 - 1)
    MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key × 2**64/φ

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.mask = (1 << self.bits) - 1
        self.keys = np.full(1 << self.bits, self.EMPTY, dtype=np.uint64)
        self.values = np.full(1 << self.bits, -1, dtype=np.int64)
        slot = self._home(keys)
        pending = np.arange(len(keys))
        while len(pending):
            free = self.keys[slot[pending]] == self.EMPTY
            contenders = pending[free]
            slots, first = np.unique(slot[contenders], return_index=True)   # one key per free slot a round
            placed = contenders[first]
            self.keys[slots], self.values[slots] = keys[placed], values[placed]
            done = np.zeros(len(keys), dtype=bool)
            done[placed] = True
            pending = pending[~done[pending]]
            slot[pending] = (slot[pending] + 1) & self.mask   # every slot passed is taken: lookups pass it too

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * self.MIX) >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, query: np.ndarray) -> np.ndarray:
        """The column of each key, -1 where absent."""
        out = np.full(len(query), -1, dtype=np.int64)
        slot = self._home(query)
        todo = np.arange(len(query))
        while len(todo):
            found = self.keys[slot[todo]]
            hit = found == query[todo]
            out[todo[hit]] = self.values[slot[todo[hit]]]
            todo = todo[~hit & (found != self.EMPTY)]
            slot[todo] = (slot[todo] + 1) & self.mask
        return out


def _char_tables(vocabulary: dict[str, int]) -> dict[str, np.ndarray]:
    """Unigrams: a direct table over code points (-1 = not in the vocabulary); bigrams: sorted keys."""
    top = max([ord(t) for t in vocabulary if len(t) == 1] + [0]) + 1
    unigrams = np.full(max(top, 1), -1, dtype=np.int64)
    keys, values = [], []
    for term, index in vocabulary.items():
        if len(term) == 1:
            unigrams[ord(term)] = index
            continue
        keys.append((ord(term[0]) << 21) | ord(term[1]))
        values.append(index)
    order = np.argsort(np.array(keys, dtype=np.uint64))
    return {"unigrams": unigrams,
            "keys": np.array(keys, dtype=np.uint64)[order] if keys else np.zeros(0, dtype=np.uint64),
            "values": np.array(values, dtype=np.int64)[order]}


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


class FastFeatures:
    """The blocks of a fitted FeatureUnion side by side, as entries or as a scipy matrix."""

    def __init__(self, blocks: list[Block], dtype: Any = np.float32) -> None:
        self.blocks = blocks
        self.dtype = np.dtype(dtype)
        self.width = sum(b.width for b in blocks)

    @classmethod
    def from_union(cls, features: Any) -> "FastFeatures":
        return cls([Block.from_vectorizer(v) for _, v in features.transformer_list],
                   features.transformer_list[0][1].dtype)

    def block_entries(self, docs: list[str]) -> list[Entries]:
        """Each block's rows, union columns and values (in the union's dtype); within a block the
        entries are sorted by row, which lets a linear model sum them a row at a time."""
        parts, offset = [], 0
        for block in self.blocks:
            rows, cols, values = block.entries(docs)
            parts.append((rows, cols + offset, values.astype(self.dtype, copy=False)))
            offset += block.width
        return parts

    def entries(self, docs: list[str]) -> Entries:
        """Rows, columns and values (in the union's dtype, as the fitted step would give them)."""
        parts = self.block_entries(docs)
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                np.concatenate([p[2] for p in parts]))

    def transform(self, docs: list[str]):
        """A scipy CSR matrix, for scikit-learn models that were not exported."""
        import scipy.sparse as sp
        rows, cols, values = self.entries(docs)
        return sp.csr_matrix((values, (rows, cols)), shape=(len(docs), self.width))


def fast_or_plain(features: Any):
    """The fast transformer when the feature step is of the supported shape, else the step itself."""
    try:
        return FastFeatures.from_union(features)
    except (ValueError, AttributeError):
        return features
