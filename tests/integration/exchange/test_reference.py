"""A partner may address a parcours by the reference the platform issued (``parcours:<id>``, the
parcours id of the views): a mission locale that never learnt the INE welcomes the élève; an
unknown reference is refused SUJET_INVALIDE, and no reference can enrol."""
from __future__ import annotations

from datetime import date

import pytest

from ambition.pseudonym import cle_parcours
from contracts_support import INSCRIPTION

pytestmark = pytest.mark.integration


def test_a_mission_locale_addresses_the_parcours_by_its_reference(enregistreur, processor_factory, settings):
    lycee = enregistreur.producteurs["lycee:0753268V"]
    ml = enregistreur.producteurs["ml:13002526500013"]
    proc = processor_factory()
    lycee.eleve_inscrit(**INSCRIPTION)
    assert [o.statut for o in proc.handle(enregistreur.nouveaux()).outcomes] == ["accepte"]
    parcours = proc.app.parcours(cle_parcours(INSCRIPTION["ine"], settings.pseudonym_secret))
    reference = f"parcours:{parcours.id}"  # what the lycée's view and the timeline show

    ml.accueil_realise(cle=reference, conseiller="c-1", date=date(2025, 9, 20))
    ml.accueil_realise(cle="parcours:00000000-0000-4000-8000-000000000000", conseiller="c-1",
                       date=date(2025, 9, 20))
    outcomes = proc.handle(enregistreur.nouveaux()).outcomes
    assert sorted((o.statut, o.reason or "") for o in outcomes) == [("accepte", ""), ("refuse", "SUJET_INVALIDE")]
    assert proc.app.parcours(parcours.cle).mission_locale == "13002526500013"
