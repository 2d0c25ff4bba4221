import json

import pytest

from classifiers.feedback import add, export
from pipeline import keys
from pipeline.errors import InputError
from pipeline.items import normalise

from support import run_cli


def _store(conn, item_id, text):
    conn.set(keys.item(item_id), json.dumps(normalise({"id": item_id, "text": text}), ensure_ascii=False))


def test_relabels_are_recorded_and_exported(redis_conn):
    _store(redis_conn, "a", "网传某地停水三天")
    record = add(redis_conn, "a", "rumor", "non-rumor", by="张三")
    assert record["by"] == "张三" and record["at"]
    add(redis_conn, "a", "rumor", "rumor", by="李四")  # a later relabel replaces the earlier one
    assert export(redis_conn, "rumor") == [{"id": "a", "title": "", "text": "网传某地停水三天", "label": "rumor"}]
    assert export(redis_conn, "domain") == []


def test_unknown_item_is_refused(redis_conn):
    with pytest.raises(InputError, match="no stored item"):
        add(redis_conn, "nope", "rumor", "rumor", by="x")


def test_train_with_feedback_through_the_cli(redis_url, redis_conn, tmp_path):
    rows = ([{"id": f"r{i}", "text": f"紧急扩散 网传水源被污染 第{i}条", "label": "rumor"} for i in range(10)]
            + [{"id": f"n{i}", "text": f"水务部门通报水质合格 第{i}期", "label": "non-rumor"} for i in range(10)])
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    _store(redis_conn, "fb1", "水务部门通报 紧急扩散")
    env = {"REDIS_URL": redis_url}
    assert run_cli("label", "add", "fb1", "rumor", "non-rumor", "--by", "王五", env=env).returncode == 0
    exported = run_cli("label", "export", "rumor", env=env).stdout.splitlines()
    assert [json.loads(line)["id"] for line in exported] == ["fb1"]
    out = run_cli("train", "--head", "rumor", "--data", str(data), "--out", str(tmp_path / "m"), "--with-feedback",
                  env=env)
    assert out.returncode == 0, out.stderr
    assert "feedback: 1 relabelled rows added" in out.stderr
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metrics"]["n_rows"] == 21
