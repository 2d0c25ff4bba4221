import json

import pytest

from classifiers.annotated import items, load


def test_rows_are_joined_to_their_source_lines_in_order(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "1", "title": "标题一", "text": "正文"}, {"id": "2", "title": "标题二"}]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "1", "text": "另一文件"}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    rows = [{"id": "2", "file": "a.jsonl"}, {"id": "1", "file": "b.jsonl"}, {"id": "1", "file": "a.jsonl"}]
    out = items(tmp_path, rows)
    assert [(i["id"], i["title"], i["text"]) for i in out] == [("2", "标题二", ""), ("1", "", "另一文件"),
                                                                ("1", "标题一", "正文")]


def test_a_row_missing_from_its_source_is_an_error_not_a_silent_skip(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "1", "title": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(KeyError):
        items(tmp_path, [{"id": "9", "file": "a.jsonl"}])


def test_shipped_sets_load():
    for name in ("concern_seed.jsonl", "concern_test.jsonl", "incident_types_thucnews.jsonl"):
        assert load(name) and all("id" in r and "file" in r for r in load(name))
