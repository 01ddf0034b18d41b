"""The rebuild's bulk path (large pages, COPY on PostgreSQL, no Avro round trip) gives exactly the
rows the live worker's apply gives, for a history holding every type of domain event."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from aide_vues import charger, projeter, records_of, scenario, tout

from eventsourcing.persistence import StoredEvent

from ambition.bootstrap import make_app
from ambition.config import Settings

from ambition.decodage import Decodeur
from ambition.parcours.exemples import AUTRE_SIRET_ML, ELEVE, EMETTEURS, SIRET_ML, fait
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
    # a PACEA signed in the first parcours (lycée A, Paris) ends in the second (lycée B, Lyon),
    # after the first one's last event (its outcome corrected): the first parcours's row
    # changes last with it, and keeps its own territory
    ml_a = FAITS[1][1]
    successifs.insert(2, fait("PaceaSigne", cle="d" * 32, emetteur=_emetteur(ml_a)))
    assert successifs[8].type == "IssueCorrigee"
    successifs.insert(9, fait("PaceaTermine", cle="d" * 32, emetteur=_emetteur(ml_a),
                              date_fin=date(2025, 9, 20)))
    return scenario() + une + successifs


def _types(value):
    """The value with the type of every leaf: equal records must hold the same types too."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return (type(value).__name__, value)


def _feuilles(value) -> list:
    if isinstance(value, dict):
        return [f for v in value.values() for f in _feuilles(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in _feuilles(v)]
    return [value]


def test_the_fast_decoding_gives_the_library_s_events_for_every_event_type(parcours_app):
    charger(parcours_app, toute_l_histoire()[len(scenario()):])
    stored = parcours_app.recorder.select_notifications(1, 10 ** 6)
    decodeur = Decodeur(parcours_app.mapper)
    assert decodeur.direct  # neither cipher nor compressor: orjson parses the states
    rapides = [decodeur(n) for n in stored]
    assert {type(e).__name__ for e in rapides} == TOUS_LES_TYPES
    assert ([(type(e), _types(vars(e))) for e in rapides]
            == [(type(e), _types(vars(e))) for e in map(parcours_app.mapper.to_domain_event, stored)])
    # known answers: the enrolment of the élève "ccc…" starts on 2 September 2024 (the
    # examples' default), and the library's timestamps are aware datetimes
    inscrit = next(e for e in rapides if type(e).__name__ == "EleveInscrit" and e.cle == "c" * 32)
    assert inscrit.date_debut == date(2024, 9, 2) and type(inscrit.date_debut) is date
    assert inscrit.timestamp.utcoffset() is not None
    # the identity went to the encrypted identity store: no INE, name or birth date here
    identite = {ELEVE["ine"], ELEVE["nom"], ELEVE["prenom"], ELEVE["date_naissance"],
                date.fromisoformat(ELEVE["date_naissance"])}
    feuilles = [f for e in rapides for f in _feuilles(vars(e))]
    assert not identite & {f for f in feuilles if isinstance(f, (str, date))}
    assert not [f for f in feuilles if isinstance(f, str) and ELEVE["ine"] in f]


def test_a_state_orjson_does_not_take_is_decoded_by_the_library(parcours_app):
    n = next(n for n in parcours_app.recorder.select_notifications(1, 10 ** 6)
             if n.topic.endswith(".ActiviteLyceeRealisee"))
    grand = 2 ** 70 + 1  # orjson would read this integer as a float (2 ** 70); json keeps it
    state = n.state.replace(b'"duree_heures":', f'"duree_heures":{grand},"_":'.encode(), 1)
    ev = Decodeur(parcours_app.mapper)(StoredEvent(n.originator_id, n.originator_version, n.topic, state))
    assert ev.duree_heures == grand and type(ev.duree_heures) is int
    assert type(ev).__name__ == "ActiviteLyceeRealisee"


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
