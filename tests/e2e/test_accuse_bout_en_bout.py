"""End-to-end acknowledgement: the embedded broker acknowledged a partner's events, then was
restarted on memory storage (it forgot them all) before the platform decided them. The
partner's outbox, which keeps each event until the platform's receipt, sends them again: every
event is decided once, the views count each once, nothing is lost."""
from __future__ import annotations

import random
import time
import uuid
from collections import Counter

import pytest
from platform_support import arreter, demarrer

from ambition.broker import EmbeddedBroker
from ambition.config import load_topics
from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import RENTREE, TODAY
from ambition.sdk import LyceeProducer
from ambition.simulator import inscription
from ambition.topics import create_topics

pytestmark = pytest.mark.e2e
ELIGIBLES, BTS = 20, 3


def test_a_broker_that_forgets_loses_nothing_a_partner_sent(tmp_path):
    # the ingest worker is not running yet: the broker holds the events, undecided
    r = demarrer(tmp_path, workers=("relay", "projections", "api"))
    cred = next(c for c in demo_partners(r.settings) if c.partner_id == "lycee:0753268V")
    rng, envoyes = random.Random(14), {}
    p = LyceeProducer(cred, settings=r.settings, outbox_path=tmp_path / "lycee.outbox",
                      api_url=r.base_url, api_token=r.tokens[cred.partner_id], renvoi_apres=3)
    try:
        for i in range(ELIGIBLES + BTS):
            champs, _ = inscription(rng, cred.identifiant, RENTREE, TODAY)
            champs.update(diplome="BTS" if i < BTS else "CAP", session_examen=RENTREE.year,
                          en_emploi=False, en_formation=False)
            eid = str(uuid.uuid4())
            p.eleve_inscrit(**champs, event_id=eid)
            envoyes[eid] = "refuse" if i < BTS else "accepte"
        deadline = time.monotonic() + 60
        while p.outbox.en_vol() < len(envoyes):  # every event acknowledged by the broker
            assert time.monotonic() < deadline, "the broker never acknowledged the events"
            time.sleep(0.1)
        assert p.pending() == len(envoyes)  # ... and none settled: nothing was decided

        r.broker.stop()  # memory storage: everything it held is gone
        r.broker = EmbeddedBroker(r.broker.port, log_path=tmp_path / "broker-2.log").start()
        create_topics(r.broker.bootstrap, load_topics())
        r.platform.start_worker("ingest")

        assert p.flush(timeout=180), f"{p.pending()} event(s) never decided"
        verdicts = p.verdicts()
        assert {e: v for e, (v, _) in verdicts.items()} == envoyes
        assert Counter(c for v, c in verdicts.values() if v == "refuse") == {"ELIGIBILITE_DIPLOME": BTS}
        synthese = r.wait_for("/v1/psad/synthese",
                              lambda b: b["entrees"] + sum(b["refus"].values()) >= ELIGIBLES + BTS,
                              timeout=120)
        assert synthese["entrees"] == ELIGIBLES and synthese["refus"] == {"ELIGIBILITE_DIPLOME": BTS}
        vue = r.get(f"/v1/lycees/{cred.identifiant}/eleves", cred.partner_id, limit=1000)
        assert vue["total"] == ELIGIBLES
    finally:
        p.close(timeout=1)
        arreter(r)
