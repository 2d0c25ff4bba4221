"""Training sets for the shipped heads, assembled from the team's real data (../shared/data).

Each builder returns rows ``{"id", "title", "text", "label"}``. Held-out
splits are made here too, with a fixed seed, so README figures can be rerun.
"""

from __future__ import annotations

import csv
import json
import random
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sklearn.model_selection import train_test_split

from .classify import OTHER_GENRE

NONE = "none"
SEED = 20261121


def read(data: Path, name: str) -> list[dict[str, Any]]:
    with open(data / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


GENRE_WEIGHT = 0.3


def rumor_rows(data: Path) -> list[dict[str, Any]]:
    """Weibo posts (rumor / non-rumor), plus news reports, news titles and citizen messages as a third
    class, ``other_genre``, at a low weight.

    The posts alone teach the head nothing about other kinds of text: trained
    on them, it called 34% of unseen THUCNews titles and 25% of citizen
    messages rumours. Session 1 added news as non-rumours at weight 0.2: 0.7%
    of titles, but still 12% of messages, and Weibo macro-F1 fell 0.905 →
    0.886. As a class of its own (weight 0.3, 366 CEC reports, 1,500 titles,
    1,500 messages) the rumour probability of other text goes to ≈0: 0.5% of
    titles and no message, while Weibo macro-F1 stays near the posts-only
    figure (0.901 at threshold 0.4 on the held-out quarter). ``yuqing train``
    with the contract's two-label rows still trains a plain binary head.
    Auxiliary rows carry ``weight`` and are never part of a held-out split.
    """
    rows = [{"id": r["id"], "title": "", "text": r["text"], "label": r["label"]}
            for r in read(data, "weibo_rumor_train.jsonl")]
    rows += [{"id": r["id"], "title": r["title"], "text": r["text"], "label": OTHER_GENRE, "weight": GENRE_WEIGHT}
             for r in read(data, "cec_incidents_train.jsonl")]
    titles = read(data, "thucnews_titles_train.jsonl")
    random.Random(SEED + 1).shuffle(titles)
    rows += [{"id": r["id"], "title": r["title"], "text": "", "label": OTHER_GENRE, "weight": GENRE_WEIGHT}
             for r in titles[:1500]]
    messages = unlabelled_messages(data)
    random.Random(SEED + 2).shuffle(messages)
    rows += [{"id": r["id"], "title": r["title"], "text": r["text"], "label": OTHER_GENRE, "weight": GENRE_WEIGHT}
             for r in messages[:1500]]
    return rows


TAXONOMY_WEIGHT = 2.0
REPLY_WEIGHT = 0.6


def departments() -> dict[str, re.Pattern]:
    """Field (一级分类) → pattern of the departments that answer for it (classifiers/data/departments.yaml)."""
    text = resources.files("classifiers").joinpath("data", "departments.yaml").read_text(encoding="utf-8")
    return {label: re.compile(pattern) for label, pattern in yaml.safe_load(text).items()}


def reply_label(reply: str, patterns: dict[str, re.Pattern]) -> str | None:
    """The field of the one kind of department that answered, or None (none named, or several)."""
    where = reply[:500] + "\n" + reply[-200:]
    fields = {label for label, pattern in patterns.items() if pattern.search(where)}
    return fields.pop() if len(fields) == 1 else None


def domain_rows(data: Path) -> list[dict[str, Any]]:
    """The 346 labelled messages; each taxonomy path (二级 + 三级 names) as a short row of its 一级;
    and messages weakly labelled by the department that answered them.

    Measured on the held-out quarter (87 rows) / by 5-fold CV over the 346:
    labelled rows alone 0.737 (CV); with the taxonomy rows at weight 2
    (C=0.25) 0.768 / 0.816; with 972 reply-labelled messages at weight 0.6
    as well 0.844 / 0.826. Self-training on the unlabelled messages had
    lowered it (0.67–0.74): they span 15 fields, not 7 — the departments
    give labels only where a field of this head answered.
    """
    rows = [{"id": r["id"], "title": r["title"], "text": r["text"], "label": r["label"]}
            for r in read(data, "gov_messages_train.jsonl")]
    labels = {r["label"] for r in rows}
    with open(data / "gov_messages_taxonomy.csv", encoding="utf-8") as fh:
        for n, t in enumerate(csv.DictReader(fh)):
            if t["一级分类"] in labels:
                rows.append({"id": f"taxonomy-{n}", "title": "", "text": f"{t['二级分类']} {t['三级分类']}",
                             "label": t["一级分类"], "weight": TAXONOMY_WEIGHT})
    patterns = {label: p for label, p in departments().items() if label in labels}
    known = {r["text"][:50] for r in rows}
    for r in read(data, "gov_messages_with_replies.jsonl"):
        label = reply_label(r.get("reply") or "", patterns)
        if label and r["text"][:50] not in known:   # never a copy of a labelled (maybe held-out) message
            rows.append({"id": r["id"], "title": r["title"], "text": r["text"], "label": label,
                         "weight": REPLY_WEIGHT})
    return rows


# Words of an incident report. A negative whose title has one is left out: THUCNews titles outside
# `society` still hold real incidents ("…坠入山谷至少15人死亡", "…发生雪崩 2名男子被掩埋"), and labelled
# 'none' they taught the head to miss them and counted as false alarms when it did not.
INCIDENT_WORDS = re.compile(r"死|伤|遇难|失踪|事故|爆炸|火灾|起火|大火|地震|坠|撞|泄漏|中毒|疫情|袭击|塌|溺|洪|暴雨|"
                            r"台风|泥石流|遇险|枪击|被困|雪崩|掩埋|获救|遇害|身亡|丧生|罹难|海啸|病例|感染")


def incident_rows(data: Path, negatives_per_source: int = 1400) -> list[dict[str, Any]]:
    """CEC reports by type, plus ordinary text labelled 'none'.

    Negatives: citizen messages (long, local, often complaints) and THUCNews
    titles of every class except ``society``, whose titles include real
    incidents and would teach the head to ignore them; any negative whose
    title reads like an incident is left out (INCIDENT_WORDS). 1,400 of each
    rather than 700: complaints about noise and smoke were the false alarms,
    and more of them as negatives raised held-out precision 0.948 → 0.968 at
    the same recall (0.989).
    """
    rng = random.Random(SEED)
    rows = []
    for r in read(data, "cec_incidents_train.jsonl"):
        rows.append({"id": r["id"], "title": r["title"], "text": r["text"], "label": r["label"]})
        # The headline alone as well: alerts often start from a title or a short post, and the
        # negatives include many short titles, so without this a bare headline reads as 'none'.
        rows.append({"id": r["id"] + "-title", "title": r["title"], "text": "", "label": r["label"],
                     "weight": 1.0, "group": r["id"]})
    messages = read(data, "gov_messages_with_replies.jsonl") + read(data, "gov_messages_hot_unlabeled.jsonl")
    titles = [r for r in read(data, "thucnews_titles_train.jsonl") if r["label"] != "society"]
    for r in rng.sample(messages, negatives_per_source) + rng.sample(titles, negatives_per_source):
        if not INCIDENT_WORDS.search(r["title"]):
            rows.append({"id": r["id"], "title": r["title"], "text": r.get("text", ""), "label": NONE})
    return rows


def unlabelled_messages(data: Path) -> list[dict[str, Any]]:
    """The 7,142 citizen messages without labels (hot issues and messages with replies)."""
    return read(data, "gov_messages_hot_unlabeled.jsonl") + read(data, "gov_messages_with_replies.jsonl")


BUILDERS = {"rumor": rumor_rows, "domain": domain_rows, "incident_type": incident_rows}


def split(rows: list[dict[str, Any]], test_size: float = 0.25) -> tuple[list[dict], list[dict]]:
    """Stratified split of the primary rows; auxiliary (weighted) rows go to the fitting side."""
    primary = [r for r in rows if "weight" not in r]
    auxiliary = [r for r in rows if "weight" in r]
    fit, held = train_test_split(primary, test_size=test_size, random_state=SEED,
                                 stratify=[r["label"] for r in primary])
    held_ids = {r["id"] for r in held}
    # A row derived from a held-out row (its headline, say) would leak it: leave it out.
    return fit + [r for r in auxiliary if r.get("group") not in held_ids], held
