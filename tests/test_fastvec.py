import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifiers import registry
from classifiers.fastvec import FastFeatures, fast_or_plain
from classifiers.heads import build_features
from classifiers.text import item_text
from crawlers.demo.server import load_corpus

ODD = ["", "a", "  多个   空格\n换行 ABC abc", "{{ config }}<script>alert(1)</script>", "😀表情\x00零",
       "Ｆｕｌｌ　ｗｉｄｔｈ　１２３", "x" * 5000]


def _texts():
    return [item_text(r) for r in load_corpus()] + ODD


def test_fast_path_gives_the_same_matrix_as_scikit_learn():
    features = registry.load(registry.resolve("domain")).pipeline.named_steps["features"]
    texts = _texts()
    expected = features.transform(texts)
    got = FastFeatures.from_union(features).transform(texts)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.abs((got - expected).toarray()).max() < 1e-6


def test_freshly_fitted_features_match_too():
    texts = _texts()
    features = build_features().fit(texts)
    assert np.abs((FastFeatures.from_union(features).transform(texts) - features.transform(texts)).toarray()).max() < 1e-6


def test_unsupported_shapes_fall_back_to_scikit_learn():
    union = FeatureUnion([("c", TfidfVectorizer(analyzer="char", ngram_range=(1, 3)))]).fit(["一二三四"])
    assert fast_or_plain(union) is union
    with pytest.raises(ValueError):
        FastFeatures.from_union(union)


def test_pair_table_finds_every_key_and_nothing_else():
    from classifiers.fastvec import _PairTable
    rng = np.random.default_rng(3)
    keys = np.unique(rng.integers(0, 2 ** 40, 20_000, dtype=np.uint64))
    # plus a run of consecutive keys and the largest key below the empty marker
    keys = np.unique(np.concatenate([keys, np.arange(1000, 1300, dtype=np.uint64),
                                     np.array([2 ** 64 - 2], dtype=np.uint64)]))
    values = rng.permutation(len(keys)).astype(np.int64)
    table = _PairTable(keys, values)
    assert (table.keys[table._home(keys)] != keys).any()   # some keys live past their home slot: probing is tested
    assert np.array_equal(table.get(keys), values)
    absent = np.setdiff1d(rng.integers(0, 2 ** 40, 5_000, dtype=np.uint64), keys)
    assert (table.get(absent) == -1).all()
    assert (_PairTable(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)).get(keys[:10]) == -1).all()

