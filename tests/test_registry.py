import pytest

from classifiers import registry
from classifiers.training import train
from pipeline.errors import StartupError

ROWS = [{"id": str(i), "text": t, "label": lab} for i, (t, lab) in enumerate(
    [("道路拥堵 公交线路调整", "交通"), ("公交车站 地铁换乘", "交通"), ("出租车 拒载 投诉", "交通"),
     ("学校 招生 学位", "教育"), ("幼儿园 收费 学费", "教育"), ("中考 高考 考试", "教育")] * 3)]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("m") / "demo"
    registry.save(out, "topic", train(ROWS), labels=["交通", "教育"], data_sha256=registry.sha256_rows(ROWS))
    return out


def test_save_and_load_round_trip(model_dir):
    model = registry.load(model_dir)
    assert model.head == "topic" and model.manifest["artifact_sha256"] == registry.sha256_file(model_dir / registry.ARTIFACT)
    assert list(model.pipeline.predict(["地铁换乘不方便"])) == ["交通"]


def test_tampered_artifact_is_refused(model_dir, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    with open(copy / registry.ARTIFACT, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(StartupError, match="does not match the sha256"):
        registry.load(copy)


def test_not_a_model_directory(tmp_path):
    with pytest.raises(StartupError, match="not a model directory"):
        registry.load(tmp_path)


def test_register_promote_rollback(model_dir, tmp_path):
    var = tmp_path / "var"
    first = registry.register(var, model_dir)
    assert registry.promoted_dir(var, "topic") is None
    registry.promote(var, "topic", first.name)
    assert registry.resolve("topic", var) == first
    second_src = tmp_path / "second"
    registry.save(second_src, "topic", train(ROWS), labels=["交通", "教育"], data_sha256="x")
    manifest = (second_src / registry.MANIFEST).read_text(encoding="utf-8").replace(first.name, "20990101T000000Z")
    (second_src / registry.MANIFEST).write_text(manifest, encoding="utf-8")
    second = registry.register(var, second_src)
    registry.promote(var, "topic", second.name)
    assert registry.resolve("topic", var) == second
    assert registry.rollback(var, "topic") == first.name
    assert registry.resolve("topic", var) == first
    with pytest.raises(StartupError, match="no earlier promoted version"):
        registry.rollback(var, "topic")


def test_shipped_heads_resolve_and_load():
    for head in ("rumor", "domain", "incident_type"):
        model = registry.load(registry.resolve(head))
        assert model.head == head and model.manifest["metrics"]["held_out"]["n"] > 0
