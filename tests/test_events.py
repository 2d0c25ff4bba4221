from pipeline.events import MAX_DISTANCE, assign, band_keys, distance, simhash


def test_simhash_is_stable_64_bit_and_close_for_close_texts():
    a = simhash(["福建", "长乐", "酒吧", "火灾", "死亡"] * 3 + ["消防", "救援"])
    b = simhash(["福建", "长乐", "酒吧", "火灾", "死亡"] * 3 + ["消防", "救援", "转载"])
    c = simhash(["小区", "物业", "停车费", "业主", "投诉"])
    assert 0 <= a < 2 ** 64 and a == simhash(["福建", "长乐", "酒吧", "火灾", "死亡"] * 3 + ["消防", "救援"])
    assert distance(a, b) <= MAX_DISTANCE < distance(a, c)
    assert len(band_keys(a)) == 4


def test_identical_content_joins_one_event_and_assign_is_idempotent(redis_conn):
    tokens = ["词%d" % i for i in range(20)]
    fp = simhash(tokens)
    first = assign(redis_conn, "i1", "hash-1", fp, 20)
    assert first == "ev-i1"
    assert assign(redis_conn, "i2", "hash-1", fp, 20) == "ev-i1"       # a copy
    assert assign(redis_conn, "i1", "hash-1", fp, 20) == "ev-i1"       # redone
    near = fp ^ 0b101                                                  # two bits differ
    assert assign(redis_conn, "i3", "hash-3", near, 20) == "ev-i1"
    far = fp ^ (2 ** 64 - 1)
    assert assign(redis_conn, "i4", "hash-4", far, 20) == "ev-i4"


def test_short_texts_only_join_by_identical_content(redis_conn):
    fp = simhash(["短"])
    assign(redis_conn, "s1", "h-s1", fp, 1)
    assert assign(redis_conn, "s2", "h-s2", fp, 1) == "ev-s2"


def test_developing_reports_of_one_incident_join_its_event(redis_conn):
    from pipeline.events import join_incidents

    def result(deaths, place="雅江县", day="2024-06-03T14:00:00+08:00", level="重大"):
        return {"incident": {"type": "事故灾难", "level": level, "deaths": deaths, "occurred_at": day},
                "region": {"place": place}}

    first = join_incidents(redis_conn, ["ev-a"], [result(12)])
    later = join_incidents(redis_conn, ["ev-b", "ev-c", "ev-d", "ev-e"],
                           [result(15), result(3, place="康定市"), {"incident": {}, "region": {}},
                            result(1, day="2024-06-04T09:00:00+08:00")])
    assert first == ["ev-a"]
    assert later == ["ev-a", "ev-c", "ev-d", "ev-e"]      # same type, place and day; others untouched
    assert join_incidents(redis_conn, ["ev-b"], [result(15)]) == ["ev-a"]   # redone: same answer


def test_batch_simhash_matches_the_definition_bit_for_bit():
    """Bit k is set when the counts of tokens whose hash has bit k outweigh those without it."""
    from collections import Counter

    from pipeline.events import _hash64, simhash_batch

    def reference(tokens):
        counts = Counter(tokens)
        return sum(1 << k for k in range(64)
                   if sum(w if _hash64(t) >> k & 1 else -w for t, w in counts.items()) > 0)

    lists = [["福建", "长乐", "酒吧", "火灾"] * 3 + ["消防"], [], ["短"], ["小区", "物业", "停车费", "物业"],
             [f"词{i}" for i in range(300)]]
    assert simhash_batch(lists) == [reference(tokens) for tokens in lists]
    assert simhash_batch(lists)[1] == 0 and simhash_batch([]) == []
