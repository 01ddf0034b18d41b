"""The outbox settled end to end: an event stays until the platform's receipt says it was
decided, and is sent again when no receipt came in time (a broker that forgot it)."""
from __future__ import annotations

import time
import uuid

from ambition.sdk.outbox import Drainer, Outbox


class Plateforme:
    """Receipts as GET /v1/partenaires/moi/accuses answers them; decides what it is told to."""

    def __init__(self):
        self.recus: list[dict] = []

    def decider(self, event_id: str, statut: str, code: str | None = None) -> None:
        self.recus.append({"position": len(self.recus) + 1, "event_id": event_id,
                           "statut": statut, "code": code})

    def lire(self, depuis: int) -> list[dict]:
        return [r for r in self.recus if r["position"] > depuis][:2]  # small pages: paging is used


def mettre(outbox: Outbox, n: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(n)]
    outbox.put(("t", b"k", b"v", [("ce_id", i.encode())]) for i in ids)
    return ids


def attendre(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.02)


def drainer(outbox, kafka, plateforme, renvoi_apres=60.0) -> Drainer:
    d = Drainer(outbox, lambda: kafka, recus=plateforme.lire, renvoi_apres=renvoi_apres)
    d.start()
    return d


def test_a_broker_acknowledgement_alone_does_not_settle_an_event(kafka, tmp_path):
    outbox, plateforme = Outbox(tmp_path / "o.sqlite"), Plateforme()
    ids = mettre(outbox, 3)
    d = drainer(outbox, kafka, plateforme)
    try:
        attendre(lambda: len(kafka.sent) == 3)
        attendre(lambda: outbox.en_vol() == 3)
        assert outbox.pending() == 3
        plateforme.decider(ids[0], "accepte")
        plateforme.decider(ids[1], "refuse", "ELIGIBILITE_DIPLOME")
        plateforme.decider(ids[2], "parque")
        attendre(lambda: outbox.pending() == 0)
        assert outbox.verdicts() == {ids[0]: ("accepte", None), ids[1]: ("refuse", "ELIGIBILITE_DIPLOME"),
                                     ids[2]: ("parque", None)}
        plateforme.decider(ids[2], "accepte")  # the parked fact's final verdict
        plateforme.decider(ids[0], "doublon")  # a resend's receipt does not hide the first verdict
        plateforme.decider(str(uuid.uuid4()), "accepte")  # another outbox's event: ignored
        outbox.put([("t", b"k", b"v", [("ce_id", str(uuid.uuid4()).encode())])])  # keeps the reader going
        d.wake()
        attendre(lambda: outbox.position() == 6)
        assert outbox.verdicts()[ids[2]] == ("accepte", None)
        assert outbox.verdicts()[ids[0]] == ("accepte", None)
    finally:
        d.stop()
        d.join(5)
    assert len(kafka.sent) == 4  # nothing was sent twice: every receipt came in time


def test_an_event_with_no_receipt_is_sent_again_after_the_delay(kafka, tmp_path):
    outbox, plateforme = Outbox(tmp_path / "o.sqlite"), Plateforme()
    ids = mettre(outbox, 2)
    d = drainer(outbox, kafka, plateforme, renvoi_apres=0.3)
    try:
        attendre(lambda: len(kafka.sent) == 2)
        plateforme.decider(ids[0], "accepte")  # the other was lost by the broker
        attendre(lambda: [dict(m["headers"])["ce_id"].decode() for m in kafka.sent].count(ids[1]) >= 2)
        plateforme.decider(ids[1], "accepte")
        attendre(lambda: outbox.pending() == 0)
    finally:
        d.stop()
        d.join(5)
    assert [dict(m["headers"])["ce_id"].decode() for m in kafka.sent].count(ids[0]) == 1


def test_the_receipts_position_survives_a_restart(kafka, tmp_path):
    path, plateforme = tmp_path / "o.sqlite", Plateforme()
    outbox = Outbox(path)
    ids = mettre(outbox, 1)
    d = drainer(outbox, kafka, plateforme)
    plateforme.decider(ids[0], "accepte")
    attendre(lambda: outbox.pending() == 0)
    d.stop()
    d.join(5)
    outbox.close()
    assert Outbox(path).position() == 1 and Outbox(path).verdicts() == {ids[0]: ("accepte", None)}
