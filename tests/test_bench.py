"""The benchmark's inputs (its figures are printed by `make bench`, never asserted)."""

import json

from pipeline import bench


def _messages(tmp_path, monkeypatch):
    for n, name in enumerate(bench.SHARED_FILES):
        rows = [{"id": f"{n}-{k}", "title": f"关于第{k}号小区的问题",
                 "text": "".join(f"{n}区{k}号小区第{j}次反映停车难、噪音大，编号{k * 7919 + j}，请有关部门处理。"
                                 for j in range(k % 4 + 6))}
                for k in range(60)]
        (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                                     encoding="utf-8")
    monkeypatch.setattr(bench, "SHARED_DATA", tmp_path)


def test_items_are_distinct_full_length_and_continue_from_start(tmp_path, monkeypatch):
    _messages(tmp_path, monkeypatch)
    assert bench.corpus() == "shared_messages"
    first, later = bench.real_texts(300, chars=120), bench.real_texts(100, chars=120, start=300)
    texts = [i["title"] + i["text"] for i in first + later]
    # the messages hold about half of 400 × 120 characters: the second lap must still give new texts
    assert len(set(texts)) == len(texts) == 400
    assert all(len(t) == 120 for t in texts)
    assert [i["id"] for i in later][:2] == ["c300", "c301"]


def test_without_shared_data_the_demo_corpus_is_used_and_named(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "SHARED_DATA", tmp_path / "absent")
    assert bench.corpus() == "demo_corpus"
    items = bench.real_texts(20)
    assert len(items) == 20 and all(i["title"] or i["text"] for i in items)
