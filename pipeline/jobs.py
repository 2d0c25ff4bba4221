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
