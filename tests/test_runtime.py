import io
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from classifiers import registry, runtime
from classifiers.text import item_text
from classifiers.training import train
from crawlers.demo.server import load_corpus
from pipeline.errors import StartupError

ODD = ["", "a", "  多个   空格\n换行 ABC abc", "{{ config }}<script>alert(1)</script>", "😀表情\x00零",
       "Ｆｕｌｌ　ｗｉｄｔｈ　１２３", "x" * 5000]
TOPICS = {"交通": ["道路拥堵 公交线路调整", "公交车站 地铁换乘", "出租车 拒载 投诉"],
          "教育": ["学校 招生 学位", "幼儿园 收费 学费", "中考 高考 考试"],
          "环保": ["工地 噪音 扰民", "河道 污水 排放", "垃圾 焚烧 异味"]}


def _rows(labels):
    return [{"id": f"{label}{i}", "text": text, "label": label}
            for label in labels for i, text in enumerate(TOPICS[label] * 3)]


def _texts():
    return [item_text(r) for r in load_corpus()] + ODD


@pytest.mark.parametrize("head", ["rumor", "domain", "incident_type"])
def test_shipped_heads_give_the_same_probabilities_as_their_pipelines(head):
    model = registry.load(registry.resolve(head))
    assert model.runtime is not None
    texts = _texts()
    expected = model.pipeline.predict_proba(texts)
    assert model.runtime.classes == [str(c) for c in model.pipeline.classes_]
    assert np.abs(model.runtime.predict_proba(texts) - expected).max() < 1e-6


@pytest.mark.parametrize("labels", [["交通", "教育"], ["交通", "教育", "环保"]])
def test_trained_binary_and_multiclass_heads_are_exported_on_save(tmp_path, labels):
    rows = _rows(labels)
    registry.save(tmp_path, "topic", train(rows), labels=labels, data_sha256=registry.sha256_rows(rows))
    manifest = json.loads((tmp_path / registry.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["features_sha256"] == registry.sha256_file(tmp_path / runtime.FEATURES)
    assert manifest["linear_sha256"] == registry.sha256_file(tmp_path / runtime.LINEAR)
    model = registry.load(tmp_path)
    texts = [item_text(r) for r in rows] + ["地铁站附近的学校噪音"] + ODD
    assert np.abs(model.runtime.predict_proba(texts) - model.pipeline.predict_proba(texts)).max() < 1e-6


def test_heads_sharing_a_feature_step_share_one_loaded_copy():
    rumor = registry.load(registry.resolve("rumor"))
    domain = registry.load(registry.resolve("domain"))
    assert rumor.runtime.features is domain.runtime.features


@pytest.mark.parametrize("name", [runtime.FEATURES, runtime.LINEAR])
def test_a_tampered_or_missing_runtime_file_is_refused(tmp_path, name):
    rows = _rows(["交通", "教育"])
    source = tmp_path / "m"
    registry.save(source, "topic", train(rows), labels=["交通", "教育"], data_sha256="x")
    tampered = tmp_path / "tampered"
    shutil.copytree(source, tampered)
    with open(tampered / name, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(StartupError, match="does not match the sha256"):
        registry.load(tampered)
    (source / name).unlink()
    with pytest.raises(StartupError, match="missing"):
        registry.load(source)


def test_runtime_files_holding_pickled_objects_are_refused(tmp_path):
    rows = _rows(["交通", "教育"])
    registry.save(tmp_path, "topic", train(rows), labels=["交通", "教育"], data_sha256="x")
    with np.load(tmp_path / runtime.LINEAR) as arrays:
        kept = {name: arrays[name] for name in arrays.files}
    kept["classes"] = np.array([{"not": "plain"}], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **kept)
    (tmp_path / runtime.LINEAR).write_bytes(buffer.getvalue())
    manifest = json.loads((tmp_path / registry.MANIFEST).read_text(encoding="utf-8"))
    manifest["linear_sha256"] = registry.sha256_file(tmp_path / runtime.LINEAR)
    (tmp_path / registry.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StartupError, match="unreadable"):
        registry.load(tmp_path)


def test_other_pipeline_shapes_are_saved_without_runtime_files_and_used_through_scikit_learn(tmp_path):
    rows = _rows(["交通", "教育"])
    registry.save(tmp_path, "topic", train(rows), labels=["交通", "教育"], data_sha256="x")
    assert (tmp_path / runtime.FEATURES).is_file()
    fitted = train(rows)
    trigrams = FeatureUnion([("c", TfidfVectorizer(analyzer="char", ngram_range=(1, 3)))])
    other = Pipeline([("features", trigrams.fit([r["text"] for r in rows])), ("model", fitted.named_steps["model"])])
    other.named_steps["model"].fit(trigrams.transform([r["text"] for r in rows]), [r["label"] for r in rows])
    registry.save(tmp_path, "topic", other, labels=["交通", "教育"], data_sha256="x")  # same directory again
    assert not (tmp_path / runtime.FEATURES).exists() and not (tmp_path / runtime.LINEAR).exists()
    model = registry.load(tmp_path)
    assert model.runtime is None and list(model.pipeline.predict(["公交 地铁"])) == ["交通"]


def test_classifying_with_the_shipped_models_imports_neither_scikit_learn_nor_scipy():
    script = (
        "import json, sys\n"
        "from classifiers.classify import Classifier\n"
        "from pipeline.items import normalise\n"
        "out = Classifier().classify([normalise({'id': 'a', 'title': '某县暴雨致3人死亡', 'text': '道路中断'})])\n"
        "print(json.dumps({'domain': out[0]['domain'], 'heavy': sorted(m for m in ('sklearn', 'scipy')"
        " if m in sys.modules)}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["domain"] and result["heavy"] == []


def test_linear_scores_sum_each_rows_entries_whatever_rows_are_empty():
    # rows 0, 3 and 5 have no entries in the first block, rows 0 and 5 none at all; the last row is empty
    blocks = [(np.array([1, 1, 2, 4, 4, 4]), np.array([0, 2, 1, 0, 1, 2]), np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
              (np.array([2, 3]), np.array([3, 4]), np.array([0.5, 0.25])),
              (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    weights = np.arange(10, dtype=float).reshape(5, 2)          # 5 features, 2 models
    expected = np.zeros((6, 2))
    for rows, cols, values in blocks:
        for r, c, v in zip(rows, cols, values):
            expected[r] += v * weights[c]
    assert np.array_equal(runtime.linear_scores(weights, blocks, 6), expected)
    assert not expected[0].any() and not expected[5].any() and expected[4].any()
