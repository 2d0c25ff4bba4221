"""The operators' console: models and their metrics, promote/rollback, relabel queue, editors, test box."""

import json

from classifiers import registry
from pipeline import keys

from dashboard_support import make_users, signed_in


def test_only_operators_reach_the_console(settings, redis_conn):
    make_users(redis_conn)
    assert signed_in(settings, "张三").get("/console").status_code == 403
    page = signed_in(settings, "运维小赵").get("/console").get_data(as_text=True)
    for head in ("rumor", "domain", "incident_type"):
        assert f"/console/models/{head}/rollback" in page
    assert "使用中" in page and "混淆矩阵" in page and "macro_f1=" in page


def test_promote_and_roll_back_a_registered_version(settings, redis_conn):
    make_users(redis_conn)
    ops = signed_in(settings, "运维小赵")
    registered = registry.register(settings.var_dir, registry.shipped_dir("rumor"))   # same model, new entry
    version = registered.name
    page = ops.post("/console/models/rumor/promote", data={"csrf_token": ops.csrf, "version": version},
                    follow_redirects=True).get_data(as_text=True)
    assert f"rumor 已切换到 {version}" in page
    assert registry.resolve("rumor", settings.var_dir) == registered
    assert "未能完成" in ops.post("/console/models/rumor/promote", data={"csrf_token": ops.csrf, "version": "nope"},
                                follow_redirects=True).get_data(as_text=True)
    page = ops.post("/console/models/rumor/rollback", data={"csrf_token": ops.csrf},
                    follow_redirects=True).get_data(as_text=True)
    assert "未能完成" in page                    # nothing was promoted before it: nothing to roll back to
    assert [e["action"] for e in __import__("dashboard.audit", fromlist=["x"]).recent(redis_conn)][0] == "model_promote"


def test_the_relabel_queue_puts_the_most_uncertain_first(settings, redis_conn):
    make_users(redis_conn)
    for n, score in enumerate((0.95, 0.52, 0.1, 0.4)):
        item = {"id": f"q{n}", "title": f"条目{n}", "text": "正文", "source": "weibo",
                "classification": {"rumor": {"score": score, "is_rumor": score >= 0.5}, "domain": "其他"}}
        redis_conn.set(keys.item(item["id"]), json.dumps(item, ensure_ascii=False))
        redis_conn.zadd(keys.ITEMS_BY_TIME, {item["id"]: n})
    from dashboard.console import uncertain
    assert [i["id"] for i in uncertain(redis_conn)] == ["q1", "q3", "q2", "q0"]
    ops = signed_in(settings, "运维小赵")
    ops.post("/items/q1/label", data={"csrf_token": ops.csrf, "head": "rumor", "label": "non-rumor", "back": "/console"})
    assert [i["id"] for i in uncertain(redis_conn)] == ["q3", "q2", "q0"]     # labelled ones leave the queue


def test_scheme_and_dictionary_editors_validate_save_and_the_test_box_uses_them(settings, redis_conn):
    make_users(redis_conn)
    ops = signed_in(settings, "运维小赵")
    bad = ops.post("/console/schemes", data={"csrf_token": ops.csrf, "text": "schemes: [{name: }]"},
                   follow_redirects=True).get_data(as_text=True)
    assert "未保存" in bad and not (settings.var_dir / "schemes.yaml").exists()
    good = ("schemes:\n  - name: 测试方案\n    region: [雅江县]\n    subject: [煤矿]\n    event: [爆炸]\n")
    ops.post("/console/schemes", data={"csrf_token": ops.csrf, "text": good})
    assert (settings.var_dir / "schemes.yaml").read_text(encoding="utf-8") == good
    ops.post("/console/userdict", data={"csrf_token": ops.csrf, "text": "瓦斯爆炸事故 100 n"})
    assert (settings.var_dir / "userdict.txt").read_text(encoding="utf-8") == "瓦斯爆炸事故 100 n\n"
    page = ops.get("/console", query_string={"test": "雅江县一煤矿发生瓦斯爆炸<script>x</script>"}).get_data(as_text=True)
    assert "测试方案" in page and "<code>煤矿</code>" in page and "&lt;script&gt;" in page and "<script>x" not in page
