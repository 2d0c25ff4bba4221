"""The compliance ledger for 督查/考核: per case and milestone, the deadline, when it was met, on
time or late by how much; on-time rates per unit for a month (by T0, Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline.items import SHANGHAI

DONE_FIELD = {"release": "first_release_at", "press_conference": "press_conference_at",
              "response": "first_release_at"}
NAMES = {"release": "权威信息发布（5小时）", "press_conference": "新闻发布会（24小时）", "response": "回应关切（48小时）"}
STATE_NAMES = {"on_time": "按时", "late": "超时", "missed": "超时未完成", "pending": "未到期"}


def month_of(case: dict[str, Any]) -> str:
    return datetime.fromisoformat(case["t0"]).astimezone(SHANGHAI).strftime("%Y-%m")


def rows(case: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """One ledger row per milestone of the case."""
    out = []
    for name, deadline_iso in case["deadlines"].items():
        deadline = datetime.fromisoformat(deadline_iso)
        done_iso = case.get(DONE_FIELD[name])
        done = datetime.fromisoformat(done_iso) if done_iso else None
        if done is not None:
            late = max(0, int((done - deadline).total_seconds() // 60))
            state = "late" if done > deadline else "on_time"
        elif now > deadline and case.get("status") != "已关闭":
            late, state = int((now - deadline).total_seconds() // 60), "missed"
        else:
            late, state = 0, "pending"
        out.append({"case_id": case["id"], "title": case.get("title", ""), "unit": case.get("unit"),
                    "kind": case.get("kind", "incident"), "level": case.get("level"), "milestone": name,
                    "t0": case["t0"], "deadline": deadline_iso, "done_at": done_iso, "state": state,
                    "late_minutes": late})
    return out


def report(cases: list[dict[str, Any]], month: str, now: datetime) -> dict[str, Any]:
    ledger = [r for c in cases if month_of(c) == month for r in rows(c, now)]
    by_unit: dict[str, dict[str, Any]] = {}
    for r in ledger:
        u = by_unit.setdefault(r["unit"] or "-", {"on_time": 0, "late": 0, "missed": 0, "pending": 0})
        u[r["state"]] += 1
    for u in list(by_unit.values()) + [overall := {k: sum(u[k] for u in by_unit.values())
                                                   for k in ("on_time", "late", "missed", "pending")}]:
        judged = u["on_time"] + u["late"] + u["missed"]
        u["on_time_rate"] = round(u["on_time"] / judged, 4) if judged else None
    return {"month": month, "generated_at": now.isoformat(), "rows": ledger, "by_unit": by_unit, "overall": overall}


def format_text(rep: dict[str, Any]) -> str:
    def rate(v):
        return "—" if v is None else f"{v:.0%}"

    lines = [f"政务舆情回应时效考核 {rep['month']}", ""]
    if not rep["rows"]:
        lines.append("本月无案例。")
    for r in rep["rows"]:
        deadline = datetime.fromisoformat(r["deadline"]).astimezone(SHANGHAI)
        done = datetime.fromisoformat(r["done_at"]).astimezone(SHANGHAI).strftime("%m-%d %H:%M") if r["done_at"] else "—"
        late = f"，超时{r['late_minutes'] // 60}小时{r['late_minutes'] % 60}分" if r["late_minutes"] else ""
        lines.append(f"{r['case_id']}  {r['unit']}  {NAMES[r['milestone']]}  时限 {deadline:%m-%d %H:%M}  "
                     f"完成 {done}  {STATE_NAMES[r['state']]}{late}")
    lines += ["", "按单位："]
    for unit, u in sorted(rep["by_unit"].items()):
        lines.append(f"  {unit}：按时{u['on_time']}，超时{u['late'] + u['missed']}，未到期{u['pending']}，"
                     f"按时率 {rate(u['on_time_rate'])}")
    o = rep["overall"]
    lines.append(f"合计：按时{o['on_time']}，超时{o['late'] + o['missed']}，未到期{o['pending']}，按时率 {rate(o['on_time_rate'])}")
    return "\n".join(lines)
