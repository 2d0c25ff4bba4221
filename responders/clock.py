"""The case clock: reminders, breaches, escalation and 续报, derived from the case itself.

Nothing is kept in process memory. Every timer is a step computed from the
case document (T0, opening time, acknowledgement, releases) and the
configuration; a step that fired is recorded in the case's ``fired`` map, and
the time of the next step is the case's score in ``cases:due``. A restarted
scheduler (or Redis, from its AOF) therefore rebuilds every timer by reading
the cases back, and a step fires once because the record is written in the
same transaction as its effects.

When several reminders of one kind are due at once (a case opened late, or
the scheduler was down), only the latest is sent; a breach supersedes the
reminders before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pipeline.items import SHANGHAI

CLOSED = "已关闭"


@dataclass(frozen=True)
class Step:
    at: datetime
    key: str
    kind: str          # remind | breach | escalate | followup
    group: str         # release | press_conference | response | ack | overdue | followup
    role: str | None = None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _repeats(start: datetime, period: timedelta, now: datetime, key: str, kind: str, group: str,
             role: str) -> list[Step]:
    """The latest repeat due by ``now`` (if any) and the next one: repeats never pile up."""
    if period <= timedelta(0):
        return []
    k = max(0, int((now - start) / period)) if now >= start else 0
    return [Step(start + n * period, f"{key}:{n}", kind, group, role) for n in (k, k + 1) if n >= 1]


def plan(case: dict[str, Any], cfg: dict[str, Any], now: datetime) -> list[Step]:
    """Every step this case can still take, fired or not."""
    if case.get("status") == CLOSED:
        return []
    t0 = datetime.fromisoformat(case["t0"])
    chain = cfg["escalation"]["chain"]
    steps: list[Step] = []
    deadlines = {k: datetime.fromisoformat(v) for k, v in case["deadlines"].items()}
    pending = {"release": case.get("first_release_at") is None,
               "press_conference": case.get("press_conference_at") is None,
               "response": case.get("first_release_at") is None}
    for group, deadline in deadlines.items():
        if not pending.get(group):
            continue
        for hours in cfg["reminders"].get(f"{group}_hours") or []:
            at = t0 + timedelta(hours=hours)
            if at < deadline:
                steps.append(Step(at, f"remind:{group}:{hours:g}", "remind", group))
        top = chain[0] if group == "response" else chain[-1]
        steps.append(Step(deadline, f"breach:{group}", "breach", group, top))
    esc = cfg["escalation"]
    if case.get("kind") == "incident" and case.get("acked_at") is None:
        opened = datetime.fromisoformat(case.get("clock_from") or case["opened_at"])
        first = opened + timedelta(minutes=esc["ack_minutes"])
        for n, role in enumerate(chain):
            steps.append(Step(first + timedelta(minutes=n * esc["step_minutes"]), f"escalate:{n}", "escalate",
                              "ack", role))
        last = first + timedelta(minutes=(len(chain) - 1) * esc["step_minutes"])
        steps += _repeats(last, timedelta(minutes=esc["repeat_minutes"]), now, "repeat-ack", "escalate", "ack",
                          chain[-1])
    breached = (case.get("fired") or {}).get("breach:release")
    if breached and case.get("first_release_at") is None:
        steps += _repeats(datetime.fromisoformat(breached["at"]), timedelta(minutes=esc["repeat_minutes"]), now,
                          "repeat-overdue", "escalate", "overdue", chain[-1])
    releases = case.get("releases") or []
    if releases and case.get("grown_since_release"):
        last = datetime.fromisoformat(releases[-1]["at"])
        steps.append(Step(last + timedelta(hours=cfg["milestones"]["followup_hours"]), f"followup:{len(releases)}",
                          "followup", "followup"))
    return steps


def _left(deadline: datetime, now: datetime) -> str:
    minutes = int((deadline - now).total_seconds() // 60)
    if minutes < 0:
        return f"已超时{-minutes // 60}小时{-minutes % 60}分"
    return f"剩余{minutes // 60}小时{minutes % 60}分"


GROUP_NAMES = {"release": "发布权威信息", "press_conference": "举行新闻发布会", "response": "回应关切"}


def _notice(case: dict[str, Any], step: Step, now: datetime, cfg: dict[str, Any]) -> dict[str, Any]:
    urgent = case.get("level") in cfg["notifications"]["urgent_levels"]
    head = f"【{case.get('level') or '舆情'}·{case.get('type') or '回应关切'}】{case.get('title', '')[:40]}"
    local = now.astimezone(SHANGHAI).strftime("%m月%d日%H:%M")
    roles = ["值班员"]
    if step.kind == "remind":
        deadline = datetime.fromisoformat(case["deadlines"][step.group])
        subject = f"{head} {GROUP_NAMES[step.group]}时限提醒：{_left(deadline, now)}"
    elif step.kind == "breach":
        subject = f"{head} 已超过{GROUP_NAMES[step.group]}时限"
        roles.append(step.role or "")
    elif step.kind == "escalate":
        why = "未在规定时间内确认" if step.group == "ack" else "超时未发布权威信息"
        subject = f"{head} {why}，升级至{step.role}"
        roles = [step.role or ""]
    else:
        subject = f"{head} 事件仍在发展，请起草续报"
    deadline = case["deadlines"].get("release") or case["deadlines"].get("response")
    body = "\n".join([
        subject, "",
        f"案例：{case['id']}（{case.get('status')}）", f"责任单位：{case.get('unit')}",
        f"起始时间（T0）：{datetime.fromisoformat(case['t0']).astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
        f"时限：{datetime.fromisoformat(deadline).astimezone(SHANGHAI):%Y-%m-%d %H:%M}（{_left(datetime.fromisoformat(deadline), now)}）",
        f"通知时间：{local}",
    ])
    return {"id": f"{case['id']}:{step.key}", "case_id": case["id"], "kind": step.kind, "roles": roles,
            "subject": subject, "body": body, "urgent": urgent, "created_at": now.isoformat()}


def advance(case: dict[str, Any], cfg: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Fire the steps due by ``now`` on ``case`` (in place); return the notices they raise."""
    fired = case.setdefault("fired", {})
    due = sorted((s for s in plan(case, cfg, now) if s.at <= now and s.key not in fired), key=lambda s: s.at)
    notices = []
    for step in due:
        later_same_group = any(o.group == step.group and o.at > step.at and o.kind in ("remind", "breach")
                               for o in due)
        if step.kind == "remind" and later_same_group:
            fired[step.key] = {"at": now.isoformat(), "skipped": True}
            continue
        if step.kind == "escalate" and step.group == "ack" and any(
                o.group == "ack" and o.at > step.at for o in due):
            fired[step.key] = {"at": now.isoformat(), "skipped": True}
            continue
        fired[step.key] = {"at": now.isoformat()}
        history = case.setdefault("history", [])
        if step.kind == "breach":
            case.setdefault("breaches", {})[step.group] = now.isoformat()
            history.append({"at": now.isoformat(), "by": "系统", "action": "breach", "detail": GROUP_NAMES[step.group]})
            if step.group in ("release", "response"):
                case["escalated_to"] = step.role
                history.append({"at": now.isoformat(), "by": "系统", "action": "escalate",
                                "detail": f"超时，升级至{step.role}"})
        elif step.kind == "escalate":
            case["escalated_to"] = step.role
            history.append({"at": now.isoformat(), "by": "系统", "action": "escalate",
                            "detail": f"{'未确认' if step.group == 'ack' else '仍未发布'}，升级至{step.role}"})
        elif step.kind == "remind":
            history.append({"at": now.isoformat(), "by": "系统", "action": "remind",
                            "detail": f"{GROUP_NAMES[step.group]}提醒"})
        else:
            history.append({"at": now.isoformat(), "by": "系统", "action": "followup_due", "detail": "续报到期"})
        notices.append(_notice(case, step, now, cfg))
    return notices


def next_due(case: dict[str, Any], cfg: dict[str, Any], now: datetime) -> datetime | None:
    fired = case.get("fired") or {}
    upcoming = [s.at for s in plan(case, cfg, now) if s.key not in fired]
    return min(upcoming) if upcoming else None
