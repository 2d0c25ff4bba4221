import json

from classifiers import registry
from classifiers.report import write_report
from classifiers.training import train_and_save


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_rumour_report_has_charts_threshold_and_escaped_mistakes(tmp_path):
    rows = ([{"id": f"r{i}", "text": f"网传明天全市停水 赶紧转发扩散 第{i}条", "label": "rumor"} for i in range(12)]
            + [{"id": f"n{i}", "text": f"市水务集团发布计划停水通知 第{i}期", "label": "non-rumor"} for i in range(12)]
            + [{"id": "odd", "text": "<script>alert(1)</script> 市水务集团 转发", "label": "rumor"}])
    data = _write(tmp_path / "d.jsonl", rows)
    train_and_save("rumor", data, tmp_path / "model")
    result = write_report(tmp_path / "model", data, tmp_path / "out")
    for name in ("report.html", "confusion.png", "pr.png", "metrics.json"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    assert result["curves"][0]["positive"] == "rumor" and result["curves"][0]["threshold"] == 0.5
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "模型评估报告" in page and "<script>alert(1)</script>" not in page
    assert (tmp_path / "out" / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_incident_report_draws_detection_curve(tmp_path):
    rows = [{"id": "a", "title": "某市化工厂发生爆炸 已致3人死亡", "label": "事故灾难"},
            {"id": "b", "title": "某县发生4.5级地震 暂无人员伤亡", "label": "自然灾害"},
            {"id": "c", "title": "市政府召开常务会议研究部署经济工作", "label": "none"},
            {"id": "d", "title": "小区物业费上涨引发业主不满", "label": "none"}]
    data = _write(tmp_path / "d.jsonl", rows)
    result = write_report(registry.resolve("incident_type"), data, tmp_path / "out")
    assert result["curves"] and result["curves"][0]["positive"] == "incident"
