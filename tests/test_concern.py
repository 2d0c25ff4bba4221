from classifiers.concern import config, decide


def test_heads_decide_first():
    assert decide("某地发生爆炸", is_rumor=True, is_incident=True)["label"] == "不实信息"
    assert decide("某地发生爆炸", is_rumor=False, is_incident=True)["label"] == "突发事件与灾害"


def test_keyword_rules_record_matched_terms():
    out = decide("小区物业乱收停车费，业主投诉无果", False, False)
    assert out["label"] == "公众切身利益" and "物业" in out["because"]
    assert decide("网传幼儿园老师虐童", False, False)["label"] == "民生道德底线"
    assert decide("市政府召开常务会议，审议通过实施方案", False, False)["label"] == "重要决策部署"
    assert decide("反映街道办工作人员推诿敷衍", False, False)["label"] == "政府形象公信力"
    assert decide("今天天气晴朗", False, False) == {"label": "其他", "because": []}


def test_every_rule_label_is_a_contract_label():
    labels = set(config()["labels"])
    assert labels == {"重要决策部署", "公众切身利益", "政府形象公信力", "突发事件与灾害", "民生道德底线", "不实信息", "其他"}
    assert all(rule["label"] in labels for rule in config()["rules"])
