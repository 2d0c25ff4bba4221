"""`make docs`: rewrite README.md's settings table from the registry."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .settings import markdown_table

START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def update(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme} has no {START} … {END} block")
    new = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: f"{START}\n{markdown_table()}\n{END}",
                 text, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print(f"{path}: {'updated' if update(path) else 'already up to date'}")
