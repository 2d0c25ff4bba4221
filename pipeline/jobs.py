"""Job functions run by the workers. Arguments and results are plain JSON.

Jobs are idempotent: a batch redone after a worker died changes nothing
that the first run already wrote. The classifier is loaded once per worker
process (at start, see pipeline/worker.py) and re-checked for promoted model
versions every minute.
"""

from __future__ import annotations

import time
from typing import Any

from rq import get_current_job

_classifier = None
_responder = None
_checked = 0.0
REFRESH_S = 60.0


def classifier():
    """The process's classifier, loaded on first use (workers call this before taking jobs)."""
    global _classifier, _checked
    if _classifier is None:
        from classifiers.classify import Classifier
        from classifiers.tokenizer import load

        from .settings import load_settings

        load()
        _classifier = Classifier.from_settings(load_settings())
        _checked = time.monotonic()
    elif time.monotonic() - _checked > REFRESH_S:
        from classifiers.tokenizer import reload_if_changed

        _classifier.refresh()
        reload_if_changed()
        _checked = time.monotonic()
    return _classifier


def responder():
    """The process's responder (case hook), built once from the settings."""
    global _responder
    if _responder is None:
        from responders.cases import Responder

        from .settings import load_settings

        _responder = Responder.from_settings(load_settings())
    return _responder


def _connection():
    job = get_current_job()
    if job is None:
        raise RuntimeError("pipeline jobs run inside an RQ worker")
    return job.connection


def ingest_batch(items: list[dict[str, Any]]) -> dict[str, int]:
    """Entry point of the ingest queue: one batch of items through the whole pipeline."""
    from .ingest import process_batch

    connection = _connection()
    return process_batch(connection, items, classifier(), responder=responder())


def _progress(step: str, done: int, total: int) -> None:
    """Progress of the current job, kept in its meta for the dashboard's progress display."""
    job = get_current_job()
    if job is not None:
        job.meta["progress"] = {"step": step, "done": done, "total": total, "at": time.time()}
        job.save_meta()


def train_model(head: str, data: str, with_feedback: bool = False) -> dict[str, Any]:
    """Train a head (started from the console) and register it as a new, not yet promoted, version."""
    import tempfile
    from pathlib import Path

    from classifiers import registry
    from classifiers.feedback import export
    from classifiers.training import train_and_save

    from .settings import load_settings

    settings = load_settings()
    extra = export(_connection(), head) if with_feedback else None
    with tempfile.TemporaryDirectory(prefix="yuqing-train-") as tmp:
        manifest = train_and_save(head, Path(data), Path(tmp) / "model", extra_rows=extra, progress=_progress)
        registry.register(settings.var_dir, Path(tmp) / "model")
    _progress("完成", 4, 4)
    return {"head": head, "version": manifest["version"], "held_out": manifest["metrics"].get("held_out", {}),
            "n_rows": manifest["metrics"].get("n_rows")}


def import_upload(path: str, source: str) -> dict[str, int]:
    """Import a file uploaded in the dashboard into the ingest queue."""
    from pathlib import Path

    from crawlers.handoff import Handoff
    from crawlers.importer import import_file

    from .settings import load_settings

    settings = load_settings()
    counts = import_file(Path(path), source, Handoff(settings, settings.batch_size), settings.batch_size,
                         progress=_progress)
    _progress("完成", counts["accepted"], counts["accepted"])
    return counts
