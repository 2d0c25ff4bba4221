"""Sources are configuration, not code: one entry each with kind, URLs, interval, politeness,
owner unit and region.

The shipped file ``crawlers/sources.yaml`` declares the offline demo
source (its URLs use ``{demo}``, filled from the ``demo_url`` setting);
operators add their own in ``<var>/sources.yaml`` or the file named by
``sources_file``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import StartupError

KINDS = ("feed", "portal", "timeline")
POLITENESS_KEYS = {
    "download_delay": "DOWNLOAD_DELAY",
    "concurrent_requests_per_domain": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "autothrottle": "AUTOTHROTTLE_ENABLED",
    "robotstxt_obey": "ROBOTSTXT_OBEY",
    "user_agent": "USER_AGENT",
    "download_timeout": "DOWNLOAD_TIMEOUT",
}
PORTAL_KEYS = {"link_selector", "next_selector", "max_pages", "article", "link_pattern"}
ARTICLE_KEYS = {"title", "text", "published_at", "author"}
TIMELINE_KEYS = {"items", "id", "title", "text", "author", "published_at", "url", "reposts", "comments", "likes"}


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    urls: tuple[str, ...]
    interval: int = 600
    owner_unit: str = ""
    region: str = ""
    politeness: dict[str, Any] = field(default_factory=dict)
    portal: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def scrapy_settings(self) -> dict[str, Any]:
        """Per-source overrides of the polite defaults, as Scrapy setting names."""
        return {POLITENESS_KEYS[k]: v for k, v in self.politeness.items()}


def _check_keys(raw: dict, allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise StartupError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def parse(data: Any, origin: str, demo_url: str = "") -> list[Source]:
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise StartupError(f"{origin} must hold a list under 'sources'")
    out: list[Source] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["sources"], 1):
        where = f"{origin}: source {n}"
        if not isinstance(raw, dict):
            raise StartupError(f"{where} must be a mapping")
        _check_keys(raw, {"name", "kind", "urls", "interval", "owner_unit", "region", "politeness", "portal",
                          "timeline", "enabled"}, where)
        name = str(raw.get("name") or "")
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise StartupError(f"{where} needs a 'name' of letters, digits, - and _")
        if name in seen:
            raise StartupError(f"{where}: the name '{name}' is used twice")
        seen.add(name)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise StartupError(f"{where} ({name}): kind must be one of {', '.join(KINDS)}, not {kind!r}")
        urls = raw.get("urls")
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise StartupError(f"{where} ({name}): 'urls' must be a non-empty list of URLs")
        if any("{demo}" in u for u in urls):
            if not demo_url:
                continue  # the demo source is served only by `yuqing run` (or a test)
            urls = [u.replace("{demo}", demo_url.rstrip("/")) for u in urls]
        if not all(u.startswith(("http://", "https://")) for u in urls):
            raise StartupError(f"{where} ({name}): every URL must start with http:// or https://")
        interval = raw.get("interval", 600)
        if not isinstance(interval, int) or interval < 10:
            raise StartupError(f"{where} ({name}): 'interval' is seconds between crawls, at least 10")
        politeness = raw.get("politeness") or {}
        _check_keys(politeness, set(POLITENESS_KEYS), f"{where} ({name}) politeness")
        portal = raw.get("portal") or {}
        _check_keys(portal, PORTAL_KEYS, f"{where} ({name}) portal")
        _check_keys(portal.get("article") or {}, ARTICLE_KEYS, f"{where} ({name}) portal.article")
        timeline = raw.get("timeline") or {}
        _check_keys(timeline, TIMELINE_KEYS, f"{where} ({name}) timeline")
        if kind == "portal" and not portal.get("link_selector") and not portal.get("link_pattern"):
            raise StartupError(f"{where} ({name}): a portal needs portal.link_selector or portal.link_pattern")
        if kind == "timeline" and not timeline.get("text"):
            raise StartupError(f"{where} ({name}): a timeline needs timeline.text (the field of the post text)")
        out.append(Source(name=name, kind=kind, urls=tuple(urls), interval=interval,
                          owner_unit=str(raw.get("owner_unit") or ""), region=str(raw.get("region") or ""),
                          politeness=dict(politeness), portal=dict(portal), timeline=dict(timeline),
                          enabled=bool(raw.get("enabled", True))))
    return out


def _load_file(path: Path, demo_url: str) -> list[Source]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StartupError(f"cannot read sources file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise StartupError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    return parse(data, str(path), demo_url)


def load(var: Path | None = None, sources_file: str = "", demo_url: str = "") -> list[Source]:
    """The demo sources (when demo_url is known) and the operator's sources."""
    shipped = yaml.safe_load(resources.files("crawlers").joinpath("sources.yaml").read_text(encoding="utf-8"))
    out = parse(shipped, "crawlers/sources.yaml", demo_url)
    own = Path(sources_file) if sources_file else (var / "sources.yaml" if var else None)
    if sources_file and not own.is_file():
        raise StartupError(f"sources_file {own} does not exist")
    if own is not None and own.is_file():
        extra = _load_file(own, demo_url)
        clash = {s.name for s in out} & {s.name for s in extra}
        if clash:
            raise StartupError(f"{own}: source name(s) {', '.join(sorted(clash))} already used by the demo source")
        out += extra
    return [s for s in out if s.enabled]


def by_name(sources: list[Source], name: str) -> Source:
    for source in sources:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in sources) or "none"
    raise StartupError(f"no source named '{name}' (configured: {known})")
