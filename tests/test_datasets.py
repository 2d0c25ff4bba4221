"""Training sets of the shipped heads: weak labels from replies, and negatives that read like incidents."""

import json

from classifiers.datasets import departments, domain_rows, incident_rows, reply_label


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_a_reply_from_one_kind_of_department_labels_its_message():
    patterns = departments()
    assert reply_label("网友您好！经市教育局调查核实，现答复如下……", patterns) == "教育文体"
    assert reply_label("您好！……" + "办" * 600 + "A市交通运输局 2019年5月1日", patterns) == "交通运输"


def test_a_reply_naming_no_department_or_departments_of_two_fields_gives_no_label():
    patterns = departments()
    assert reply_label("您好，来信收悉，我们将认真研究。", patterns) is None
    assert reply_label("经市教育局会同市交通运输局调查，现答复如下", patterns) is None
    # a department named only in the middle of a long reply is not the one that answered
    assert reply_label("您好！" + "情况" * 300 + "已转市环保局" + "说明" * 300, patterns) is None


def _data(tmp_path, messages):
    _write(tmp_path / "gov_messages_train.jsonl", [
        {"id": f"l{i}", "title": f"学校收费问题{i}", "text": f"孩子所在学校乱收费{i}", "label": "教育文体"}
        for i in range(3)] + [{"id": "t0", "title": "公交线路", "text": "公交车太少", "label": "交通运输"}])
    (tmp_path / "gov_messages_taxonomy.csv").write_text("一级分类,二级分类,三级分类\n教育文体,教育收费,学校乱收费\n",
                                                       encoding="utf-8")
    _write(tmp_path / "gov_messages_with_replies.jsonl", messages)
    _write(tmp_path / "gov_messages_hot_unlabeled.jsonl", [])
    return tmp_path


def test_domain_rows_add_reply_labelled_messages_at_a_low_weight_but_never_a_copy_of_a_labelled_one(tmp_path):
    data = _data(tmp_path, [
        {"id": "r1", "title": "公交站台", "text": "站台破损无人修", "reply": "经市交通运输局核实，已安排维修"},
        {"id": "r2", "title": "收费", "text": "孩子所在学校乱收费0", "reply": "经区教育局调查核实"},
        {"id": "r3", "title": "噪音", "text": "夜里施工", "reply": "经市环保局调查"},   # 环境保护: not a label here
        {"id": "r4", "title": "建议", "text": "多种树", "reply": "感谢您的建议"},
    ])
    rows = {r["id"]: r for r in domain_rows(data)}
    assert rows["r1"]["label"] == "交通运输" and rows["r1"]["weight"] < 1
    assert "r2" not in rows and "r3" not in rows and "r4" not in rows
    assert rows["l0"].get("weight") is None


def test_incident_negatives_that_read_like_incidents_are_left_out(tmp_path):
    _write(tmp_path / "cec_incidents_train.jsonl", [
        {"id": "c1", "title": "某地发生地震", "text": "某地发生4级地震", "label": "自然灾害"}])
    _write(tmp_path / "gov_messages_with_replies.jsonl", [
        {"id": "m1", "title": "小区路灯不亮", "text": "晚上出行不便"},
        {"id": "m2", "title": "路口发生车祸致两人受伤", "text": "请加强管理"}])
    _write(tmp_path / "gov_messages_hot_unlabeled.jsonl", [])
    _write(tmp_path / "thucnews_titles_train.jsonl", [
        {"id": "n1", "title": "央行公布外汇储备数据", "label": "finance"},
        {"id": "n2", "title": "小型公交车坠入山谷至少15人死亡", "label": "politics"},
        {"id": "n3", "title": "某地突发山火", "label": "society"}])
    rows = incident_rows(tmp_path, negatives_per_source=2)
    negatives = {r["id"] for r in rows if r["label"] == "none"}
    assert negatives == {"m1", "n1"}
    assert {r["label"] for r in rows if r["id"].startswith("c1")} == {"自然灾害"}
