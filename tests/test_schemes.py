import pytest

from classifiers.schemes import evaluate, load, parse
from pipeline.errors import StartupError


def _schemes(**scheme):
    return parse({"schemes": [{"name": "测试", **scheme}]}, "test")


def test_and_of_groups_not_of_exclusions():
    s = _schemes(region=["雅江县"], subject=["煤矿"], event=["爆炸", "re:\\d+人死亡"], exclude=["演练"])
    assert evaluate(s, "雅江县一煤矿发生爆炸，3人死亡") == [
        {"name": "测试", "matched": {"region": ["雅江县"], "subject": ["煤矿"], "event": ["爆炸", "3人死亡"]}}]
    assert evaluate(s, "雅江县一煤矿开展爆炸应急演练") == []
    assert evaluate(s, "理塘县一煤矿发生爆炸") == []


def test_empty_group_means_any():
    assert evaluate(_schemes(event=["欠薪"]), "农民工欠薪") == [{"name": "测试", "matched": {"event": ["欠薪"]}}]


@pytest.mark.parametrize("data, message", [
    ({"nope": []}, "list under 'schemes'"),
    ({"schemes": [{"subject": ["a"]}]}, "needs a 'name'"),
    ({"schemes": [{"name": "x"}]}, "lists no region"),
    ({"schemes": [{"name": "x", "event": ["re:("]}]}, "bad regular expression"),
    ({"schemes": [{"name": "x", "evnt": ["a"]}]}, "unknown key"),
])
def test_bad_configuration_says_what_is_wrong(data, message):
    with pytest.raises(StartupError, match=message):
        parse(data, "schemes.yaml")


def test_shipped_and_operator_files(tmp_path):
    assert {s.name for s in load()} >= {"安全生产事故", "拖欠农民工工资"}
    own = tmp_path / "schemes.yaml"
    own.write_text("schemes:\n  - name: 本地\n    event: [停水]\n", encoding="utf-8")
    assert [s.name for s in load(own)] == ["本地"]
    with pytest.raises(StartupError, match="cannot read"):
        load(tmp_path / "missing.yaml")


@pytest.mark.parametrize("region", [
    ["re:(?P<county>雅江|理塘)县", "甘孜州"],
    ["re:(?P<county>雅江)县", "re:(?P<county>理塘)县"],      # cannot be joined into one pattern: tested term by term
])
def test_regular_expressions_in_the_first_group_match_as_before(region):
    s = _schemes(region=region, event=["爆炸"])
    assert evaluate(s, "理塘县一煤矿发生爆炸") == [{"name": "测试", "matched": {"region": ["理塘县"], "event": ["爆炸"]}}]
    assert evaluate(s, "雅安市一煤矿发生爆炸") == []
