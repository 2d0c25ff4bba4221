"""Secrecy and privacy review of a draft (保密审查、个人隐私), before it can be approved or signed.

``check`` lists findings; ``block`` ones stop approval and sign-off until the
text is fixed, ``warn`` ones are shown to the reviewer and recorded with the
decision. ``mask`` de-identifies crawled text before it reaches an automatic
draft (个人信息保护法 art 25; 2018 要点: personal data de-identified when
published): ID-card and mobile numbers, the flat part of a home address and
the given names of private persons (张某).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏"
    "席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_NOT_NAME_END = set("在说等称表被因向和与的了于将已从到对把是为也都就还又所以及均曾仍")
_PLACE_END = set("省市县区镇乡村街路道州盟旗港湾河江湖山")
_CUE = ("死者|伤者|遇难者|患者|病人|驾驶员|司机|当事人|犯罪嫌疑人|嫌疑人|男子|女子|村民|居民|网民|业主|市民|学生|工人"
        "|老人|孩子|家属|举报人|投诉人|来信人|留言人|失联人员|遇难人员")

ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                     r"(?![0-9A-Za-z])|(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<![\d-])0\d{2,3}-\d{7,8}(?!\d)")
FLAT = re.compile(r"\d+\s*(?:栋|幢|号楼|座)(?:\s*\d+\s*单元)?(?:\s*\d+\s*(?:室|号房|户))?|\d+\s*单元\s*\d+\s*(?:室|号房|户)")
NAME_BY_CUE = re.compile(rf"(?:{_CUE})([\u4e00-\u9fa5]{{2,3}})")
NAME_BY_AGE = re.compile(r"([\u4e00-\u9fa5]{2,3})[（(](?:男|女)?[，,、]?\s*\d{1,3}岁")
FIGURE = re.compile(r"\d[\d,.]*\s*(?:余|多)?\s*(?:人(?:死亡|遇难|受伤|失联|失踪|重伤|轻伤)|万元|亿元|名(?:死者|伤者|遇难者))")
PLACEHOLDER = re.compile(r"【待[^】]*】")


@dataclass(frozen=True)
class Finding:
    kind: str       # id_card | mobile | landline | address | person | secrecy | placeholder | figure
    severity: str   # block | warn
    text: str
    message: str


def _name(candidate: str) -> str | None:
    """The private person's name at the start of ``candidate`` (2–3 characters), if it looks like one."""
    if len(candidate) == 3 and candidate[2] in _NOT_NAME_END:
        candidate = candidate[:2]
    if candidate[0] not in SURNAMES or candidate.endswith("某") or candidate[-1] in _PLACE_END:
        return None
    if any(c in _NOT_NAME_END for c in candidate[1:]):
        return None
    return candidate


def person_names(text: str, public: tuple[str, ...] = ()) -> list[str]:
    found = []
    for pattern in (NAME_BY_CUE, NAME_BY_AGE):
        for m in pattern.finditer(text):
            name = _name(m.group(1))
            if name and name not in public and name not in found:
                found.append(name)
    return found


def _mask_digits(s: str, keep_head: int, keep_tail: int) -> str:
    digits = [i for i, c in enumerate(s) if c.isalnum()]
    hide = set(digits[keep_head:len(digits) - keep_tail])
    return "".join("*" if i in hide else c for i, c in enumerate(s))


def mask(text: str, public: tuple[str, ...] = ()) -> str:
    """De-identify: ID-card and mobile numbers, flat numbers of addresses, private persons' given names."""
    text = ID_CARD.sub(lambda m: _mask_digits(m.group(), 3, 2), text)
    text = MOBILE.sub(lambda m: _mask_digits(m.group(), 3, 4), text)
    text = FLAT.sub("（门牌号已隐去）", text)
    for name in person_names(text, public):
        text = text.replace(name, name[0] + "某")
    return text


def check(text: str, case: dict[str, Any], cfg: dict[str, Any]) -> list[Finding]:
    """Findings of the secrecy and privacy review of ``text`` for ``case``."""
    public = tuple(cfg.get("public_names") or ())
    out: list[Finding] = []
    for term in cfg.get("secrecy_terms") or []:
        if term in text:
            out.append(Finding("secrecy", "block", term, f"含涉密或内部标识“{term}”，须删除并按保密规定处理"))
    for m in ID_CARD.finditer(text):
        out.append(Finding("id_card", "block", m.group(), "含身份证号码，须删除或隐去"))
    for m in MOBILE.finditer(text):
        out.append(Finding("mobile", "block", m.group(), "含手机号码，须删除或隐去"))
    for m in LANDLINE.finditer(text):
        out.append(Finding("landline", "warn", m.group(), "含固定电话号码：如非公开的咨询电话，须删除"))
    for m in FLAT.finditer(text):
        out.append(Finding("address", "block", m.group(), "含具体住址（楼栋、单元、门牌），须隐去"))
    for name in person_names(text, public):
        out.append(Finding("person", "warn", name, f"疑似普通个人姓名“{name}”，应写作“{name[0]}某”"))
    for m in PLACEHOLDER.finditer(text):
        out.append(Finding("placeholder", "block", m.group(), "尚有待核实内容，须填写或删除"))
    verified = case.get("figures_verified") or None
    if verified is None or verified.get("facts") != case.get("facts"):
        for m in FIGURE.finditer(text):
            out.append(Finding("figure", "warn", m.group(), "数字尚未经人工核实（须以责任单位核实数字为准）"))
    return out


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "block"]


def as_dicts(findings: list[Finding]) -> list[dict[str, str]]:
    return [asdict(f) for f in findings]
