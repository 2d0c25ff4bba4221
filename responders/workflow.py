"""What people do to a case: acknowledge, assign, grade, edit, review, sign, publish, 续报, close.

The release workflow is 起草 → 审核 → 审签 → 已签发 → 已发布 (退回 goes back to
起草). Every step records who and when; a person cannot approve or sign a
version they wrote, and a draft with a blocking review finding (personal
data, secrecy marks, placeholders left) cannot pass 审核 or 审签. Publishing
records the time, which is what meets (or misses) the release milestone.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from jinja2 import Environment, select_autoescape
from redis import Redis

from pipeline import keys
from pipeline.errors import InputError
from pipeline.templating import loader

from . import review
from .cases import CLOSED, LEVELS, MAJOR, OPEN, Change, _log, _version, case_id, get, mutate, refresh
from .drafts import DRAFT_KINDS, draft_for

REVIEW, SIGN, SIGNED, PUBLISHED = "审核", "审签", "已签发", "已发布"
STATUSES = (OPEN, REVIEW, SIGN, SIGNED, PUBLISHED, CLOSED)


def _need(case: dict[str, Any] | None, *statuses: str) -> dict[str, Any]:
    if case is None:
        raise InputError("no such case; `yuqing cases` lists them")
    if statuses and case["status"] not in statuses:
        raise InputError(f"case {case['id']} is {case['status']}; this step needs {' or '.join(statuses)}")
    return case


def _who(by: str) -> str:
    by = (by or "").strip()
    if not by:
        raise InputError("say who acts (--by NAME); every step records who and when")
    return by


class Actions:
    """Case actions against one Redis, configuration and clock (injectable for tests)."""

    def __init__(self, conn: Redis, cfg: dict[str, Any], templates_dir: str = "", clock=None) -> None:
        self.conn, self.cfg, self.templates_dir = conn, cfg, templates_dir
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def _do(self, cid: str, fn) -> dict[str, Any]:
        now = self.clock()
        return mutate(self.conn, cid, lambda old, extra: fn(old, extra, now), self.cfg, now)

    def ack(self, cid: str, by: str) -> dict[str, Any]:
        by = _who(by)

        def fn(case, extra, now):
            _need(case)
            if case.get("acked_at"):
                return None     # a second click changes nothing
            case.update(acked_at=now.isoformat(), acked_by=by)
            _log(case, now, by, "ack", "确认接收")
            return case
        return self._do(cid, fn)

    def assign(self, cid: str, unit: str, by: str) -> dict[str, Any]:
        by, unit = _who(by), unit.strip()
        if not unit:
            raise InputError("name the unit to assign")

        def fn(case, extra, now):
            _need(case)
            case.update(unit=unit, unit_by=by)
            _log(case, now, by, "assign", f"指派{unit}")
            return case
        return self._do(cid, fn)

    def set_level(self, event_id: str, level: str, by: str, reason: str = "") -> dict[str, Any] | None:
        """An operator's grade for the event: raising it to 重大/特别重大 opens the incident case;
        lowering an incident case turns it into a 48-hour response case. Later items never undo it."""
        by = _who(by)
        if level not in LEVELS:
            raise InputError(f"level must be one of {', '.join(LEVELS)}")
        raw = self.conn.get(keys.event(event_id))
        if raw is None:
            raise InputError(f"no event {event_id}")
        event = json.loads(raw)

        def fn(case, extra, now):
            if case is None and level not in MAJOR:
                raise InputError(f"event {event_id} has no case; only 重大 or 特别重大 opens one")
            graded = {**event, "incident": {**(event.get("incident") or {}), "level": level}}
            doc = dict(case or {}, level_override=level)
            doc = refresh(doc if case else None, graded, "incident" if level in MAJOR else "response", self.cfg,
                          now, self.templates_dir, extra)
            doc["level_override"] = level
            _log(doc, now, by, "level", f"人工定级为{level}" + (f"：{reason}" if reason else ""))
            return doc
        return self._do(case_id(event_id), fn)

    def edit(self, cid: str, text: str, by: str) -> dict[str, Any]:
        by = _who(by)
        if not text.strip():
            raise InputError("the draft text is empty")

        def fn(case, extra, now):
            _need(case, OPEN)
            if text == case.get("draft"):
                return None
            extra.versions.append(_version(case, case.get("draft_kind") or "incident", text, "edit", by, now))
            case["draft_source"] = "edit"
            _log(case, now, by, "edit", f"修改草稿（第{extra.versions[-1]['version']}版）")
            return case
        return self._do(cid, fn)

    def redraft(self, cid: str, kind: str, by: str) -> dict[str, Any]:
        """A fresh automatic draft of ``kind`` (情况通报, 续报, 辟谣, 回应关切) from the latest facts."""
        by = _who(by)
        if kind not in DRAFT_KINDS:
            raise InputError(f"draft kind must be one of {', '.join(DRAFT_KINDS)}")

        def fn(case, extra, now):
            _need(case, OPEN, PUBLISHED)
            text = draft_for(kind, case, {}, now, self.templates_dir)
            extra.versions.append(_version(case, kind, text, "auto", by, now))
            case.update(status=OPEN, draft_kind=kind, draft_source="auto")
            _log(case, now, by, "redraft", f"生成{DRAFT_KINDS[kind]}草稿（第{extra.versions[-1]['version']}版）")
            return case
        return self._do(cid, fn)

    def followup(self, cid: str, by: str) -> dict[str, Any]:
        return self.redraft(cid, "followup", by)

    def verify_figures(self, cid: str, by: str) -> dict[str, Any]:
        """The unit confirms the case's figures (deaths, injured, missing, loss) as verified."""
        by = _who(by)

        def fn(case, extra, now):
            _need(case)
            case["figures_verified"] = {"by": by, "at": now.isoformat(), "facts": case.get("facts")}
            _log(case, now, by, "verify", "核实伤亡及损失数字")
            return case
        return self._do(cid, fn)

    def _review(self, case: dict[str, Any]) -> list[review.Finding]:
        return review.check(case.get("draft") or "", case, self.cfg)

    def submit(self, cid: str, by: str) -> dict[str, Any]:
        by = _who(by)

        def fn(case, extra, now):
            _need(case, OPEN)
            findings = self._review(case)
            case.update(status=REVIEW, submitted_by=by, findings=review.as_dicts(findings),
                        draft_by=case.get("draft_by") or "系统")
            _log(case, now, by, "submit", f"提交审核（第{case.get('draft_version')}版，{len(findings)}项审查提示）")
            return case
        return self._do(cid, fn)

    def _gate(self, case: dict[str, Any], by: str, step: str) -> list[review.Finding]:
        if by == case.get("draft_by"):
            raise InputError(f"{by} wrote this version and cannot also {step} it; another person must")
        findings = self._review(case)
        blocked = review.blocking(findings)
        if blocked:
            raise InputError(f"cannot {step}: " + "; ".join(f"{f.message}（{f.text}）" for f in blocked))
        return findings

    def approve(self, cid: str, by: str, note: str = "") -> dict[str, Any]:
        by = _who(by)

        def fn(case, extra, now):
            _need(case, REVIEW)
            findings = self._gate(case, by, "approve")
            case.update(status=SIGN, reviewed_by=by, reviewed_at=now.isoformat(), findings=review.as_dicts(findings))
            _log(case, now, by, "approve", "审核通过" + (f"：{note}" if note else "") +
                 (f"（已知悉{len(findings)}项提示）" if findings else ""))
            return case
        return self._do(cid, fn)

    def reject(self, cid: str, by: str, reason: str) -> dict[str, Any]:
        by = _who(by)
        if not reason.strip():
            raise InputError("say why the draft goes back (--reason)")

        def fn(case, extra, now):
            _need(case, REVIEW, SIGN)
            case.update(status=OPEN)
            _log(case, now, by, "reject", f"退回修改：{reason}")
            return case
        return self._do(cid, fn)

    def sign(self, cid: str, by: str) -> dict[str, Any]:
        by = _who(by)

        def fn(case, extra, now):
            _need(case, SIGN)
            self._gate(case, by, "sign")
            case.update(status=SIGNED, signed_by=by, signed_at=now.isoformat(),
                        signed_version=case.get("draft_version"), signed_text=case.get("draft"))
            _log(case, now, by, "sign", f"审签（第{case.get('draft_version')}版）")
            return case
        return self._do(cid, fn)

    def publish(self, cid: str, by: str, at: datetime | None = None, url: str = "") -> dict[str, Any]:
        """Record the signed text as published (now, or at a past time given by the person)."""
        by = _who(by)

        def fn(case, extra, now):
            _need(case, SIGNED)
            when = (at or now).astimezone(timezone.utc)
            if when > now:
                raise InputError("a publication time cannot be in the future")
            release = {"at": when.isoformat(), "version": case.get("signed_version"),
                       "kind": case.get("draft_kind"), "by": by, "url": url}
            case.setdefault("releases", []).append(release)
            case.update(status=PUBLISHED, grown_since_release=False)
            if case.get("first_release_at") is None:
                case["first_release_at"] = when.isoformat()
            _log(case, now, by, "publish", f"发布{DRAFT_KINDS.get(case.get('draft_kind') or '', '')}"
                 + (f"（{url}）" if url else ""))
            return case
        return self._do(cid, fn)

    def press_conference(self, cid: str, by: str, at: datetime | None = None) -> dict[str, Any]:
        by = _who(by)

        def fn(case, extra, now):
            _need(case)
            case["press_conference_at"] = (at or now).astimezone(timezone.utc).isoformat()
            _log(case, now, by, "press_conference", "举行新闻发布会")
            return case
        return self._do(cid, fn)

    def close(self, cid: str, by: str, reason: str) -> dict[str, Any]:
        by = _who(by)
        if not reason.strip():
            raise InputError("say why the case closes (--reason)")

        def fn(case, extra, now):
            _need(case)
            if case["status"] == CLOSED:
                return None
            case.update(status=CLOSED, closed_at=now.isoformat(), closed_by=by)
            _log(case, now, by, "close", reason)
            return case
        return self._do(cid, fn)


def export(case: dict[str, Any], fmt: str, templates_dir: str = "") -> str:
    """The signed text as plain text or a standalone HTML page (escaped)."""
    text = case.get("signed_text")
    if not text:
        raise InputError(f"case {case['id']} has no signed text yet (status {case['status']})")
    if fmt == "txt":
        return text
    if fmt != "html":
        raise InputError("format must be txt or html")
    env = Environment(loader=loader(templates_dir), autoescape=select_autoescape(["html"]))
    lines = text.strip("\n").split("\n")
    return env.get_template("exports/release.html").render(title=lines[0], paragraphs=lines[1:], case=case)


def load_case(conn: Redis, cid: str) -> dict[str, Any]:
    return get(conn, cid)


__all__ = ["Actions", "Change", "STATUSES", "export", "load_case"]
