"""A sealed subject already opened for a partner is not opened again; another partner's copy
of it is still refused."""
from __future__ import annotations

from datetime import date

import pytest

from ambition.contracts.inbound import Rejet, lire
from ambition.pseudonym import cle_parcours
from ambition.sdk import LyceeProducer
from contracts_support import INSCRIPTION, FakeKafkaProducer


@pytest.fixture
def ouvertures(directory, monkeypatch):
    """The subjects the platform's keys actually open."""
    faites = []
    ouvrir = directory.ouvreur.ine_du_sujet

    def compter(subject, partner_id):
        faites.append(partner_id)
        return ouvrir(subject, partner_id)

    monkeypatch.setattr(directory.ouvreur, "ine_du_sujet", compter)
    return faites


def _lire(producer, registry, directory, k=-1):
    m = producer._producer.sent[k]
    return lire("LYCEE", m["value"], m["headers"], registry, directory)


def test_an_eleves_next_messages_are_read_without_opening_its_subject_again(
        lycee, registry, directory, settings, ouvertures):
    lycee.eleve_inscrit(**INSCRIPTION)
    lycee.abandon_declare(cle=INSCRIPTION["ine"], date=date(2025, 11, 1))
    lus = [_lire(lycee, registry, directory, k) for k in (0, 1)]
    assert ouvertures == ["lycee:0753268V"]  # the second message's subject was not opened
    assert lus[0].cle == lus[1].cle == cle_parcours(INSCRIPTION["ine"], settings.pseudonym_secret)
    # what the reader keeps: pseudonymous parcours keys, never the INE
    assert all(INSCRIPTION["ine"] not in s and INSCRIPTION["ine"] != c
               for (_, s), c in directory.cles_des_sujets.items())


def test_another_partners_copy_of_an_opened_subject_is_still_refused(
        lycee, registry, directory, settings, creds, ouvertures):
    lycee.abandon_declare(cle=INSCRIPTION["ine"], date=date(2025, 11, 1))
    sujet = registry.decode(lycee._producer.sent[0]["value"]).record["envelope"]["subject"]
    assert _lire(lycee, registry, directory).cle == cle_parcours(INSCRIPTION["ine"], settings.pseudonym_secret)
    autre = next(c for pid, c in creds.items() if c.type == "LYCEE" and pid != "lycee:0753268V")
    copieur = LyceeProducer(autre, settings=settings, registry=registry, producer=FakeKafkaProducer())
    copieur.abandon_declare(cle=sujet, date=date(2025, 11, 1))  # the sealed subject as it is
    with pytest.raises(Rejet) as exc:
        _lire(copieur, registry, directory)
    assert exc.value.code == "SUJET_INVALIDE"
    assert ouvertures == ["lycee:0753268V", autre.partner_id]
