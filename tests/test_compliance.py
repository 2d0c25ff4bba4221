"""The compliance ledger: per milestone on time / late / missed / pending, on-time rate per unit and month."""

from datetime import datetime, timedelta, timezone

from responders.compliance import format_text, report, rows

T0 = datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)


def _case(cid, unit, first_release=None, press=None, t0=T0, status="已发布", kind="incident"):
    deadlines = ({"release": (t0 + timedelta(hours=5)).isoformat(),
                  "press_conference": (t0 + timedelta(hours=24)).isoformat()} if kind == "incident"
                 else {"response": (t0 + timedelta(hours=48)).isoformat()})
    return {"id": cid, "unit": unit, "kind": kind, "t0": t0.isoformat(), "deadlines": deadlines, "status": status,
            "first_release_at": first_release and first_release.isoformat(),
            "press_conference_at": press and press.isoformat(), "title": cid, "level": "重大"}


def test_rows_say_on_time_late_by_how_much_missed_or_pending():
    now = T0 + timedelta(hours=30)
    on_time, late = rows(_case("a", "甲", T0 + timedelta(hours=4), T0 + timedelta(hours=20)), now)
    assert (on_time["state"], late["state"]) == ("on_time", "on_time")
    (release, press) = rows(_case("b", "乙", T0 + timedelta(hours=6, minutes=30)), now)
    assert release["state"] == "late" and release["late_minutes"] == 90
    assert press["state"] == "missed" and press["late_minutes"] == 6 * 60
    (response,) = rows(_case("c", "乙", kind="response", status="起草"), now)
    assert response["state"] == "pending"


def test_monthly_rates_per_unit_by_t0_in_shanghai():
    now = T0 + timedelta(days=2)
    cases = [_case("a", "甲", T0 + timedelta(hours=4), T0 + timedelta(hours=20)),
             _case("b", "乙", T0 + timedelta(hours=6)),
             _case("c", "乙", t0=datetime(2024, 5, 31, 17, 0, tzinfo=timezone.utc))]     # 6月1日 01:00 Beijing
    rep = report(cases, "2024-06", now)
    assert {r["case_id"] for r in rep["rows"]} == {"a", "b", "c"}
    assert rep["by_unit"]["甲"]["on_time_rate"] == 1.0
    assert rep["by_unit"]["乙"]["on_time"] == 0 and rep["by_unit"]["乙"]["on_time_rate"] == 0.0
    assert rep["overall"]["on_time_rate"] == round(2 / 6, 4)
    assert report(cases, "2024-05", now)["rows"] == []
    text = format_text(rep)
    assert "按时率 100%" in text and "超时1小时0分" in text
