import pytest

from pipeline.errors import StartupError
from pipeline.rules import fired, load, yuqing_level


def test_heat_levels_from_configuration():
    config = load()
    assert yuqing_level({"items": 60}, config) == "重大"
    assert yuqing_level({"items": 3, "spike": 6}, config) == "较大"
    assert yuqing_level({"items": 1, "spike": 1, "engagement": 0}, config) == "一般"


def test_alert_reasons_name_the_rules_that_held():
    config = load()
    event = {"incident": {"type": "事故灾难", "level": "重大"}, "rumor_score": 0.1, "yuqing_level": "一般",
             "schemes": ["安全生产事故"], "concern": "突发事件与灾害", "items": 1}
    reasons = fired(event, config)
    assert reasons == ["突发事件：事故灾难 重大", "监测方案命中：方案 安全生产事故"]
    calm = {"incident": {"level": None}, "rumor_score": 0.2, "yuqing_level": "一般", "schemes": [],
            "concern": "公众切身利益", "items": 1}
    assert fired(calm, config) == []
    assert fired({**calm, "rumor_score": 0.95}, config) == ["谣言：谣言分 0.95"]


def test_operator_rules_file_is_checked(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("heat: {window_s: 1, baseline_s: 1, levels: {}}\nalerts:\n  - name: x\n    when: {colour: red}\n",
                   encoding="utf-8")
    with pytest.raises(StartupError, match="unknown: colour"):
        load(str(bad))
