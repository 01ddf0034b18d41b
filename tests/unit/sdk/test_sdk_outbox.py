"""The partner outbox: written before sending, deleted only once acknowledged, resent after a restart."""
from __future__ import annotations

import sqlite3
import time
import uuid

from prometheus_client import REGISTRY

from ambition.sdk import LyceeProducer
from contracts_support import INSCRIPTION


def producer(settings, registry, creds, kafka, path):
    return LyceeProducer(creds["lycee:0753268V"], settings=settings, registry=registry, producer=kafka,
                         outbox_path=path)


def enrol(p, n, start=0):
    ids = []
    for i in range(start, start + n):
        eid = str(uuid.uuid4())
        p.eleve_inscrit(**{**INSCRIPTION, "ine": f"{i:010d}A"}, event_id=eid)
        ids.append(eid)
    return ids


def backlog() -> float:
    return REGISTRY.get_sample_value("ambition_partner_outbox_backlog_events",
                                     {"partner_type": "LYCEE"}) or 0


def test_events_are_sent_in_order_and_the_outbox_empties(settings, registry, creds, kafka, tmp_path):
    with producer(settings, registry, creds, kafka, tmp_path / "o.sqlite") as p:
        ids = enrol(p, 5)
        assert p.flush(timeout=10) is True and p.pending() == 0
    assert kafka.event_ids() == ids and kafka.closed


def test_the_event_is_in_the_file_before_any_send(settings, registry, creds, kafka, tmp_path):
    kafka.up = False
    p = producer(settings, registry, creds, kafka, tmp_path / "o.sqlite")
    try:
        receipt = p.eleve_inscrit(**INSCRIPTION)
        rows = sqlite3.connect(tmp_path / "o.sqlite").execute("SELECT event_id FROM outbox").fetchall()
        assert rows == [(receipt.event_id,)] and receipt.topic == p.topic
    finally:
        p.close(timeout=0.1)


def test_an_outage_keeps_everything_and_nothing_is_lost_after(settings, registry, creds, kafka, tmp_path):
    base = backlog()
    with producer(settings, registry, creds, kafka, tmp_path / "o.sqlite") as p:
        kafka.up = False
        ids = enrol(p, 20)
        assert p.flush(timeout=0.5) is False
        assert p.pending() == 20 and backlog() - base == 20 and kafka.sent == []
        kafka.up = True
        assert p.flush(timeout=15) is True
        assert backlog() == base
    assert kafka.event_ids() == ids


def test_a_restart_resends_the_same_bytes_exactly_once(settings, registry, creds, kafka, tmp_path):
    path = tmp_path / "o.sqlite"
    kafka.up = False
    first = producer(settings, registry, creds, kafka, path)
    ids = enrol(first, 3)
    first.close(timeout=0.2)  # the partner system stops with 3 events unsent
    assert kafka.sent == [] and kafka.closed
    assert sqlite3.connect(path).execute("SELECT count(*) FROM outbox").fetchone() == (3,)
    kafka2 = type(kafka)()
    with producer(settings, registry, creds, kafka2, path) as second:
        assert second.flush(timeout=10)
        more = enrol(second, 1, start=10)
        assert second.flush(timeout=10)
    assert kafka2.event_ids() == ids + more  # each once, in the original order
    again = type(kafka)()
    with producer(settings, registry, creds, again, path) as third:
        assert third.flush(timeout=5)
    assert again.sent == []  # acknowledged rows are gone for good


def test_the_same_event_waiting_twice_is_kept_once(settings, registry, creds, kafka, tmp_path):
    kafka.up = False
    p = producer(settings, registry, creds, kafka, tmp_path / "o.sqlite")
    try:
        eid = str(uuid.uuid4())
        p.eleve_inscrit(**INSCRIPTION, event_id=eid)
        p.eleve_inscrit(**INSCRIPTION, event_id=eid)
        assert p.pending() == 1
        kafka.up = True
        assert p.flush(timeout=10)
    finally:
        p.close()
    assert kafka.event_ids() == [eid]


def test_without_outbox_the_producer_sends_synchronously(lycee):
    meta = lycee.eleve_inscrit(**INSCRIPTION)
    assert meta == 0 and lycee.pending() == 0 and len(lycee._producer.sent) == 1


def test_the_drainer_survives_an_unexpected_error(settings, registry, creds, kafka, tmp_path):
    class Broken(type(kafka)):
        calls = 0

        def send(self, *a, **k):
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("unexpected")
            return super().send(*a, **k)

    broken = Broken()
    with producer(settings, registry, creds, broken, tmp_path / "o.sqlite") as p:
        ids = enrol(p, 2)
        assert p.flush(timeout=10)
    assert broken.event_ids() == ids


def test_rows_decided_for_good_are_deleted_after_the_retention_the_others_stay(tmp_path):
    from ambition.sdk.outbox import GARDER, Outbox

    box = Outbox(tmp_path / "o.sqlite")
    ids = [str(uuid.uuid4()) for _ in range(4)]
    box.put([("t", b"k", f"v{i}".encode(), [("ce_id", e.encode()), ("h", b"x")]) for i, e in enumerate(ids)])
    box.envoyes([1, 2, 3])
    box.decider([{"event_id": ids[0], "statut": "accepte"}, {"event_id": ids[1], "statut": "refuse",
                  "code": "ELIGIBILITE_DIPLOME"}, {"event_id": ids[2], "statut": "parque"}], position=3)
    assert box.purger() == 0  # within the 30 days: every verdict is still there
    assert GARDER == 30 * 86400
    assert box.purger(maintenant=time.time() + 31 * 86400) == 2
    assert box.verdicts() == {ids[2]: ("parque", None), ids[3]: (None, None)}
    assert box.pending() == 1  # the undecided one; the parked one waits for its final verdict
    with sqlite3.connect(tmp_path / "o.sqlite") as db:  # the deleted rows' headers went with them
        assert db.execute("SELECT count(DISTINCT seq) FROM outbox_headers").fetchone()[0] == 2
    box.close()
