"""Where templates come from: the operator's folder first, then the shipped ones.

Shipped templates live in the ``templates`` package, so an installed copy
finds them without the source tree.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader

from .errors import StartupError


def shipped_dir() -> Path:
    return Path(str(resources.files("templates")))


def loader(templates_dir: str = "") -> BaseLoader:
    loaders: list[BaseLoader] = []
    if templates_dir:
        path = Path(templates_dir).expanduser()
        if not path.is_dir():
            raise StartupError(f"templates_dir {path} is not a folder; create it or leave YUQING_TEMPLATES_DIR empty")
        loaders.append(FileSystemLoader(str(path)))
    loaders.append(FileSystemLoader(str(shipped_dir())))
    return ChoiceLoader(loaders)
