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
