"""The rebuild's bulk path (large pages, COPY on PostgreSQL, no Avro round trip) gives exactly the
rows the live worker's apply gives, for a history holding every type of domain event."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from aide_vues import charger, projeter, records_of, scenario, tout

from ambition.bootstrap import make_app
from ambition.config import Settings

from ambition.parcours.exemples import AUTRE_SIRET_ML, EMETTEURS, SIRET_ML, fait
from ambition.parcours.faits import FOQUALE, LYCEE, MISSION_LOCALE, Emetteur
from ambition_projections.journal import Journal
from ambition_projections.rebuild import evenements, rebuild

ROOT = Path(__file__).resolve().parents[3]
#: every domain event the platform stores: one schema each in schemas/parcours
TOUS_LES_TYPES = {p.name.split(".")[0] for p in (ROOT / "schemas" / "parcours").glob("*.avsc")}


@pytest.fixture
def parcours_app(settings):
    """The parcours application holding the views' scenario, its event store beside the read
    store (SQLite file; PostgreSQL: the same database), so the rebuild reads each store's log."""
    app = make_app(Settings(var_dir=settings.var_dir, event_store=settings.read_store))
    charger(app, scenario())
    yield app
    app.close()


def _emetteur(partner_id: str) -> Emetteur:
    kind, ident = partner_id.split(":", 1)
    return Emetteur({"lycee": LYCEE, "ml": MISSION_LOCALE, "foquale": FOQUALE}[kind], ident, partner_id)


def toute_l_histoire() -> list:
    """The views' scenario, an élève whose parcours goes through the remaining event types
    (referent change, enrolment and outcome corrections, PACEA ended, stage ended, a move to
    another mission locale, Foquale's positioning), and the élève of tests/parcours_successifs
    (a closure, a re-entry at another lycée, the first outcome corrected after it)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from parcours_successifs import FAITS

    cle = "c" * 32
    ml_b = Emetteur(MISSION_LOCALE, AUTRE_SIRET_ML, f"ml:{AUTRE_SIRET_ML}")
    une = [fait("EleveInscrit", cle=cle), fait("AccueilRealise", cle=cle),
           fait("ReferentChange", cle=cle),
           fait("InscriptionCorrigee", cle=cle, date_fin_prevue=date(2024, 12, 20), boursier=True),
           fait("PositionnementRealise", cle=cle),
           fait("PaceaSigne", cle=cle), fait("StageDebute", cle=cle), fait("StageTermine", cle=cle),
           fait("PfmpDebutee", cle=cle), fait("PfmpTerminee", cle=cle),
           fait("MissionLocaleChangee", cle=cle, emetteur=EMETTEURS[LYCEE]),
           fait("AccueilRealise", cle=cle, emetteur=ml_b, siret=AUTRE_SIRET_ML, date=date(2024, 10, 16)),
           fait("PaceaTermine", cle=cle, date_fin=date(2024, 11, 30)),  # the PACEA's own ML
           fait("BilanRealise", cle=cle, emetteur=ml_b, date=date(2024, 12, 13)),
           fait("IssueCorrigee", cle=cle, emetteur=ml_b, numero=1, date=date(2024, 12, 16))]
    assert SIRET_ML != AUTRE_SIRET_ML
    successifs = [fait(type_, cle="d" * 32, emetteur=_emetteur(pid), **payload)
                  for _, pid, type_, payload in FAITS]
    return scenario() + une + successifs


def _types(value):
    """The value with the type of every leaf: equal records must hold the same types too."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return (type(value).__name__, value)


def test_the_records_without_the_avro_round_trip_are_those_a_partner_reads(parcours_app, registry):
    charger(parcours_app, toute_l_histoire()[len(scenario()):])
    avro = [r for _, page in evenements(Journal(parcours_app, registry), 1) for r in page]
    direct = [r for _, page in evenements(Journal(parcours_app, registry, avro=False), 1) for r in page]
    assert {r["envelope"]["type"].rsplit(".", 1)[-1] for r in avro} == TOUS_LES_TYPES
    assert _types(direct) == _types(avro)


def test_the_bulk_rebuild_equals_the_live_worker_for_every_event_type(parcours_app, registry, engine):
    charger(parcours_app, toute_l_histoire()[len(scenario()):])  # the fixture holds the scenario
    records = records_of(parcours_app, registry)
    assert {r["envelope"]["type"].rsplit(".", 1)[-1] for r in records} == TOUS_LES_TYPES
    projeter(engine, records, taille=5)  # the live worker's pages
    live = tout(engine)
    # pages of 7 (an élève with more events is read whole in one page), in one process
    rebuild(engine, parcours_app, registry, progress=False, page=7, processus=1)
    assert tout(engine) == live
    # the whole history in one page; on PostgreSQL the parcours shared among 3 processes
    done = rebuild(engine, parcours_app, registry, progress=False, processus=3)
    assert done["evenements"] == len(records)
    assert tout(engine) == live
    # as the worker applies (notification order, pages of 5, statements)
    rebuild(engine, parcours_app, registry, progress=False, page=5, massif=False)
    assert tout(engine) == live


def _syntheses(engine, comptes: bool) -> list[dict]:
    """The PSAD synthesis, national and by territory, on days over the histories' years."""
    from ambition_projections import generations, psad

    with engine.connect() as conn:
        t = generations.tables(psad, generations.courantes(conn)[psad.NAME])
        jours = [date(2024, 9, 1) + timedelta(days=k) for k in range(0, 500, 11)]
        return [psad.synthese(conn, t, jour, territoire, comptes=comptes)
                for jour in jours for territoire in (None, "ac-paris", "ac-lyon")]


def test_after_the_bulk_rebuild_the_psad_counts_give_the_synthesis_of_the_rows(parcours_app, registry, engine):
    charger(parcours_app, toute_l_histoire()[len(scenario()):])
    rebuild(engine, parcours_app, registry, progress=False, processus=2)
    par_lignes = _syntheses(engine, comptes=False)
    assert any(s["jeunes_a_risque"] for s in par_lignes) and any(s["issues"] for s in par_lignes)
    assert _syntheses(engine, comptes=True) == par_lignes
