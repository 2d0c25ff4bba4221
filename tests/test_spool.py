import pytest

from crawlers.spool import Spool


def test_batches_are_delivered_oldest_first_and_removed(tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.put([{"id": "1"}])
    spool.put([{"id": "2"}, {"id": "3"}])
    sent = []
    assert spool.deliver(sent.append) == 3
    assert [[i["id"] for i in batch] for batch in sent] == [["1"], ["2", "3"]]
    assert spool.pending() == 0


def test_a_failed_send_keeps_the_file(tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.put([{"id": "1"}])

    def fail(items):
        raise ConnectionError("redis away")

    with pytest.raises(ConnectionError):
        spool.deliver(fail)
    assert spool.pending() == 1
    assert not list((tmp_path / "spool").glob("*.tmp"))
