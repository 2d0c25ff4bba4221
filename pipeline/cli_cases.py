"""`yuqing case …`, `report compliance`, `notices` and `user …`: the responder and the dashboard's users from the shell.

Registered on the one click group of ``pipeline.cli``; errors for people are
InputError/StartupError and become one line there.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from .cli import cli, redis_of, settings_of
from .errors import InputError

BY = click.option("--by", required=True, help="Who acts (recorded with the time in the case history).")


def _actions(ctx: click.Context):
    from responders.config import load, resolve_path
    from responders.workflow import Actions

    settings = settings_of(ctx)
    return Actions(redis_of(ctx), load(resolve_path(settings)), settings.templates_dir)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--at {value!r} is not an ISO 8601 time such as 2024-06-03T15:30+08:00") from None
    if when.tzinfo is None:
        raise InputError("--at needs its UTC offset, e.g. 2024-06-03T15:30+08:00")
    return when


def _audited(ctx: click.Context, action: str, target: str, by: str, result: dict) -> dict:
    """Case steps taken at the command line go to the same audit log as the dashboard's."""
    from dashboard import audit

    audit.record(redis_of(ctx), by, action, target, "命令行")
    return result


def _show(case: dict) -> None:
    from pipeline.items import SHANGHAI

    def local(iso):
        return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if iso else "—"

    click.echo(f"{case['id']}  [{case.get('level') or '-'}] {case['title']}")
    click.echo(f"  类型 {case.get('type') or '回应关切'}  状态 {case['status']}  责任单位 {case.get('unit')}"
               + (f"  已升级至 {case['escalated_to']}" if case.get("escalated_to") else ""))
    click.echo(f"  T0 {local(case['t0'])}  " + "  ".join(f"{k} 时限 {local(v)}" for k, v in case["deadlines"].items()))
    click.echo(f"  确认 {local(case.get('acked_at'))} {case.get('acked_by') or ''}  首次发布 {local(case.get('first_release_at'))}")
    for f in case.get("findings") or []:
        click.echo(f"  审查{'【阻断】' if f['severity'] == 'block' else '【提示】'} {f['message']}：{f['text']}")
    click.echo(f"  草稿第{case.get('draft_version')}版（{case.get('draft_kind')}）:")
    click.echo("    " + (case.get("draft") or "").replace("\n", "\n    "))


@cli.group()
def case() -> None:
    """Work on one case: acknowledge, assign, grade, edit, review, sign, publish, export."""


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole case document as JSON.")
@click.option("--history", is_flag=True, help="Also print every step with who and when.")
@click.pass_context
def show(ctx: click.Context, case_id: str, as_json: bool, history: bool) -> None:
    """Show a case: clock, unit, review findings and the current draft."""
    from responders.cases import get, with_clock

    doc = with_clock(get(redis_of(ctx), case_id), datetime.now(timezone.utc))
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    _show(doc)
    if history:
        for h in doc.get("history", []):
            click.echo(f"  {h['at']}  {h['by']}  {h['action']}  {h['detail']}")


@case.command("ack")
@click.argument("case_id")
@BY
@click.pass_context
def ack(ctx: click.Context, case_id: str, by: str) -> None:
    """Acknowledge a case (stops escalation for a missed acknowledgement)."""
    _show(_audited(ctx, "ack", case_id, by, _actions(ctx).ack(case_id, by)))


@case.command("assign")
@click.argument("case_id")
@click.argument("unit")
@BY
@click.pass_context
def assign(ctx: click.Context, case_id: str, unit: str, by: str) -> None:
    """Make UNIT the responsible unit (overrides the routing rules for this case)."""
    _show(_audited(ctx, "assign", case_id, by, _actions(ctx).assign(case_id, unit, by)))


@case.command("level")
@click.argument("event_id")
@click.argument("level", type=click.Choice(["特别重大", "重大", "较大", "一般"]))
@BY
@click.option("--reason", default="", help="Why the grade is set by hand (recorded).")
@click.pass_context
def level(ctx: click.Context, event_id: str, level: str, by: str, reason: str) -> None:
    """Set an event's grade by hand: 重大/特别重大 opens its incident case; later items never undo it."""
    _show(_audited(ctx, "level", event_id, by, _actions(ctx).set_level(event_id, level, by, reason)))


@case.command("edit")
@click.argument("case_id")
@click.option("--file", "path", default="-", show_default=True, help="New draft text (UTF-8); - reads stdin.")
@BY
@click.pass_context
def edit(ctx: click.Context, case_id: str, path: str, by: str) -> None:
    """Replace the draft with edited text (a new version; automatic updates stop)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    _show(_audited(ctx, "edit", case_id, by, _actions(ctx).edit(case_id, text, by)))


@case.command("redraft")
@click.argument("case_id")
@click.argument("kind", type=click.Choice(["incident", "followup", "rebuttal", "response"]))
@BY
@click.pass_context
def redraft(ctx: click.Context, case_id: str, kind: str, by: str) -> None:
    """Start a fresh automatic draft: incident (情况通报), followup (续报), rebuttal (辟谣), response (回应关切)."""
    _show(_audited(ctx, "redraft", case_id, by, _actions(ctx).redraft(case_id, kind, by)))


@case.command("verify")
@click.argument("case_id")
@BY
@click.pass_context
def verify(ctx: click.Context, case_id: str, by: str) -> None:
    """Confirm the case's casualty and loss figures as verified by the responsible unit."""
    _show(_audited(ctx, "verify", case_id, by, _actions(ctx).verify_figures(case_id, by)))


@case.command("submit")
@click.argument("case_id")
@BY
@click.pass_context
def submit(ctx: click.Context, case_id: str, by: str) -> None:
    """Send the draft to review (起草 → 审核); the privacy and secrecy check runs."""
    _show(_audited(ctx, "submit", case_id, by, _actions(ctx).submit(case_id, by)))


@case.command("approve")
@click.argument("case_id")
@BY
@click.option("--note", default="", help="Reviewer's note (recorded).")
@click.pass_context
def approve(ctx: click.Context, case_id: str, by: str, note: str) -> None:
    """Pass review (审核 → 审签); refused while a blocking finding remains or for the draft's own author."""
    _show(_audited(ctx, "approve", case_id, by, _actions(ctx).approve(case_id, by, note)))


@case.command("reject")
@click.argument("case_id")
@BY
@click.option("--reason", required=True, help="What must change (recorded).")
@click.pass_context
def reject(ctx: click.Context, case_id: str, by: str, reason: str) -> None:
    """Send the draft back to 起草 from 审核 or 审签."""
    _show(_audited(ctx, "reject", case_id, by, _actions(ctx).reject(case_id, by, reason)))


@case.command("sign")
@click.argument("case_id")
@BY
@click.pass_context
def sign(ctx: click.Context, case_id: str, by: str) -> None:
    """Leadership sign-off (审签 → 已签发)."""
    _show(_audited(ctx, "sign", case_id, by, _actions(ctx).sign(case_id, by)))


@case.command("publish")
@click.argument("case_id")
@BY
@click.option("--at", "at", default=None, help="When it was published, ISO 8601 with offset (default: now).")
@click.option("--url", default="", help="Where it was published.")
@click.pass_context
def publish(ctx: click.Context, case_id: str, by: str, at: str | None, url: str) -> None:
    """Record the signed text as published; the first release meets (or misses) the deadline."""
    _show(_audited(ctx, "publish", case_id, by, _actions(ctx).publish(case_id, by, _when(at), url)))


@case.command("press")
@click.argument("case_id")
@BY
@click.option("--at", "at", default=None, help="When the press conference was held (default: now).")
@click.pass_context
def press(ctx: click.Context, case_id: str, by: str, at: str | None) -> None:
    """Record the press conference (新闻发布会)."""
    _show(_audited(ctx, "press", case_id, by, _actions(ctx).press_conference(case_id, by, _when(at))))


@case.command("close")
@click.argument("case_id")
@BY
@click.option("--reason", required=True, help="Why the case closes (recorded).")
@click.pass_context
def close(ctx: click.Context, case_id: str, by: str, reason: str) -> None:
    """Close a case; its timers stop."""
    _show(_audited(ctx, "close", case_id, by, _actions(ctx).close(case_id, by, reason)))


@case.command("export")
@click.argument("case_id")
@click.option("--format", "fmt", type=click.Choice(["txt", "html"]), default="txt", show_default=True,
              help="Plain text or a standalone HTML page.")
@click.option("--out", default="-", show_default=True, help="File to write; - for stdout.")
@click.pass_context
def export(ctx: click.Context, case_id: str, fmt: str, out: str) -> None:
    """Export the signed text of a case."""
    from responders.cases import get
    from responders.workflow import export as render

    text = render(get(redis_of(ctx), case_id), fmt, settings_of(ctx).templates_dir)
    if out == "-":
        click.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")


@case.command("versions")
@click.argument("case_id")
@click.pass_context
def versions_cmd(ctx: click.Context, case_id: str) -> None:
    """List the draft versions of a case with who wrote them and when."""
    from responders.cases import versions

    for v in versions(redis_of(ctx), case_id):
        click.echo(f"第{v['version']}版  {v['kind']}  {v['source']}  {v['by']}  {v['at']}")


@cli.group()
def report() -> None:
    """Reports for supervision (督查/考核)."""


@report.command("compliance")
@click.option("--month", required=True, help="Month of T0 in Asia/Shanghai, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print the ledger and rates as JSON.")
@click.pass_context
def compliance(ctx: click.Context, month: str, as_json: bool) -> None:
    """Per case: T0, deadlines, first release, on time or late by how much; on-time rate per unit."""
    from responders.cases import list_cases
    from responders.compliance import format_text
    from responders.compliance import report as build

    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise InputError(f"--month {month!r} must look like 2024-06") from None
    rep = build(list_cases(redis_of(ctx), kind=None), month, datetime.now(timezone.utc))
    click.echo(json.dumps(rep, ensure_ascii=False, indent=2) if as_json else format_text(rep))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--limit", default=30, show_default=True, help="How many of the latest notices.")
@click.pass_context
def notices(ctx: click.Context, as_json: bool, limit: int) -> None:
    """List the latest notifications and how each channel delivered them."""
    from responders.notify import recent

    rows = recent(redis_of(ctx), limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo("没有通知 (no notices)")
    for n in rows:
        state = ", ".join(f"{k}={v.split(':')[0]}" for k, v in n["delivery"].items() if ":" not in k) or "未发送"
        click.echo(f"{n['created_at']}  {'[急] ' if n.get('urgent') else ''}{n['subject']}  ({state})")


@cli.group()
def user() -> None:
    """Dashboard users and their roles: duty (值班员), leader (领导), operator (运维)."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["duty", "leader", "operator"]),
              help="duty = 值班员 (alert queue, drafts), leader = 领导 (review, sign-off), operator = 运维 (models, sources).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
@click.option("--replace", is_flag=True, help="Reset the password and role of an existing user.")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool, replace: bool) -> None:
    """Create a user (the first one too); the password is stored only as a salted hash."""
    from dashboard import users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    made = users.add(redis_of(ctx), name, role, password, replace=replace)
    click.echo(f"user {made['name']} ({made['role_name']}) saved")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users and roles."""
    from dashboard import users

    for u in users.all_users(redis_of(ctx)):
        click.echo(f"{u['name']}  {u['role']} ({u['role_name']})  since {u['created_at']}")


@user.command("remove")
@click.argument("name")
@click.pass_context
def user_remove(ctx: click.Context, name: str) -> None:
    """Remove a user; their signed-in sessions end at the next request."""
    from dashboard import users

    users.remove(redis_of(ctx), name)
    click.echo(f"user {name} removed")
