"""The case clock as a pure function of the case: reminders, breach, escalation, repeats, 续报."""

from datetime import datetime, timedelta, timezone

from responders.clock import advance, next_due, plan
from responders.config import load

T0 = datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)


def _case(opened=T0, **extra):
    case = {"id": "case-x", "kind": "incident", "status": "起草", "title": "某地爆炸", "level": "重大",
            "type": "事故灾难", "unit": "信息处", "t0": T0.isoformat(), "opened_at": opened.isoformat(),
            "deadlines": {"release": (T0 + timedelta(hours=5)).isoformat(),
                          "press_conference": (T0 + timedelta(hours=24)).isoformat()},
            "first_release_at": None, "press_conference_at": None, "acked_at": None, "releases": []}
    case.update(extra)
    return case


def test_reminders_come_at_2_4_and_4h30_then_the_breach():
    cfg = dict(load(), escalation={**load()["escalation"], "ack_minutes": 10_000})
    case = _case()
    fired = []
    for minutes in range(0, 6 * 60, 5):
        fired += [(minutes, n["kind"]) for n in advance(case, cfg, T0 + timedelta(minutes=minutes))]
    assert fired == [(120, "remind"), (240, "remind"), (270, "remind"), (300, "breach")]
    assert case["escalated_to"] == "主要领导"


def test_a_late_detection_skips_stale_reminders_and_breaches_at_once():
    case = _case(opened=T0 + timedelta(hours=7))
    notices = advance(case, load(), T0 + timedelta(hours=7))
    assert [n["kind"] for n in notices] == ["breach"]
    assert all(v.get("skipped") for k, v in case["fired"].items() if k.startswith("remind:release"))
    assert "已超过发布权威信息时限" in notices[0]["subject"] and "主要领导" in notices[0]["roles"]


def test_a_missed_acknowledgement_climbs_the_chain_then_repeats_once_per_period():
    cfg = load()
    case = _case()
    seen = []
    for minutes in range(0, 200, 1):
        seen += [n["roles"] for n in advance(case, cfg, T0 + timedelta(minutes=minutes)) if n["kind"] == "escalate"]
    # 30 min: 分管领导; 60: 主要领导; then every 60 min to 主要领导 (120, 180)
    assert seen == [["分管领导"], ["主要领导"], ["主要领导"], ["主要领导"]]
    case["acked_at"] = (T0 + timedelta(minutes=200)).isoformat()
    assert not [s for s in plan(case, cfg, T0 + timedelta(hours=3)) if s.group == "ack"]


def test_a_scheduler_that_was_down_sends_one_escalation_not_a_backlog():
    case = _case()
    notices = advance(case, load(), T0 + timedelta(hours=3, minutes=30))
    kinds = [(n["kind"], tuple(n["roles"])) for n in notices]
    assert kinds.count(("escalate", ("主要领导",))) == 1
    assert [k for k, _ in kinds].count("remind") == 1


def test_publication_stops_the_release_clock_and_growth_asks_for_a_followup():
    cfg = load()
    published = T0 + timedelta(hours=4)
    case = _case(acked_at=T0.isoformat(), first_release_at=published.isoformat(),
                 releases=[{"at": published.isoformat()}], grown_since_release=True)
    assert not [s for s in plan(case, cfg, published) if s.group == "release"]
    due = next_due(case, cfg, published)
    assert due == published + timedelta(hours=cfg["milestones"]["followup_hours"])
    (notice,) = [n for n in advance(case, cfg, due) if n["kind"] == "followup"]
    assert "续报" in notice["subject"]


def test_a_closed_case_has_no_timers_and_response_cases_do_not_page_leaders():
    cfg = load()
    assert plan(_case(status="已关闭"), cfg, T0) == [] and next_due(_case(status="已关闭"), cfg, T0) is None
    response = _case(kind="response", deadlines={"response": (T0 + timedelta(hours=48)).isoformat()})
    steps = plan(response, cfg, T0)
    assert {s.group for s in steps} == {"response"}
    notices = advance(response, cfg, T0 + timedelta(hours=49))
    assert [n["kind"] for n in notices] == ["breach"] and "分管领导" in notices[0]["roles"]
