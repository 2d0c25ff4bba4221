"""Privacy and secrecy review: what is found, what blocks, what masking leaves."""

from responders.config import load
from responders.review import blocking, check, mask, person_names


def _kinds(text, case=None):
    return sorted({(f.kind, f.severity) for f in check(text, case or {"facts": {}}, load())})


def test_personal_numbers_and_flat_addresses_block():
    text = "当事人身份证号510423199001011234，手机139 1234 5678，住幸福小区3栋2单元502室。"
    assert _kinds(text) == [("address", "block"), ("id_card", "block"), ("mobile", "block")]


def test_public_landlines_and_names_are_warnings():
    text = "死者张建国（男，45岁）系本市人。如有疑问请拨打0731-88889999咨询。"
    kinds = _kinds(text)
    assert ("landline", "warn") in kinds and ("person", "warn") in kinds
    assert person_names(text) == ["张建国"]
    assert person_names(text, public=("张建国",)) == []


def test_secrecy_marks_and_placeholders_block():
    assert ("secrecy", "block") in _kinds("本通报为内部资料，不得外传。")
    assert _kinds("经初步核实，【待核实：伤亡人数】。") == [("placeholder", "block")]


def test_figures_are_flagged_until_the_unit_verifies_them():
    facts = {"deaths": 12, "injured": 5}
    text = "经初步核实，事故造成12人死亡，5人受伤，直接经济损失约3000万元。"
    assert [f.text for f in check(text, {"facts": facts}, load()) if f.kind == "figure"] == \
        ["12人死亡", "5人受伤", "3000万元"]
    verified = {"facts": facts, "figures_verified": {"by": "应急局", "facts": facts}}
    assert not [f for f in check(text, verified, load()) if f.kind == "figure"]
    changed = dict(verified, facts={"deaths": 15, "injured": 5})        # figures moved after verification
    assert [f for f in check(text, changed, load()) if f.kind == "figure"]


def test_mask_deidentifies_and_leaves_ordinary_text_alone():
    text = ("村民李明华在家中受伤，身份证号510423199001011234，电话13912345678，住幸福小区3栋2单元502室。"
            "市应急管理局局长在发布会上介绍，救援工作正在进行。{{ config }}<b>")
    masked = mask(text)
    assert "李某" in masked and "李明华" not in masked
    assert "510" + "*" * 13 + "34" in masked and "139****5678" in masked
    assert "3栋2单元502室" not in masked and "幸福小区" in masked
    assert "市应急管理局局长在发布会上介绍，救援工作正在进行。{{ config }}<b>" in masked
    assert not blocking(check(masked.replace("{{ config }}<b>", ""), {"facts": {}}, load()))
    assert mask("网民反映路灯不亮") == "网民反映路灯不亮"
