"""Rebuild ``corpus.jsonl``, the bundled demo source's rows, from ../shared/data.

Every row is real text from the team's data sets (see shared/data/README.md
for sources and licences); ``origin`` names the data set and row id. Run:
``python -m crawlers.demo.build_corpus ../shared/data``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent

# Picked for the demo's story: ordinary items, two major accidents, a rumour wave.
INCIDENTS = ["cec-295", "cec-349", "cec-27", "cec-133"]
MESSAGES = 12
RUMOURS = 5
NEWS = {"politics": 5, "society": 4, "education": 2}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build(data: Path) -> list[dict]:
    out: list[dict] = []
    for row in _rows(data / "gov_messages_with_replies.jsonl")[:MESSAGES]:
        out.append({"kind": "board", "title": row["title"], "text": row["text"],
                    "origin": f"gov_messages_with_replies:{row['id']}"})
    taken = {k: 0 for k in NEWS}
    for row in _rows(data / "thucnews_titles_train.jsonl"):
        if taken.get(row["label"], 99) < NEWS.get(row["label"], 0):
            taken[row["label"]] += 1
            out.append({"kind": "news", "title": row["title"], "text": "",
                        "origin": f"thucnews_titles_train:{row['id']}"})
    cec = {r["id"]: r for r in _rows(data / "cec_incidents_train.jsonl")}
    for rid in INCIDENTS:
        row = cec[rid]
        out.append({"kind": "news", "title": row["title"], "text": row["text"],
                    "origin": f"cec_incidents_train:{rid}"})
    rumours = [r for r in _rows(data / "weibo_rumor_train.jsonl") if r["label"] == "rumor"][:RUMOURS]
    for row in rumours:
        out.append({"kind": "social", "title": "", "text": row["text"],
                    "origin": f"weibo_rumor_train:{row['id']}"})
    # Interleave so that new items of every kind keep appearing over time.
    by_kind: dict[str, list[dict]] = {}
    for row in out:
        by_kind.setdefault(row["kind"], []).append(row)
    mixed: list[dict] = []
    while any(by_kind.values()):
        for rows in by_kind.values():
            if rows:
                mixed.append(rows.pop(0))
    return mixed


def main(argv: list[str]) -> None:
    data = Path(argv[1] if len(argv) > 1 else "../shared/data")
    rows = build(data)
    with (HERE / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {HERE / 'corpus.jsonl'}")


if __name__ == "__main__":
    main(sys.argv)
