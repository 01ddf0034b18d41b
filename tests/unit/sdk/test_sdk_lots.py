"""Building many messages at once (``build_many``, ``emit_many``), in this process or in worker
processes (``Atelier``): the same messages, in the order of the calls, that the platform reads."""
from __future__ import annotations

import uuid
from datetime import date

import pytest

from ambition.contracts.inbound import lire
from ambition.sdk import EvenementInvalide
from ambition.sdk.atelier import SEUIL, Atelier, repartir
from contracts_support import INSCRIPTION

# élèves of the synthetic cohort (valid INE shapes: 10 of [0-9A-Z] then a letter)
INES = [f"{k:010d}A" for k in range(1, 41)]


def _ids(n: int) -> list[str]:
    return [str(uuid.UUID(int=k + 1, version=4)) for k in range(n)]


def _appels_lycee(ids):
    """An enrolment then an activity for each élève of INES, each event_id given."""
    out = []
    for k, ine in enumerate(INES):
        out.append(("eleve_inscrit", dict(INSCRIPTION, ine=ine, event_id=ids[2 * k])))
        out.append(("activite_lycee_realisee", dict(cle=ine, activite="CONSOLIDATION_ACQUIS",
                                                    date=date(2025, 10, 1), event_id=ids[2 * k + 1])))
    return out


def _lus(messages, partner_type, registry, directory):
    return [lire(partner_type, value, headers, registry, directory) for value, headers, _ in messages]


def test_build_many_builds_in_order_and_sends_nothing(lycee, registry, directory):
    ids = _ids(4)
    messages = lycee.build_many([
        ("eleve_inscrit", dict(INSCRIPTION, event_id=ids[0])),
        ("abandon_declare", dict(cle=INSCRIPTION["ine"], date=date(2025, 11, 1), event_id=ids[1])),
    ])
    assert lycee._producer.sent == []
    lus = _lus(messages, "LYCEE", registry, directory)
    assert [(m.type, m.envelope["event_id"]) for m in lus] == [("EleveInscrit", ids[0]), ("AbandonDeclare", ids[1])]
    assert lus[0].payload["nom"] == "Martin" and lus[0].cle == lus[1].cle  # the same élève
    assert [k for _, _, k in messages] == [lycee.pseudonyme(INSCRIPTION["ine"]).encode()] * 2


def test_the_workers_build_each_producers_calls_in_order(settings, lycee, ml, registry, directory):
    ids = _ids(3 * len(INES))
    appels_lycee = _appels_lycee(ids)
    appels_ml = [("accueil_realise", dict(cle=ine, conseiller="conseiller-1", date=date(2025, 9, 20),
                                          event_id=ids[2 * len(INES) + k])) for k, ine in enumerate(INES)]
    assert len(appels_lycee) + len(appels_ml) >= SEUIL
    with Atelier(settings, processus=2) as atelier:
        du_lycee, de_la_ml = atelier.construire_plusieurs([(lycee, appels_lycee), (ml, appels_ml)])
        assert [dict(h)["ce_id"].decode() for _, h, _ in lycee.build_many(appels_lycee, atelier)] \
            == ids[:2 * len(INES)]
    lus = _lus(du_lycee, "LYCEE", registry, directory)
    assert [m.envelope["event_id"] for m in lus] == ids[:2 * len(INES)]
    assert [m.type for m in lus[:2]] == ["EleveInscrit", "ActiviteLyceeRealisee"]
    assert [m.payload["ine"] for m in lus[::2]] == INES  # each identity sealed with its own call
    assert [k for _, _, k in du_lycee[::2]] == [lycee.pseudonyme(ine).encode() for ine in INES]
    lus_ml = _lus(de_la_ml, "MISSION_LOCALE", registry, directory)
    assert [m.envelope["event_id"] for m in lus_ml] == ids[2 * len(INES):]
    assert {m.partner_id for m in lus_ml} == {"ml:13002526500013"}
    # the mission locale's subject and the lycée's name the same parcours
    assert [m.cle for m in lus_ml] == [m.cle for m in lus[::2]]
    assert lycee._producer.sent == [] and ml._producer.sent == []


def test_a_call_refused_in_a_worker_is_refused_in_the_caller_and_nothing_is_sent(settings, lycee):
    appels = _appels_lycee(_ids(2 * len(INES)))
    appels[50] = ("eleve_inscrit", dict(INSCRIPTION, uai="0753268A", event_id=str(uuid.uuid4())))
    with Atelier(settings, processus=2) as atelier:
        with pytest.raises(EvenementInvalide) as exc:
            lycee.emit_many(appels, atelier)
    assert exc.value.code == "UAI_INVALIDE"
    assert lycee._producer.sent == []


def test_emit_many_sends_every_message_in_order(lycee, registry, directory):
    ids = _ids(2 * len(INES))
    lycee.emit_many(_appels_lycee(ids))
    assert [dict(m["headers"])["ce_id"].decode() for m in lycee._producer.sent] == ids
    assert {m["topic"] for m in lycee._producer.sent} == {lycee.topic}


def test_an_eleves_subject_is_sealed_once_and_its_next_messages_carry_it(lycee, registry, directory):
    lycee.eleve_inscrit(**INSCRIPTION)
    lycee.abandon_declare(cle=INSCRIPTION["ine"], date=date(2025, 11, 1))
    lycee.abandon_declare(cle=INES[0], date=date(2025, 11, 1))
    sujets = [registry.decode(m["value"]).record["envelope"]["subject"] for m in lycee._producer.sent]
    assert sujets[0] == sujets[1] and sujets[2] != sujets[0]
    lus = [lire("LYCEE", m["value"], m["headers"], registry, directory) for m in lycee._producer.sent]
    assert lus[0].cle == lus[1].cle != lus[2].cle
    # what the producer keeps is sealed: neither the INE nor anything it was derived from in clear
    assert all(INSCRIPTION["ine"] not in k + v for k, v in lycee._sujets.items())
    # cle(ine) still seals anew each call (a partner may also keep its own subjects)
    assert lycee.cle(INSCRIPTION["ine"]) != lycee.cle(INSCRIPTION["ine"]) != sujets[0]


def test_the_least_recent_subjects_are_forgotten_beyond_the_bound(lycee, monkeypatch):
    import ambition.sdk.base as base

    monkeypatch.setattr(base, "SUJETS_GARDES", 2)
    for ine in INES[:3]:
        lycee.abandon_declare(cle=ine, date=date(2025, 11, 1))
    assert list(lycee._sujets) == [lycee.pseudonyme(ine) for ine in INES[1:3]]


def test_a_producers_calls_about_one_eleve_go_to_one_part_in_their_order():
    lycee = [("eleve_inscrit", {"ine": "E1"}), ("eleve_inscrit", {"ine": "E2"}),
             ("activite_lycee_realisee", {"cle": "E1"}), ("abandon_declare", {"cle": "E2"}),
             ("activite_lycee_realisee", {"cle": "E1"})]
    ml = [("accueil_realise", {"cle": "E1"}), ("activite_realisee", {"cle": "parcours:p"})]
    parts, places = repartir([lycee, ml], 8)
    assert len(parts) == 8 and sum(map(len, parts)) == 7
    # every call is where its place says, and a part keeps the calls' order
    for i, calls in enumerate([lycee, ml]):
        assert [parts[j][r] for j, r in places[i]] == [(i, m, c) for m, c in calls]
    for i in range(2):  # within a part, a producer's calls come in the order they were made
        for j in range(8):
            rangs = [r for jj, r in places[i] if jj == j]
            assert rangs == sorted(rangs)
    # the lycée's three calls about E1 in one part, its two about E2 in one part
    assert places[0][0][0] == places[0][2][0] == places[0][4][0]
    assert places[0][1][0] == places[0][3][0]
