from pathlib import Path

import pytest

from classifiers.annotated import load
from classifiers.concern import config
from classifiers.eval_concern import SETS, evaluate


def rows(name: str) -> list[dict]:
    return load(SETS[name])


def test_sets_hold_only_configured_labels_and_known_files():
    labels = set(config()["labels"])
    for name in SETS:
        for row in rows(name):
            assert row["label"] in labels, row
            assert row["file"].endswith(".jsonl") and "/" not in row["file"]


def test_test_set_never_overlaps_the_seed_set_it_checks():
    # The test set is the unbiased figure only if no row of it was read while writing the rules.
    seed = {(r["file"], r["id"]) for r in rows("seed")}
    test = [(r["file"], r["id"]) for r in rows("test")]
    assert len(test) == len(set(test))
    assert not seed & set(test)


def test_unknown_set_is_refused_before_any_data_is_read(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown concern set 'holdout'"):
        evaluate(tmp_path, "holdout")
