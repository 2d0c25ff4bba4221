"""Release drafts rendered from Jinja2 templates in a sandbox.

Crawled text is data, never template: it only ever arrives as a variable, the
environment is sandboxed with StrictUndefined, and drafts are plain text (the
dashboard and the HTML export escape them). Personal data is masked before it
reaches a template. Facts the system cannot know stay as visible 【待核实：…】
placeholders; signing is refused while one is left. Operators override any
template by putting ``drafts/<name>.txt.j2`` in their templates folder.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from pipeline.items import SHANGHAI
from pipeline.templating import loader

from .review import mask

DRAFT_KINDS = {"incident": "情况通报", "followup": "续报", "rebuttal": "辟谣", "response": "回应关切"}
TYPE_TEMPLATES = {"事故灾难": "accident", "自然灾害": "natural_disaster", "公共卫生事件": "public_health",
                  "社会安全事件": "social_security"}
TYPE_PHRASES = {"事故灾难": "安全事故", "自然灾害": "自然灾害", "公共卫生事件": "突发公共卫生事件",
                "社会安全事件": "社会安全事件"}
MEASURES = {
    "事故灾难": "伤者已送医救治，现场救援和善后工作正有序进行。",
    "自然灾害": "受灾群众已妥善转移安置，抢险救灾工作正有序进行。",
    "公共卫生事件": "患者已送医救治，流行病学调查和防控工作正有序进行。",
    "社会安全事件": "公安机关已依法处置，现场秩序已恢复，相关工作正有序进行。",
}


# What kind of accident or disaster the title names, most specific first (for "发生一起…").
EVENT_WORDS = ("瓦斯爆炸", "煤尘爆炸", "透水", "冒顶", "坍塌", "垮塌", "爆炸", "火灾", "道路交通", "交通事故", "侧翻", "追尾",
               "沉船", "翻沉", "坠落", "泄漏", "中毒", "窒息", "触电", "地震", "泥石流", "山体滑坡", "滑坡", "洪涝",
               "洪水", "暴雨", "台风", "冰雹", "干旱", "森林火灾", "疫情", "食物中毒", "传染病")


def event_phrase(title: str) -> str | None:
    for word in EVENT_WORDS:
        if word in title:
            return word
    return None


@lru_cache(maxsize=8)
def environment(templates_dir: str = "") -> SandboxedEnvironment:
    """One environment per templates folder and process (templates compile once; Jinja2 still reloads
    a template whose file changed, so operators' edits are picked up)."""
    return SandboxedEnvironment(loader=loader(templates_dir), undefined=StrictUndefined, autoescape=False,
                                keep_trailing_newline=True)


def _casualties(facts: dict[str, Any]) -> str:
    parts = []
    if facts.get("deaths") is not None:
        parts.append(f"造成{facts['deaths']}人死亡" if facts["deaths"] else "未造成人员死亡")
    if facts.get("injured"):
        parts.append(f"{facts['injured']}人受伤")
    return "，".join(parts) if parts else "人员伤亡情况【待核实：伤亡人数】"


def _loss(facts: dict[str, Any]) -> str:
    loss = facts.get("economic_loss_yuan")
    if not loss:
        return ""
    return f"直接经济损失约{loss / 1e8:g}亿元" if loss >= 1e8 else f"直接经济损失约{loss / 1e4:g}万元"


def _local(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(SHANGHAI) if value else None


def context(case: dict[str, Any], event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Everything a template may use; text from crawled items is masked plain data."""
    incident = case.get("incident") or event.get("incident") or {}
    when = _local(incident.get("occurred_at"))
    first_seen = _local(case.get("t0"))
    local_now = now.astimezone(SHANGHAI)
    releases = case.get("releases") or []
    return {
        "place": mask((case.get("region") or {}).get("place") or "") or None,
        "type": incident.get("type"),
        "type_phrase": TYPE_PHRASES.get(incident.get("type"), "突发事件"),
        "when_phrase": f"{when.month}月{when.day}日{when.hour}时许" if when else "【待核实：发生时间】",
        "first_seen_phrase": f"{first_seen.month}月{first_seen.day}日" if first_seen else "近日",
        "now_phrase": f"{local_now.month}月{local_now.day}日{local_now.hour}时",
        "unit": case["unit"],
        "casualties": _casualties(incident),
        "missing": incident.get("missing"),
        "loss": _loss(incident),
        "measures": MEASURES.get(incident.get("type"), "相关处置工作正有序进行。"),
        "date_phrase": f"{local_now:%Y年%-m月%-d日}",
        "title": mask(case.get("title") or event.get("title") or ""),
        "what": (what := event_phrase(case.get("title") or event.get("title") or "")),
        "accident_phrase": (what if what.endswith("事故") else what + "事故") if what else "【待核实：事故类别】事故",
        "level": incident.get("level") or "",
        "estimated": bool(case.get("level_estimated")),
        "release_number": len(releases) + 1,
        "sources": list(case.get("sources") or []),
    }


def template_name(kind: str, case: dict[str, Any]) -> str:
    if kind == "incident":
        kind_of = case.get("type") or (case.get("incident") or {}).get("type") or ""
        return TYPE_TEMPLATES.get(kind_of, "incident")
    return kind


def render(name: str, ctx: dict[str, Any], templates_dir: str = "") -> str:
    return environment(templates_dir).get_template(f"drafts/{name}.txt.j2").render(**ctx)


def draft_for(kind: str, case: dict[str, Any], event: dict[str, Any], now: datetime, templates_dir: str = "") -> str:
    """The automatic draft of this kind (情况通报 by type, 续报, 辟谣, 回应关切) for the case."""
    if kind not in DRAFT_KINDS:
        raise ValueError(f"unknown draft kind {kind!r}; one of {', '.join(DRAFT_KINDS)}")
    return render(template_name(kind, case), context(case, event, now), templates_dir)
