"""Notifications: e-mail (SMTP) and a group robot webhook (企业微信 / 钉钉).

Notices are written by the case clock into an outbox in the same transaction
that records the step, so a step raises its notice once. Delivery then sends
each notice once per channel: a channel is claimed in Redis before sending and
marked sent after, so two schedulers never both send it; a sender that dies
between the two leaves a stale claim that is retried after five minutes (the
only way a duplicate can happen). Failures are retried with backoff up to
``max_attempts``. Inside quiet hours only urgent notices (特别重大/重大) go out;
the rest wait for the morning.
"""

from __future__ import annotations

import base64
import json
import logging
import smtplib
import ssl
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from redis import Redis

from pipeline import keys
from pipeline.errors import StartupError
from pipeline.items import SHANGHAI

from .config import quiet_window

log = logging.getLogger(__name__)
STALE_CLAIM_S = 300.0
BACKOFF_S = 30.0

# Claim a channel of a notice: only when its state is still what the sender read.
_CLAIM = """
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


class Channel(Protocol):
    name: str

    def send(self, notice: dict[str, Any]) -> str:
        """Send; return a short note ("sent to 2", "no recipients"); raise on failure."""


class EmailChannel:
    name = "email"

    def __init__(self, url: str, sender: str, contacts: dict[str, list[str]]) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise StartupError("smtp_url must look like smtp://user:password@host:25 (or smtps://…)")
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.sender, self.contacts = sender, contacts

    def recipients(self, roles: list[str]) -> list[str]:
        out: list[str] = []
        for role in roles:
            for address in self.contacts.get(role) or []:
                if address not in out:
                    out.append(address)
        return out

    def send(self, notice: dict[str, Any]) -> str:
        to = self.recipients(notice["roles"])
        if not to:
            return "no recipients"
        msg = EmailMessage()
        msg["Subject"] = notice["subject"]
        msg["From"] = self.sender
        msg["To"] = ", ".join(to)
        msg["Message-ID"] = make_msgid(idstring=notice["id"].replace(":", "."), domain="yuqing.local")
        msg.set_content(notice["body"])
        if notice.get("html"):
            msg.add_alternative(notice["html"], subtype="html")
        for name, (data, mime) in (notice.get("attachments") or {}).items():   # base64 inside JSON
            main, sub = mime.split("/")
            msg.add_attachment(base64.b64decode(data), maintype=main, subtype=sub, filename=name)
        cls = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with cls(self.host, self.port, timeout=15) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(msg)
        return f"sent to {len(to)}"


class WebhookChannel:
    def __init__(self, url: str, kind: str = "wecom", name: str = "webhook") -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise StartupError("webhook_url must be an http(s) URL")
        self.url, self.kind, self.name = url, kind, name

    def payload(self, notice: dict[str, Any]) -> dict[str, Any]:
        content = f"{notice['subject']}\n{notice['body']}"
        if self.kind == "dingtalk":
            return {"msgtype": "text", "text": {"content": content}, "at": {"isAtAll": bool(notice.get("urgent"))}}
        return {"msgtype": "text", "text": {"content": content,
                                            "mentioned_list": ["@all"] if notice.get("urgent") else []}}

    def send(self, notice: dict[str, Any]) -> str:
        body = json.dumps(self.payload(notice), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=15) as response:   # noqa: S310 (operator's URL)
            answer = response.read(65536)
        try:
            code = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0
        if code:
            raise RuntimeError(f"webhook answered errcode {code}")
        return "sent"


def channels_from_settings(settings, cfg: dict[str, Any]) -> list[Channel]:
    out: list[Channel] = []
    if settings.smtp_url:
        out.append(EmailChannel(settings.smtp_url, settings.mail_from, cfg.get("contacts") or {}))
    if settings.webhook_url:
        out.append(WebhookChannel(settings.webhook_url, settings.webhook_kind))
    return out


def in_quiet_hours(now: datetime, cfg: dict[str, Any]) -> bool:
    text = cfg["notifications"].get("quiet_hours") or ""
    if not text:
        return False
    start, end = quiet_window(text)
    local = now.astimezone(SHANGHAI)
    minute = local.hour * 60 + local.minute
    return start <= minute < end if start <= end else (minute >= start or minute < end)


def deliver(conn: Redis, channels: list[Channel], cfg: dict[str, Any], now: datetime, limit: int = 200,
            base_url: str = "") -> dict[str, int]:
    """One delivery pass over the outbox, oldest first; ``base_url`` adds a link to the case page."""
    claim = conn.register_script(_CLAIM)
    quiet = in_quiet_hours(now, cfg)
    max_attempts = int(cfg["notifications"]["max_attempts"])
    counts = {"sent": 0, "held": 0, "failed": 0, "done": 0}
    for raw_id in reversed(conn.lrange(keys.OUTBOX, -limit, -1)):
        nid = raw_id.decode()
        raw = conn.get(keys.notice(nid))
        if raw is None:
            conn.lrem(keys.OUTBOX, 0, nid)
            continue
        notice = json.loads(raw)
        if base_url and notice.get("case_id"):
            notice["body"] += f"\n\n查看和处置：{base_url.rstrip('/')}/cases/{notice['case_id']}"
        if quiet and not notice.get("urgent"):
            counts["held"] += 1
            continue
        sent_key = keys.notice_sent(nid)
        done = True
        for channel in channels:
            state = (conn.hget(sent_key, channel.name) or b"").decode()
            if state.startswith(("sent", "failed")):
                continue
            if state.startswith("claim:") and now.timestamp() - float(state[6:]) < STALE_CLAIM_S:
                done = False
                continue
            retry_at = float(conn.hget(sent_key, f"{channel.name}:retry_at") or 0)
            if retry_at > now.timestamp():
                done = False
                continue
            if not claim(keys=[sent_key], args=[channel.name, state, f"claim:{now.timestamp()}"]):
                done = False
                continue
            try:
                note = channel.send(notice)
            except Exception as exc:   # any failure of a channel is retried, never fatal to the pass
                attempts = conn.hincrby(sent_key, f"{channel.name}:attempts", 1)
                final = attempts >= max_attempts
                conn.hset(sent_key, mapping={channel.name: f"failed:{attempts}" if final else "",
                                             f"{channel.name}:error": str(exc)[:300],
                                             f"{channel.name}:retry_at": now.timestamp() + BACKOFF_S * 2 ** attempts})
                log.warning("notice %s via %s failed (%s/%s): %s", nid, channel.name, attempts, max_attempts, exc)
                counts["failed"] += 1
                done = done and final
                continue
            conn.hset(sent_key, mapping={channel.name: f"sent:{now.timestamp()}", f"{channel.name}:note": note})
            counts["sent"] += 1
        if done:
            conn.lrem(keys.OUTBOX, 0, nid)
            counts["done"] += 1
    return counts


def recent(conn: Redis, limit: int = 50) -> list[dict[str, Any]]:
    """The latest notices with their delivery state per channel, newest first."""
    ids = [i.decode() for i in conn.zrevrange(keys.NOTICES, 0, limit - 1)]
    out = []
    for nid, raw in zip(ids, conn.mget([keys.notice(i) for i in ids]) if ids else []):
        if raw is None:
            continue
        notice = json.loads(raw)
        notice["delivery"] = {k.decode(): v.decode() for k, v in conn.hgetall(keys.notice_sent(nid)).items()}
        out.append(notice)
    return out
