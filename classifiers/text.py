"""What a head reads of an item. Kept apart from ``heads`` so classifying needs no scikit-learn import."""

from __future__ import annotations

from typing import Any

MAX_CHARS = 3000  # beyond this the head sees no new evidence, only cost


def item_text(item: dict[str, Any]) -> str:
    """Title, then text, capped in length."""
    title = (item.get("title") or "").strip()
    text = (item.get("text") or "").strip()
    joined = f"{title}。{text}" if title and text and not text.startswith(title) else (text or title)
    return joined[:MAX_CHARS]
