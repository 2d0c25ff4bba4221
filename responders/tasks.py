"""The scheduler's response pass: advance due case clocks, then deliver notices."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from redis import Redis

from .cases import tick
from .config import load, resolve_path
from .notify import channels_from_settings, deliver


class ResponsePass:
    """Built once per scheduler from the settings (a bad smtp_url or config fails at start)."""

    def __init__(self, settings, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.cfg = load(resolve_path(settings))
        self.channels = channels_from_settings(settings, self.cfg)
        self.clock = clock
        self.templates_dir = settings.templates_dir
        self.base_url = settings.public_url or f"http://{settings.host}:{settings.port}"

    def __call__(self, conn: Redis) -> dict[str, Any]:
        from dashboard.digest import due

        now = self.clock()
        advanced = tick(conn, self.cfg, now)
        digests = due(conn, self.cfg, now, self.templates_dir)
        return {"advanced": advanced, "digests": len(digests),
                **deliver(conn, self.channels, self.cfg, now, base_url=self.base_url)}
