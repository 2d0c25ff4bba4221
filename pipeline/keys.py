"""The Redis key schema. Every key the product writes starts with PREFIX.

The version in the prefix changes when a key's layout changes, so an old
and a new release never read each other's data by accident.
"""

PREFIX = "yq:v1"

# Items: one JSON string per item, and a time index over all of them.
ITEMS_BY_TIME = f"{PREFIX}:items:by_time"          # zset item id -> published/fetched epoch seconds
SCHEDULER_HEARTBEAT = f"{PREFIX}:scheduler:heartbeat"  # string: epoch seconds of the last pass
SCHEDULER_LOCK = f"{PREFIX}:scheduler:lock"        # string with TTL: only one scheduler runs passes
ALERTS_OPEN = f"{PREFIX}:alerts:open"              # zset alert id -> created epoch seconds
CASES_ALL = f"{PREFIX}:cases:all"                  # zset case id -> opened epoch seconds
CASES_DUE = f"{PREFIX}:cases:due"                  # zset open case id -> epoch seconds of its next timer
OUTBOX = f"{PREFIX}:notices:outbox"                # list of notice ids waiting to be sent
NOTICES = f"{PREFIX}:notices:all"                  # zset notice id -> created epoch seconds (capped)
SOURCES = f"{PREFIX}:sources"                      # set of source names that reported health
EVENTS_BY_TIME = f"{PREFIX}:events:by_time"        # zset event id -> last update
METRICS = f"{PREFIX}:metrics"                      # hash of pipeline counters
LATENCY = f"{PREFIX}:metrics:latency"              # list: recent enqueue-to-done latencies (s), newest first


def item(item_id: str) -> str:
    return f"{PREFIX}:item:{item_id}"


def source_timeline(source: str) -> str:
    """zset of item ids of one source, scored by time."""
    return f"{PREFIX}:timeline:source:{source}"


def source_health(source: str) -> str:
    """hash: last_success, last_items, errors, consecutive_failures."""
    return f"{PREFIX}:source:{source}:health"


def task_last_run(task: str) -> str:
    return f"{PREFIX}:scheduler:last_run:{task}"


def alert(alert_id: str) -> str:
    return f"{PREFIX}:alert:{alert_id}"


def case(case_id: str) -> str:
    return f"{PREFIX}:case:{case_id}"


def case_versions(case_id: str) -> str:
    """List of the case's draft versions (JSON), oldest first."""
    return f"{PREFIX}:case:{case_id}:versions"


def notice(notice_id: str) -> str:
    """JSON of one notification: roles, subject, body, urgency."""
    return f"{PREFIX}:notice:{notice_id}"


def notice_sent(notice_id: str) -> str:
    """Hash channel -> "sent:<ts>" / "claim:<ts>" / "failed:<n>": each channel sends a notice once."""
    return f"{PREFIX}:notice:{notice_id}:sent"


def event(event_id: str) -> str:
    """string (JSON): the event summary."""
    return f"{PREFIX}:event:{event_id}"


def event_items(event_id: str) -> str:
    """set of the event's item ids."""
    return f"{PREFIX}:event:{event_id}:items"


def event_volume(event_id: str) -> str:
    """zset item id -> time, for heat."""
    return f"{PREFIX}:event:{event_id}:volume"
