"""Release drafts (情况通报) rendered from Jinja2 templates in a sandbox.

Crawled text is data, never template: it only ever arrives as a variable, the
environment is sandboxed with StrictUndefined, and drafts are plain text (the
dashboard escapes them when it shows them). Operators override templates by
putting ``drafts/<name>.txt.j2`` in their templates folder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from pipeline.items import SHANGHAI
from pipeline.templating import loader

TYPE_PHRASES = {"事故灾难": "安全事故", "自然灾害": "自然灾害", "公共卫生事件": "突发公共卫生事件",
                "社会安全事件": "社会安全事件"}
MEASURES = {
    "事故灾难": "伤者已送医救治，现场救援和善后工作正有序进行。",
    "自然灾害": "受灾群众已妥善转移安置，抢险救灾工作正有序进行。",
    "公共卫生事件": "患者已送医救治，流行病学调查和防控工作正有序进行。",
    "社会安全事件": "公安机关已依法处置，现场秩序已恢复，相关工作正有序进行。",
}


def environment(templates_dir: str = "") -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=loader(templates_dir), undefined=StrictUndefined, autoescape=False,
                                keep_trailing_newline=True)


def _casualties(incident: dict[str, Any]) -> str:
    parts = []
    if incident.get("deaths") is not None:
        parts.append(f"造成{incident['deaths']}人死亡" if incident["deaths"] else "未造成人员死亡")
    if incident.get("injured"):
        parts.append(f"{incident['injured']}人受伤")
    return "，".join(parts) if parts else "人员伤亡情况【待核实】"


def incident_context(case: dict[str, Any], event: dict[str, Any], now: datetime) -> dict[str, Any]:
    incident = event.get("incident") or {}
    occurred = incident.get("occurred_at")
    when = datetime.fromisoformat(occurred).astimezone(SHANGHAI) if occurred else None
    explain_estimated = event.get("level_estimated", False)
    return {
        "place": (event.get("region") or {}).get("place"),
        "type_phrase": TYPE_PHRASES.get(incident.get("type"), "突发事件"),
        "when_phrase": f"{when.month}月{when.day}日{when.hour}时许" if when else "【待核实：时间】",
        "unit": case["unit"],
        "casualties": _casualties(incident),
        "missing": incident.get("missing"),
        "measures": MEASURES.get(incident.get("type"), "相关处置工作正有序进行。"),
        "date_phrase": f"{now.astimezone(SHANGHAI):%Y年%-m月%-d日}",
        "title": event.get("title", ""),
        "level": incident.get("level") or "【待核实】",
        "estimated": explain_estimated,
    }


def render(name: str, context: dict[str, Any], templates_dir: str = "") -> str:
    return environment(templates_dir).get_template(f"drafts/{name}.txt.j2").render(**context)
