import json

import pytest

from classifiers.training import evaluate_dir, predict, read_rows, report, train_and_save
from pipeline.errors import InputError


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _rows(n=8):
    a = ["路灯不亮 夜间出行危险", "道路坑洼 车辆颠簸", "公交站台 破损 无人维修", "红绿灯 故障 路口拥堵"]
    b = ["学校 食堂 饭菜 质量", "学生 课业负担 太重", "幼儿园 入园难 学位不足", "老师 补课 收费"]
    return ([{"id": f"a{i}", "text": a[i % 4] + f" 第{i}条", "label": "交通"} for i in range(n)]
            + [{"id": f"b{i}", "title": "反映", "text": b[i % 4] + f" 第{i}条", "label": "教育"} for i in range(n)])


def test_report_has_the_contract_keys():
    out = report(["a", "a", "b"], ["a", "b", "b"])
    assert set(out) >= {"macro_f1", "accuracy", "n", "per_class"}
    assert out["n"] == 3 and out["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}


def test_train_and_evaluate_round_trip(tmp_path):
    data = _write(tmp_path / "train.jsonl", _rows(12))
    manifest = train_and_save("topic", data, tmp_path / "model")
    assert manifest["head"] == "topic" and manifest["labels"] == ["交通", "教育"]
    assert "held_out" in manifest["metrics"]
    result = evaluate_dir(tmp_path / "model", data)
    assert result["n"] == 24 and result["accuracy"] >= 0.9


@pytest.mark.parametrize("line, message", [
    ("{bad", "not valid JSON"), ('{"id": "1", "text": "x"}', "missing 'label'"),
    ('{"id": "1", "label": "a"}', "non-empty 'title' or 'text'"), ("[1]", "JSON object"),
])
def test_bad_rows_name_their_line(tmp_path, line, message):
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "0", "text": "好", "label": "a"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"d.jsonl:2: .*{message}"):
        read_rows(path)


def test_single_label_cannot_train(tmp_path):
    data = _write(tmp_path / "one.jsonl", [{"id": str(i), "text": "同一类", "label": "x"} for i in range(5)])
    with pytest.raises(InputError, match="two different labels"):
        train_and_save("x", data, tmp_path / "m")


def test_rumor_threshold_and_incident_none_threshold(tmp_path):
    from classifiers import registry
    model = registry.load(registry.resolve("incident_type"))
    rows = [{"title": "某市一居民楼发生燃气爆炸 已致5人死亡"}, {"title": "央行公布上月外汇储备数据"}]
    assert predict(model.pipeline, rows, "incident_type", 0.7) == ["事故灾难", "none"]


def test_a_rumour_head_with_a_genre_class_decides_only_rumour_or_not(tmp_path):
    """The shipped rumour head has a third class for text that is not a social post: its decisions
    (and so `yuqing evaluate` on two-label rows) are still rumour / non-rumour, by the threshold."""
    from classifiers.classify import OTHER_GENRE
    from classifiers.heads import fit_head

    posts = ["转发 紧急扩散 听说 明天 自来水 有毒", "网传 某地 地震 谣言 快转", "扩散 吃了会死 速转"]
    fine = ["今日 天气 晴朗 出门 散步", "周末 看了 一场 电影", "新学期 开学 第一天"]
    news = ["国务院 常务会议 部署 经济 工作", "央行 公布 外汇储备 数据", "市政府 召开 新闻发布会"]
    texts = [t + f" {i}" for i in range(6) for t in posts + fine + news]
    labels = [lab for _ in range(6) for lab in ["rumor"] * 3 + ["non-rumor"] * 3 + [OTHER_GENRE] * 3]
    model = fit_head(texts, labels)
    rows = [{"text": "紧急扩散 自来水 有毒 快转"}, {"text": "国务院 召开 常务会议"}]
    assert predict(model, rows, "rumor", 0.5) == ["rumor", "non-rumor"]
    assert predict(model, rows, "rumor", 0.999) == ["non-rumor", "non-rumor"]
