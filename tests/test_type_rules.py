"""Type rules: texts written for the tests, never rows of the data sets."""

import pytest
import yaml

from classifiers.classify import Classifier
from classifiers.type_rules import INCIDENT_TYPES, decide, parse, rules
from pipeline.errors import StartupError
from pipeline.items import normalise


def test_works_explosion_read_as_an_attack_becomes_an_accident():
    kind, why = decide("某县烟花爆竹厂发生爆炸，造成5人死亡", "社会安全事件")
    assert kind == "事故灾难"
    assert why["rule"] == "生产安全爆炸" and why["model"] == "社会安全事件"
    assert "爆炸" in why["matched"]["event"] and "烟花" in why["matched"]["subject"]


def test_an_attack_stays_an_attack():
    assert decide("某化工厂门口发生炸弹袭击，3人死亡", "社会安全事件") == ("社会安全事件", None)
    assert decide("某地发生爆炸，原因不明", "社会安全事件") == ("社会安全事件", None)  # no works named


def test_violence_by_people_is_social_security_not_an_accident():
    kind, why = decide("一辆公交车被人纵火，造成多人死亡", "事故灾难")
    assert kind == "社会安全事件" and why["matched"]["event"] == ["纵火"]
    # a report that rules the attack out is left to the head
    assert decide("警方初步排除人为投毒，事件原因仍在调查", "公共卫生事件") == ("公共卫生事件", None)


def test_replaces_limits_which_model_types_a_rule_may_change():
    # the explosion rule corrects only 社会安全事件; an earthquake-triggered gas explosion keeps its type
    assert decide("地震导致燃气管道爆炸", "自然灾害") == ("自然灾害", None)


def test_shipped_rules_load_and_name_only_incident_types():
    loaded = rules()
    assert loaded and all(r.type in INCIDENT_TYPES for r in loaded)
    assert all(set(r.replaces) <= set(INCIDENT_TYPES) for r in loaded)


@pytest.mark.parametrize("rule, message", [
    ({"name": "x", "type": "车祸", "event": ["撞"]}, "'车祸' is not an incident type"),
    ({"name": "x", "type": "事故灾难", "replaces": ["其他"], "event": ["撞"]}, "'其他' is not an incident type"),
    ({"name": "x", "type": "事故灾难", "region": ["某县"], "event": ["撞"]}, "subject, event and exclude only"),
    ({"name": "x", "type": "事故灾难"}, "lists no region, subject or event terms"),
    ({"name": "x", "type": "事故灾难", "event": ["re:(撞"]}, "bad regular expression"),
])
def test_bad_rules_are_refused_with_a_clear_error(rule, message):
    with pytest.raises(StartupError, match=message):
        parse({"rules": [rule]}, "rules.yaml")
    with pytest.raises(StartupError, match="list under 'rules'"):
        parse(yaml.safe_load("rules: nope"), "rules.yaml")


def test_classifier_applies_the_rules_and_explains_them():
    classifier = Classifier()
    item = normalise({"id": "x", "title": "某市化工厂爆炸 已致12人死亡", "text": ""})
    (with_rules,) = classifier.classify([item])
    classifier.type_rules = ()
    (model_only,) = classifier.classify([item])
    assert with_rules["incident"]["is_incident"] and with_rules["incident"]["type"] == "事故灾难"
    # the explanation is there exactly when the rule changed the head's type, and names that type
    changed = model_only["incident"]["type"] != "事故灾难"
    assert ("incident_type" in with_rules["explain"]) == changed
    assert with_rules["explain"].get("incident_type", {}).get("model", "事故灾难") == model_only["incident"]["type"]
    # graded by the production-safety tiers, not estimated by analogy
    assert with_rules["explain"]["severity"]["scheme"] == "default"
    assert with_rules["explain"]["severity"]["estimated"] is False and with_rules["incident"]["level"] == "重大"
