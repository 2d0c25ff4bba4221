import json

from classifiers.classify import Classifier
from classifiers.eval_types import annotated_set, evaluate
from classifiers.type_rules import INCIDENT_TYPES


def test_annotated_set_holds_types_or_null_for_unseen_titles():
    rows = annotated_set()
    assert len(rows) == len({r["id"] for r in rows}) > 50
    assert all(r["type"] in INCIDENT_TYPES or r["type"] is None for r in rows)
    # society titles: the incident head never trains on them (classifiers/datasets.py)
    assert {r["file"] for r in rows} == {"thucnews_titles_train.jsonl"}


def test_evaluate_counts_detection_and_types_with_and_without_rules(tmp_path):
    # Titles written for the test, in a data directory of their own.
    titles = {"t1": "某市化工厂发生爆炸 已致12人死亡", "t2": "今天天气晴朗适合出游", "t3": "高速公路两车相撞 3人死亡"}
    with open(tmp_path / "news.jsonl", "w", encoding="utf-8") as fh:
        for k, title in titles.items():
            fh.write(json.dumps({"id": k, "title": title}, ensure_ascii=False) + "\n")
    rows = [{"id": "t1", "file": "news.jsonl", "type": "事故灾难"},
            {"id": "t2", "file": "news.jsonl", "type": None},
            {"id": "t3", "file": "news.jsonl", "type": "事故灾难"}]
    classifier = Classifier()
    result = evaluate(tmp_path, rows, classifier)
    assert (result["n"], result["incidents"]) == (3, 2)
    assert result["detected"] == 2 and result["detection_recall"] == 1.0 and result["false_alarms"] == 0
    assert result["with_rules"]["type_correct"] == 2
    assert result["model"]["type_correct"] <= result["with_rules"]["type_correct"]
    assert classifier.type_rules  # restored after the model-only pass
