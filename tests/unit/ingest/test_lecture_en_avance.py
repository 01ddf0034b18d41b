"""With reading processes, a large batch is decided in parts whose reading runs ahead of the
decisions: every message is decided once, in the order received, exactly as a batch read in
place would be, and a reading process that dies mid-batch loses nothing."""
from __future__ import annotations

import os
import signal
from collections import Counter

import pytest

from ambition.accuses import registre
from ambition.exchange.cohorte import generer
from ambition.ingest.lecture import SEUIL_PARALLELE, LecteurParallele


@pytest.fixture
def lecteur(settings, registry, directory):
    lecteur = LecteurParallele(settings, registry, directory, 2)
    yield lecteur
    lecteur.close()


@pytest.fixture
def cohorte(creds, settings):
    """Ten élèves, each enrolled before its other facts (the cohort's order), with the cohort's
    deliberate refusals: an ineligible enrolment, the accueil that follows it and a
    positionnement for a young person never enrolled (both parked, to become orphans)."""
    return generer(list(creds.values()), 10, seed=5, secret=settings.pseudonym_secret)


@pytest.fixture
def lot(envoyeur, cohorte):
    return envoyeur.envoie(*cohorte.faits)


def _attendus(cohorte) -> Counter:
    refuses, orphelins = cohorte.refus["ELIGIBILITE_DIPLOME"], cohorte.refus["ORPHELIN"]
    assert (refuses, orphelins) == (1, 2)
    return Counter(accepte=len(cohorte.faits) - refuses - orphelins, refuse=refuses, parque=orphelins)


def test_a_large_batch_is_decided_in_parts_read_ahead_every_message_once_in_order(
        lecteur, cohorte, lot, processor_factory):
    assert lecteur.morceaux(len(lot)) == 4 and len(lot) >= 4 * SEUIL_PARALLELE
    lus = []
    plus_tard = lecteur.plus_tard
    lecteur.plus_tard = lambda bruts: lus.append(len(bruts)) or plus_tard(bruts)
    proc = processor_factory(lecteur=lecteur)
    resultat = proc.handle(lot)
    assert len(lus) == 4 and sum(lus) == len(lot)  # four parts, all handed to the readers at once
    assert [o.incoming for o in resultat.outcomes] == lot  # each message once, in order
    assert Counter(o.statut for o in resultat.outcomes) == _attendus(cohorte)
    with proc.attente.engine.connect() as conn:
        recus = list(conn.execute(registre.accuses.select()))
    assert Counter(r.statut for r in recus) == _attendus(cohorte)  # one receipt a message


def test_a_reading_process_killed_mid_batch_loses_nothing(lecteur, cohorte, lot, processor_factory):
    proc = processor_factory(lecteur=lecteur)
    avant = lecteur.pool
    os.kill(next(iter(lecteur.pool._processes)), signal.SIGKILL)
    resultat = proc.handle(lot)
    assert [o.incoming for o in resultat.outcomes] == lot
    assert Counter(o.statut for o in resultat.outcomes) == _attendus(cohorte)
    assert lecteur.pool is not avant  # replaced by new workers
    # the new workers read: the batch again is found already decided
    assert Counter(o.statut for o in proc.handle(lot).outcomes)["doublon"] == _attendus(cohorte)["accepte"]

