"""How every process finds the one Redis the settings point at."""

from __future__ import annotations

import redis

from .errors import StartupError
from .redis_server import EmbeddedRedis
from .settings import Settings, mask_url


def embedded(settings: Settings) -> EmbeddedRedis:
    return EmbeddedRedis(settings.var_dir / "redis", binary=settings.redis_server)


def resolve_url(settings: Settings) -> str:
    """REDIS_URL when set, else the embedded server that `yuqing run` keeps under <var>/redis."""
    if settings.redis_url:
        return settings.redis_url
    url = embedded(settings).running_url()
    if url is None:
        raise StartupError(f"REDIS_URL is not set and no embedded Redis is running under "
                           f"{settings.var_dir / 'redis'}; start the system with `yuqing run` "
                           f"(or `make run`), or set REDIS_URL")
    return url


def connect(settings: Settings, url: str | None = None) -> redis.Redis:
    """A checked connection; an unreachable server becomes a StartupError naming the URL tried."""
    url = url or resolve_url(settings)
    try:
        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5,
                                      health_check_interval=30)
    except ValueError as exc:
        raise StartupError(f"REDIS_URL {mask_url(url)} is not a Redis URL ({exc}); "
                           f"use the form redis://:PASSWORD@HOST:PORT/DB") from None
    try:
        client.ping()
    except redis.AuthenticationError:
        raise StartupError(f"Redis at {mask_url(url)} refused the password; check the password in REDIS_URL") from None
    except redis.RedisError as exc:
        raise StartupError(f"Redis unreachable at {mask_url(url)}: {exc}; check that the server runs "
                           f"and REDIS_URL is right, or unset REDIS_URL to use the embedded Redis") from None
    return client
