"""Each partner's feed (GET /v1/flux) holds exactly the events of the parcours it serves, from
its own token, resumable by position: compared with what the cohort's partners sent."""
from __future__ import annotations

import time
from collections import defaultdict

import pytest
from platform_support import essentiel, producteurs

from ambition.contracts.identifiants import cle_uai
from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import envoyer, generer
from ambition.sdk.consumer import flux

pytestmark = pytest.mark.e2e
# the cohort's lycées: 0753268V and 0750650? in the académie of Paris, 0010001W in Lyon's
ACADEMIE = {"075": "foquale:ac-paris", "001": "foquale:ac-lyon"}


def attendu(faits_decides, secret: str) -> dict[str, set[str]]:
    """Partner -> the origin event ids of the facts (in the order they were decided) of the
    parcours it serves: the lycée that enrolled, the mission locale from its accueil on, the
    network of the lycée's académie."""
    lycee_de, faits_de, ml_de = {}, defaultdict(list), {}
    for f in faits_decides:
        cle = f.champs["ine"] if f.methode == "eleve_inscrit" else f.champs["cle"]  # the élève's INE
        if f.methode == "eleve_inscrit" and f.champs["diplome"] != "BTS":  # the ineligible one is refused
            lycee_de[cle] = f.partner_id
        if f.methode == "accueil_realise":
            ml_de[cle] = f.partner_id
        faits_de[cle].append(f)
    out: dict[str, set[str]] = defaultdict(set)
    for cle, faits in faits_de.items():
        if cle not in lycee_de:
            continue
        uai = lycee_de[cle].split(":")[1]
        accueilli = False
        for f in faits:
            accueilli = accueilli or f.methode == "accueil_realise"
            for p in (lycee_de[cle], ACADEMIE[uai[:3]]) + ((ml_de[cle],) if accueilli else ()):
                out[p].add(f.champs["event_id"])
    return out


def decides(r, faits, timeout: float = 90) -> None:
    """Wait until the platform's receipts say every one of ``faits`` was decided."""
    attendus = defaultdict(set)
    for f in faits:
        attendus[f.partner_id].add(f.champs["event_id"])
    deadline = time.monotonic() + timeout
    for partner, ids in attendus.items():
        while not ids <= {a["event_id"] for a in r.get("/v1/partenaires/moi/accuses", partner)["accuses"]}:
            assert time.monotonic() < deadline, f"{partner}: facts never decided"
            time.sleep(0.3)


def test_each_partner_reads_exactly_the_events_of_the_parcours_it_serves(running):
    r = running
    cohorte = generer(demo_partners(r.settings), 12, seed=31, secret=r.settings.pseudonym_secret,
                      orphelins=False)
    producers = producteurs(r)
    # The partners' topics are read in no fixed order: to know which facts come after a
    # mission locale's accueil, each partner sends once the previous one's facts are decided.
    phases = [[f for f in cohorte.faits if not f.cloture and f.partner_id.startswith(k)]
              for k in ("lycee", "ml", "foquale")] + [[f for f in cohorte.faits if f.cloture]]
    for faits in phases:
        envoyer(faits, producers)
        decides(r, faits)
    r.wait_for("/v1/psad/synthese", lambda b: essentiel(b) == cohorte.attendu, timeout=90)
    attendus = attendu([f for faits in phases for f in faits], r.settings.pseudonym_secret)
    assert len(attendus) == 3 + 2 + 2  # three lycées, two missions locales, two networks
    for partner, ids in attendus.items():
        events = [e for _, e in flux(r.base_url, r.tokens[partner])]
        assert {e["parcours"]["origine_event_id"] for e in events} == ids, partner
        versions = [(e["parcours"]["parcours_id"], e["parcours"]["version"]) for e in events]
        assert len(versions) == len(set(versions))  # each event once
    autre = "lycee:0690026" + cle_uai("0690026")  # a demo lycée with no élève in the cohort
    assert list(flux(r.base_url, r.tokens[autre])) == []


def test_the_feed_resumes_from_a_position_without_loss_or_repeat(running):
    r = running
    partner = "ml:13002526500013"
    tout = list(flux(r.base_url, r.tokens[partner]))
    assert len(tout) > 4
    milieu = tout[len(tout) // 2 - 1][0]
    suite = list(flux(r.base_url, r.tokens[partner], depuis=milieu))
    assert suite == tout[len(tout) // 2:]
    petites = r.get("/v1/flux", partner, depuis=0, limite=1)
    assert [e["position"] for e in petites["evenements"]] == [tout[0][0]]
    assert petites["position"] == tout[0][0] and petites["fin"] is False
