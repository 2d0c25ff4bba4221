"""Incident severity: casualties, loss and time read from the text, graded by the national tiers.

Figures are read with patterns over numbers as Chinese news writes them;
when a report updates a figure (已上升至 …) the largest stated figure wins,
since tolls only rise (a part introduced by 其中 is never larger than its
total). A report of no casualties (无人员伤亡) gives 0. Tiers per incident
type live in ``data/severity.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from pipeline.items import SHANGHAI

from .numbers import NUMBER, normalise_digits, to_number

LEVELS = ("特别重大", "重大", "较大", "一般")

_Q = r"(?:余|多|来)?"                       # 200余人, 130多人
_WHO = r"(?:人|名|位|个人|口)"
_GAP = r"[^，。；;,：:、\d]{0,10}?"          # 名以色列游客 / 乘客 / 村民
_PRE = r"(?:至少|超过|逾|近|约|共|共有|已有|已|计|达)?"

DEATH_WORDS = r"(?:死亡|遇难|罹难|丧生|身亡|殒命|丧命|不幸遇难|不幸身亡|被烧死|窒息死亡)"
INJURY_WORDS = r"(?:受伤|重伤|轻伤|烧伤|伤势|受轻伤|受重伤|中毒|入院治疗|送医)"
MISSING_WORDS = r"(?:失踪|失联|下落不明)"

_DEATHS = [
    re.compile(rf"{_PRE}(?P<n>{NUMBER}){_Q}{_WHO}{_GAP}(?:当场|先后|陆续|经抢救无效|抢救无效)?{DEATH_WORDS}"),
    re.compile(rf"(?:死亡|遇难|罹难)(?:人数|者|者人数)?(?:已|再|累计)?(?:上升|增加|增|升|攀升|上升到|增加到)?(?:至|到|达|为)?{_PRE}(?P<n>{NUMBER}){_Q}{_WHO}"
               rf"(?!{_GAP}(?:不同程度)?(?:{INJURY_WORDS}|{MISSING_WORDS}))"),
    re.compile(rf"(?P<n>{NUMBER}){_Q}{_WHO}?死(?:\d|[零一二两三四五六七八九十百]|$|[^亡])"),
]
_INJURED = [
    re.compile(rf"{_PRE}(?P<n>{NUMBER}){_Q}{_WHO}{_GAP}(?:不同程度)?(?P<kind>{INJURY_WORDS})"),
    re.compile(rf"(?:受伤|伤者|伤员)(?:人数)?(?:已|累计)?(?:上升|增加|升)?(?:至|到|达|为)?{_PRE}(?P<n>{NUMBER}){_Q}{_WHO}"),
    re.compile(rf"死(?:亡)?{_PRE}{NUMBER}{_Q}{_WHO}?[，、,]?(?:受)?伤(?P<n>{NUMBER}){_Q}{_WHO}?"),
    re.compile(rf"{NUMBER}{_Q}{_WHO}?死(?P<n>{NUMBER}){_Q}{_WHO}?伤"),
]
_MISSING = [
    re.compile(rf"{_PRE}(?P<n>{NUMBER}){_Q}{_WHO}{_GAP}{MISSING_WORDS}"),
    re.compile(rf"{MISSING_WORDS}(?:人数|者)?(?:已)?(?:上升|增加)?(?:至|到|达|为)?{_PRE}(?P<n>{NUMBER}){_Q}{_WHO}"),
]
_LOSS = re.compile(rf"直接(?:经济|财产)?损失(?:初步估算|初步统计|估计|预计)?(?:约|达|超过|逾|近|共|为|高达|约为)?"
                   rf"(?P<n>{NUMBER}){_Q}(?P<unit>万|亿)?(?:余|多)?元")

_TIME = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<mo>\d{1,2})月)?(?P<d>\d{1,2})日"
    r"(?P<part>凌晨|早晨|清晨|早上|上午|中午|下午|傍晚|晚上|晚间|夜间|夜里|深夜)?"
    r"(?:(?P<h>\d{1,2})[时点](?:(?P<mi>\d{1,2})分)?)?")


_NO_CASUALTIES = re.compile(r"(?:(?:无|未造成|没有造成|未有|没有|暂无|尚无|尚未有|未发现)(?:任何)?(?:人员)?(?:伤亡|死伤)"
                            r"(?!情况不详|情况尚不清楚)|(?:没有|未)受到(?:任何)?伤害)")


def _values(patterns: list[re.Pattern], text: str) -> list[int]:
    out = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            value = to_number(m.group("n"))
            if value is not None and 0 < value < 10_000_000:
                out.append(int(value))
    return out


@dataclass
class Figures:
    deaths: int | None = None
    injured: int | None = None
    missing: int | None = None
    economic_loss_yuan: int | None = None
    occurred_at: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"deaths": self.deaths, "injured": self.injured, "missing": self.missing,
                "economic_loss_yuan": self.economic_loss_yuan, "occurred_at": self.occurred_at}


def extract(text: str, published_at: datetime | None = None) -> Figures:
    """Casualties, direct loss and occurrence time stated in ``text``."""
    text = normalise_digits(text)
    figures = Figures()
    deaths = _values(_DEATHS, text)
    injured = _values(_INJURED, text)
    missing = _values(_MISSING, text)
    figures.deaths = max(deaths) if deaths else None
    figures.injured = max(injured) if injured else None
    figures.missing = max(missing) if missing else None
    if figures.deaths is None and figures.injured is None and _NO_CASUALTIES.search(text):
        figures.deaths = figures.injured = 0
    losses = []
    for m in _LOSS.finditer(text):
        value = to_number(m.group("n"))
        if value is not None:
            losses.append(int(round(value * {"万": 10_000, "亿": 100_000_000}.get(m.group("unit") or "", 1))))
    figures.economic_loss_yuan = max(losses) if losses else None
    when = occurrence_time(text, published_at)
    figures.occurred_at = when.isoformat() if when else None
    return figures


def occurrence_time(text: str, published_at: datetime | None = None) -> datetime | None:
    """The first day-and-hour the text states (X月X日X时许), completed from the publication date."""
    ref = (published_at or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    candidates = [m for m in _TIME.finditer(text[:800]) if m.group("h") or m.group("mo")]
    # A stated hour (10时43分) marks the event; a bare date may be the dateline (4月3日电).
    candidates.sort(key=lambda m: 0 if m.group("h") else 1)
    for m in candidates:
        when = _compose(m, ref)
        if when is not None:
            return when
    return None


def _compose(m: re.Match, ref: datetime) -> datetime | None:
    try:
        year = int(m.group("y") or ref.year)
        month = int(m.group("mo") or ref.month)
        hour = int(m.group("h") or 0)
        if (m.group("part") or "") in ("下午", "傍晚", "晚上", "晚间", "夜间", "夜里", "深夜") and hour < 12:
            hour += 12
        when = datetime(year, month, int(m.group("d")), min(hour, 23), int(m.group("mi") or 0), tzinfo=SHANGHAI)
        if hour == 24:
            when += timedelta(hours=1)
    except ValueError:
        return None
    if when > ref + timedelta(days=1):
        # A date later than the report belongs to the previous month (no month given: "30日")
        # or the previous year ("12月30日" read in January).
        if not m.group("mo"):
            month, year = (when.month - 1, when.year) if when.month > 1 else (12, when.year - 1)
        elif not m.group("y"):
            month, year = when.month, when.year - 1
        else:
            return when
        try:
            when = when.replace(year=year, month=month)
        except ValueError:
            return None
    return when


@lru_cache(maxsize=1)
def tiers() -> dict[str, Any]:
    text = resources.files("classifiers").joinpath("data", "severity.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _tier_for(incident_type: str | None, text: str) -> tuple[str, dict[str, Any]]:
    config = tiers()
    for name, scheme in config["schemes"].items():
        if incident_type in scheme.get("types", []):
            keywords = scheme.get("keywords")
            if keywords and not any(k in text for k in keywords):
                continue
            return name, scheme
    return "default", config["schemes"]["default"]


def grade(figures: Figures, incident_type: str | None, text: str = "") -> dict[str, Any]:
    """Level from the figures by the tiers of the incident's type; estimated when no figure decides."""
    scheme_name, scheme = _tier_for(incident_type, text)
    counts = {
        "deaths": (figures.deaths or 0) + (figures.missing or 0 if scheme.get("missing_counts_as_dead") else 0),
        "injured": figures.injured or 0,
        "economic_loss_yuan": figures.economic_loss_yuan or 0,
    }
    has_figures = any(v is not None for v in (figures.deaths, figures.injured, figures.missing,
                                              figures.economic_loss_yuan))
    for level in LEVELS[:-1]:
        floors = scheme["levels"].get(level, {})
        hit = [k for k, floor in floors.items() if counts.get(k, 0) >= floor]
        if hit:
            return {"level": level, "estimated": bool(scheme.get("estimated")), "scheme": scheme_name,
                    "because": hit}
    declared = declared_level(text)
    if declared and not has_figures:
        return {"level": declared, "estimated": True, "scheme": scheme_name, "because": ["declared in text"]}
    return {"level": "一般", "estimated": not has_figures or bool(scheme.get("estimated")),
            "scheme": scheme_name, "because": [] if has_figures else ["no figures"]}


_DECLARED = re.compile(r"(特别重大|特大|重大|较大)(?:[^，。]{0,8}?)(?:事故|灾害|事件|火灾|险情)")


def declared_level(text: str) -> str | None:
    """A grade the report itself states (…重大火灾事故): evidence when figures are missing."""
    m = _DECLARED.search(text[:400])
    if not m:
        return None
    return {"特大": "特别重大"}.get(m.group(1), m.group(1))
