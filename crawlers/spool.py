"""Items that could not reach Redis wait on disk under <var>/spool and are delivered later.

Each batch is one JSON Lines file written atomically (temporary name, then
rename), so a crash never leaves half a batch to be delivered.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def put(self, items: list[dict[str, Any]]) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}.jsonl"
        tmp = self.directory / (name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.directory / name)
        return self.directory / name

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("*.jsonl")) if self.directory.is_dir() else []

    def pending(self) -> int:
        return len(self.files())

    def deliver(self, send: Callable[[list[dict[str, Any]]], None]) -> int:
        """Send every spooled batch, oldest first; a file is removed only after its send succeeded."""
        delivered = 0
        for path in self.files():
            with open(path, encoding="utf-8") as fh:
                items = [json.loads(line) for line in fh if line.strip()]
            send(items)
            path.unlink()
            delivered += len(items)
        return delivered
