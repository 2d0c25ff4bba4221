"""Cases opened by the pipeline: one per event, T0 and the five-hour deadline, response cases, grades."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from classifiers.classify import Classifier
from pipeline import keys
from pipeline.ingest import process_batch
from responders.cases import Responder, case_id, get, list_cases, tick, versions
from responders.config import load
from responders.workflow import Actions

from support import run_cli

REPORT = ("6月3日14时许，四川省雅江县一煤矿发生瓦斯爆炸事故，截至目前已造成12人死亡、5人受伤，事故原因正在调查中。"
          "应急管理局负责同志已赶赴现场指导救援，伤者已送医救治。")
DETECTED = datetime(2024, 6, 3, 8, 0, tzinfo=timezone.utc)      # 16:00 Beijing, two hours after T0


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


def _items(title="雅江县煤矿瓦斯爆炸致12人死亡", text=REPORT, item_id="c1"):
    return [{"id": item_id, "title": title, "text": text, "source": "news",
             "published_at": "2024-06-03T16:00:00+08:00"}]


def _ingest(conn, classifier, items, at=DETECTED):
    return process_batch(conn, items, classifier, clock=lambda: at.timestamp())


def test_major_incident_opens_one_case_with_the_five_hour_deadline(redis_conn, redis_url, classifier):
    _ingest(redis_conn, classifier, _items())
    _ingest(redis_conn, classifier, _items())                      # the same incident again
    _ingest(redis_conn, classifier, _items(item_id="c2"))          # and a copy of it from elsewhere
    out = run_cli("cases", "--json", env={"REDIS_URL": redis_url})
    (case,) = json.loads(out.stdout)
    assert set(case) == {"id", "event_id", "title", "type", "level", "t0", "deadlines", "status", "unit",
                         "first_release_at", "overdue", "draft"}
    t0 = datetime.fromisoformat(case["t0"])
    assert t0 == datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)          # 14:00 Beijing time, occurred_at
    assert datetime.fromisoformat(case["deadlines"]["release"]) == t0 + timedelta(hours=5)
    assert datetime.fromisoformat(case["deadlines"]["press_conference"]) == t0 + timedelta(hours=24)
    assert case["type"] == "事故灾难" and case["level"] == "重大" and case["overdue"] is True
    assert case["status"] == "起草" and case["first_release_at"] is None
    draft = case["draft"]
    assert "雅江县" in draft and "瓦斯爆炸事故" in draft and "12人死亡" in draft and "5人受伤" in draft
    assert "6月3日14时许" in draft and "此件公开发布" in draft
    assert redis_conn.zcard(keys.CASES_ALL) == 1
    assert [v["version"] for v in versions(redis_conn, case["id"])] == [1]   # unchanged facts: no new version


def test_overdue_follows_the_clock(redis_conn, classifier):
    _ingest(redis_conn, classifier, _items())
    (case,) = list_cases(redis_conn, clock=lambda: datetime(2024, 6, 3, 10, 59, tzinfo=timezone.utc))
    assert case["overdue"] is False
    (case,) = list_cases(redis_conn, clock=lambda: datetime(2024, 6, 3, 11, 1, tzinfo=timezone.utc))
    assert case["overdue"] is True


def test_growing_figures_update_the_auto_draft_and_t0_only_moves_earlier(redis_conn, classifier):
    _ingest(redis_conn, classifier, _items())
    worse = REPORT.replace("已造成12人死亡", "死亡人数已上升至15人")
    _ingest(redis_conn, classifier, _items(text=worse, item_id="c9"), at=DETECTED + timedelta(hours=1))
    case = get(redis_conn, case_id(json.loads(redis_conn.get(keys.alert(redis_conn.zrange(keys.ALERTS_OPEN, 0, 0)[0]
                                                                                   .decode())))["event_id"]))
    assert case["t0"] == "2024-06-03T06:00:00+00:00"
    assert case["facts"]["deaths"] == 15          # folded into the same event: the draft follows the figures
    assert "15人死亡" in case["draft"]
    assert any(h["action"] == "facts" and "deaths 12→15" in h["detail"] for h in case["history"])
    assert len(versions(redis_conn, case["id"])) == 2


def test_an_incident_detected_after_its_deadline_opens_overdue_and_escalates_at_once(redis_conn, classifier):
    late = datetime(2024, 6, 3, 12, 0, tzinfo=timezone.utc)            # T0 + 6 h
    _ingest(redis_conn, classifier, _items(), at=late)
    (case,) = list_cases(redis_conn, clock=lambda: late)
    full = get(redis_conn, case["id"])
    assert case["overdue"] is True
    assert full["escalated_to"] == "主要领导"
    assert "breach:release" in full["fired"]
    assert all(full["fired"][k].get("skipped") for k in full["fired"] if k.startswith("remind:release"))
    notices = [json.loads(redis_conn.get(keys.notice(n.decode()))) for n in redis_conn.lrange(keys.OUTBOX, 0, -1)]
    kinds = sorted(n["kind"] for n in notices)
    assert kinds == ["breach", "open"]         # no stale reminders sent after the fact
    assert "主要领导" in next(n for n in notices if n["kind"] == "breach")["roles"]


def test_a_rumour_alert_opens_a_48_hour_response_case_with_a_rebuttal_draft(redis_conn, classifier):
    responder = Responder(dict(load(), response_cases={"concerns": ["不实信息"], "rumor_score_at_least": 0.0}))
    event = {"id": "ev-r1", "title": "网传某地自来水有毒<script>alert(1)</script>{{ config }}", "items": 3,
             "concern": "不实信息", "rumor_score": 0.93, "incident": {}, "region": {"place": None},
             "t0": "2024-06-01T00:00:00+00:00"}
    (case,) = responder.on_events(redis_conn, [(event, True)], DETECTED)
    assert case["kind"] == "response" and set(case["deadlines"]) == {"response"}
    assert case["deadlines"]["response"] == "2024-06-03T00:00:00+00:00"
    assert case["draft_kind"] == "rebuttal"
    assert event["title"] in case["draft"]                     # crawled text is data, kept literally
    assert "系谣言" in case["draft"] or "谣言" in case["draft"]
    assert list_cases(redis_conn) == []                        # `cases --json` lists incident cases only
    assert len(list_cases(redis_conn, kind=None)) == 1
    # An event that is neither alerted nor major opens nothing.
    quiet = dict(event, id="ev-r2", rumor_score=0.1, concern="其他")
    assert responder.on_events(redis_conn, [(quiet, False)], DETECTED) == []


def test_a_response_case_becomes_an_incident_case_when_the_grade_rises(redis_conn):
    responder = Responder(load())
    base = {"id": "ev-u1", "title": "某县化工厂爆炸", "items": 2, "concern": "公众切身利益", "rumor_score": 0.1,
            "region": {"place": "某县"}, "t0": "2024-06-03T06:00:00+00:00",
            "incident": {"type": "事故灾难", "level": "较大", "deaths": 4}}
    responder.on_events(redis_conn, [(base, True)], DETECTED)
    grown = dict(base, items=9, triggers_response=True, incident={"type": "事故灾难", "level": "重大", "deaths": 11})
    (case,) = responder.on_events(redis_conn, [(grown, True)], DETECTED + timedelta(minutes=5))
    assert case["id"] == "case-u1" and case["kind"] == "incident"
    assert set(case["deadlines"]) == {"release", "press_conference"}
    assert case["draft_kind"] == "incident" and "11人死亡" in case["draft"]
    assert any(h["action"] == "kind" for h in case["history"])
    assert redis_conn.zcard(keys.CASES_ALL) == 1


def test_an_operator_raises_a_grade_and_the_figures_never_undo_it(redis_conn, classifier):
    text = "某县一工厂发生火灾，造成1人受伤，原因正在调查。"
    _ingest(redis_conn, classifier, _items(title="某县工厂火灾致1人受伤", text=text))
    event_id = redis_conn.zrange(keys.EVENTS_BY_TIME, 0, 0)[0].decode()
    assert list_cases(redis_conn, kind=None) == []
    actions = Actions(redis_conn, load(), clock=lambda: DETECTED)
    case = actions.set_level(event_id, "重大", by="王处长", reason="涉及危化品，社会关注度高")
    assert case["kind"] == "incident" and case["level"] == "重大" and case["level_override"] == "重大"
    _ingest(redis_conn, classifier, _items(title="某县工厂火灾致1人受伤", text=text, item_id="c3"))
    assert get(redis_conn, case["id"])["level"] == "重大"
    lowered = actions.set_level(event_id, "较大", by="王处长", reason="核实后影响有限")
    assert lowered["kind"] == "response" and set(lowered["deadlines"]) == {"response"}
    assert [h["by"] for h in lowered["history"] if h["action"] == "level"] == ["王处长", "王处长"]


def test_tick_only_touches_due_cases(redis_conn, classifier):
    _ingest(redis_conn, classifier, _items())
    cfg = load()
    assert tick(redis_conn, cfg, DETECTED) == 0
    due = redis_conn.zscore(keys.CASES_DUE, "case-" + redis_conn.zrange(keys.EVENTS_BY_TIME, 0, 0)[0].decode()[3:])
    assert due == (DETECTED + timedelta(minutes=30)).timestamp()          # first: the acknowledgement deadline
    assert tick(redis_conn, cfg, DETECTED + timedelta(minutes=31)) == 1


def test_copies_that_change_nothing_the_case_depends_on_do_not_rewrite_it(redis_conn):
    responder = Responder(load())
    event = {"id": "ev-s1", "title": "某县化工厂爆炸", "items": 2, "concern": "突发事件与灾害", "rumor_score": 0.1,
             "region": {"place": "某县"}, "t0": "2024-06-03T06:00:00+00:00", "triggers_response": True,
             "incident": {"type": "事故灾难", "level": "重大", "deaths": 11}}
    (first,) = responder.on_events(redis_conn, [(event, True)], DETECTED)
    assert responder.on_events(redis_conn, [(dict(event, items=40), True)], DETECTED + timedelta(minutes=1)) == []
    assert get(redis_conn, first["id"])["updated_at"] == first["updated_at"]
    (grown,) = responder.on_events(redis_conn, [(dict(event, incident={**event["incident"], "deaths": 13}), True)],
                                   DETECTED + timedelta(minutes=2))
    assert grown["facts"]["deaths"] == 13 and "13人死亡" in grown["draft"]


def test_cases_changed_together_fall_back_to_one_at_a_time_when_another_writer_got_there_first(redis_conn, redis_url):
    """mutate_many is one WATCH/MULTI for a worker's batch; a case written by someone else in between
    makes it redo each case alone: neither that write nor any of the batch's changes is lost."""
    import redis as redis_lib

    from responders.cases import mutate_many

    cfg = load()
    now = datetime(2024, 6, 3, 8, 0, tzinfo=timezone.utc)
    other = redis_lib.Redis.from_url(redis_url)
    base = {"opened_at": now.isoformat(), "status": "已关闭", "kind": "response",
            "deadlines": {"response": (now + timedelta(hours=48)).isoformat()}}
    for cid in ("case-a", "case-b"):
        redis_conn.set(keys.case(cid), json.dumps({**base, "id": cid, "notes": []}))
    calls = {"n": 0}

    def note(label):
        def change(old, extra):
            calls["n"] += 1
            if calls["n"] == 1:      # another writer changes case-b while the batch is being prepared
                doc = json.loads(other.get(keys.case("case-b")))
                other.set(keys.case("case-b"), json.dumps({**doc, "notes": doc["notes"] + ["other"]}))
            return {**old, "notes": old["notes"] + [label]}
        return change

    out = mutate_many(redis_conn, {"case-a": note("a"), "case-b": note("b")}, cfg, now)
    assert len(out) == 2 and calls["n"] == 4          # two planned, then each again alone
    assert json.loads(redis_conn.get(keys.case("case-a")))["notes"] == ["a"]
    assert json.loads(redis_conn.get(keys.case("case-b")))["notes"] == ["other", "b"]
