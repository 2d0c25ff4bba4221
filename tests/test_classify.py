"""The contract of `yuqing classify` (shared/CONTRACT.md), through the real command and models.

Items here are written for the tests; no row of the data sets is used as an expected answer.
"""

import json

import pytest

from classifiers.classify import Classifier, none_label, positive_label
from pipeline.items import normalise

from support import run_cli

CONCERNS = {"重要决策部署", "公众切身利益", "政府形象公信力", "突发事件与灾害", "民生道德底线", "不实信息", "其他"}
TYPES = {"自然灾害", "事故灾难", "公共卫生事件", "社会安全事件", None}
LEVELS = {"特别重大", "重大", "较大", "一般", None}

ACCIDENT = {"id": "acc", "title": "某县一煤矿发生瓦斯爆炸事故 已造成12人死亡",
            "text": "6月3日14时许，四川省某县一煤矿发生瓦斯爆炸事故，截至目前已造成12人死亡、5人受伤，"
                    "事故原因正在调查中。应急管理局负责同志已赶赴现场指导救援。",
            "published_at": "2024-06-03T18:00:00+08:00"}
COMPLAINT = {"id": "msg", "title": "小区物业乱收停车费", "text": "我们小区物业公司未经业主同意上调停车费，希望相关部门核查。"}


def _check_shape(out):
    assert set(out) >= {"id", "concern", "domain", "rumor", "incident", "region", "triggers_response"}
    assert out["concern"] in CONCERNS
    assert 0.0 <= out["rumor"]["score"] <= 1.0 and isinstance(out["rumor"]["is_rumor"], bool)
    inc = out["incident"]
    assert set(inc) >= {"is_incident", "type", "level", "deaths", "injured", "missing", "economic_loss_yuan",
                        "occurred_at"}
    assert inc["type"] in TYPES and inc["level"] in LEVELS
    assert (inc["level"] is None) == (inc["is_incident"] is False)
    for k in ("deaths", "injured", "missing", "economic_loss_yuan"):
        assert inc[k] is None or isinstance(inc[k], int)
    assert set(out["region"]) == {"place", "in_scope"}
    assert out["triggers_response"] == (inc["level"] in ("特别重大", "重大") and out["region"]["in_scope"])


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


def test_major_accident_triggers_a_response(classifier):
    (out,) = classifier.classify([normalise(ACCIDENT)])
    _check_shape(out)
    inc = out["incident"]
    assert inc["is_incident"] and inc["type"] == "事故灾难" and inc["level"] == "重大"
    assert (inc["deaths"], inc["injured"]) == (12, 5)
    assert inc["occurred_at"] == "2024-06-03T14:00:00+08:00"
    assert out["region"] == {"place": "四川省", "in_scope": True}
    assert out["triggers_response"] is True and out["concern"] == "突发事件与灾害"
    assert any(s["name"] == "安全生产事故" and "煤矿" in s["matched"]["subject"] for s in out["schemes"])


def test_ordinary_message_is_not_an_incident(classifier):
    (out,) = classifier.classify([normalise(COMPLAINT)])
    _check_shape(out)
    assert out["incident"]["is_incident"] is False and out["triggers_response"] is False
    assert out["concern"] == "公众切身利益"


def test_jurisdiction_takes_the_case_out_of_scope():
    (out,) = Classifier(jurisdiction="甘肃省").classify([normalise(ACCIDENT)])
    assert out["region"] == {"place": "四川省", "in_scope": False} and out["triggers_response"] is False


def test_label_conventions():
    assert positive_label(["non-rumor", "rumor"]) == "rumor" and positive_label(["0", "1"]) == "1"
    assert none_label(["none", "事故灾难"]) == "none" and none_label(["a", "b"]) is None


def test_cli_keeps_order_reports_bad_lines_and_exits_3():
    hostile = {"id": "x<script>", "title": "{{ config }}{% for x in y %}<script>alert(1)</script>", "text": ""}
    lines = [json.dumps(ACCIDENT, ensure_ascii=False), "{not json", json.dumps({"title": "无编号"}),
             json.dumps(hostile, ensure_ascii=False), json.dumps(COMPLAINT, ensure_ascii=False),
             json.dumps({"id": 7, "text": "数字编号"})]
    out = run_cli("classify", "-", input="\n".join(lines) + "\n")
    assert out.returncode == 3, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["acc", None, None, "x<script>", "msg", "7"]
    assert "not valid JSON" in rows[1]["error"] and "missing 'id'" in rows[2]["error"]
    for row in (rows[0], rows[3], rows[4], rows[5]):
        _check_shape(row)


def test_cli_all_good_exits_0_and_reads_a_file(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(COMPLAINT, ensure_ascii=False) + "\n", encoding="utf-8")
    out = run_cli("classify", str(path))
    assert out.returncode == 0 and json.loads(out.stdout)["id"] == "msg"


def test_cli_model_override_and_train_evaluate(tmp_path):
    rows = ([{"id": f"r{i}", "text": f"网传某地自来水有毒 转发提醒家人 第{i}条", "label": "rumor"} for i in range(10)]
            + [{"id": f"n{i}", "text": f"市水务局发布水质检测结果 符合国家标准 第{i}次", "label": "non-rumor"}
               for i in range(10)])
    data = tmp_path / "rumor.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    trained = run_cli("train", "--head", "rumor", "--data", str(data), "--out", str(tmp_path / "m"))
    assert trained.returncode == 0, trained.stderr
    evaluated = json.loads(run_cli("evaluate", "--model", str(tmp_path / "m"), "--data", str(data)).stdout)
    assert set(evaluated) >= {"macro_f1", "accuracy", "n", "per_class"} and evaluated["n"] == 20
    item = {"id": "q", "text": "网传某地自来水有毒 转发提醒家人"}
    out = run_cli("classify", "--model", f"rumor={tmp_path / 'm'}", "-", input=json.dumps(item, ensure_ascii=False))
    assert json.loads(out.stdout)["rumor"]["is_rumor"] is True
    bad = run_cli("classify", "--model", "nosuchhead=/tmp", "-", input="")
    assert bad.returncode == 2 and "unknown head" in bad.stderr


def test_promoted_version_is_picked_up_without_restart(tmp_path, classifier):
    from classifiers import registry
    var = tmp_path / "var"
    live = Classifier(var=var)
    assert live.refresh() == []
    target = registry.register(var, registry.shipped_dir("rumor"))
    registry.promote(var, "rumor", target.name)
    assert live.refresh() == ["rumor"] and live.models["rumor"].directory == target
    out = run_cli("model", "list", env={"YUQING_VAR": str(var)})
    assert f"* rumor          {target.name}  registry" in out.stdout
    assert run_cli("model", "rollback", "rumor", env={"YUQING_VAR": str(var)}).returncode == 2  # nothing earlier


def test_a_trained_concern_model_replaces_the_rules(tmp_path):
    rows = ([{"id": f"a{i}", "text": f"市政府常务会议审议通过实施方案 第{i}次", "label": "重要决策部署"} for i in range(10)]
            + [{"id": f"b{i}", "text": f"小区停车费上涨 业主投诉 第{i}次", "label": "公众切身利益"} for i in range(10)])
    data = tmp_path / "concern.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert run_cli("train", "--head", "concern", "--data", str(data), "--out", str(tmp_path / "c")).returncode == 0
    item = {"id": "q", "text": "市政府常务会议审议通过实施方案"}
    out = run_cli("classify", "--model", f"concern={tmp_path / 'c'}", "-", input=json.dumps(item, ensure_ascii=False))
    result = json.loads(out.stdout)
    assert result["concern"] == "重要决策部署" and result["explain"]["concern"] == ["concern model"]
