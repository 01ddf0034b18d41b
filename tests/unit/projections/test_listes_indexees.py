"""The views' lists are paged from an index in their own order: a page costs its rows, not a
sort of every row of the lycée, mission locale or issuer at each request (SQLite, the embedded
default; the queries are the ones the API's functions run)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, event, inspect

from ambition_projections import foquale, generations, lycee, missionlocale

AS_OF = date(2025, 1, 15)


@pytest.fixture
def engine(tmp_path):
    e = create_engine(f"sqlite:///{tmp_path / 'vues.sqlite'}")
    for vue in (lycee, missionlocale, foquale):
        generations.creer(e, vue, 1)
    yield e
    e.dispose()


def _plans_des_tris(engine, lire) -> list[tuple[str, list[str]]]:
    """Each SELECT … ORDER BY that ``lire(conn)`` runs, with SQLite's query plan of it."""
    vues = []

    def garder(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement.upper():
            vues.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", garder)
    try:
        with engine.connect() as conn:
            lire(conn)
    finally:
        event.remove(engine, "before_cursor_execute", garder)
    with engine.connect() as conn:
        return [(sql, [r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", p).all()])
                for sql, p in vues]


LISTES = {
    "lycée: ses élèves": lambda c: lycee.eleves(c, generations.tables(lycee, 1), "0753268V", AS_OF, 50, 100),
    "mission locale: ses jeunes": lambda c: missionlocale.jeunes(
        c, generations.tables(missionlocale, 1), "12345678901237", AS_OF, 50, 100),
    "mission locale: les jeunes d'un conseiller": lambda c: missionlocale.jeunes(
        c, generations.tables(missionlocale, 1), "12345678901237", AS_OF, 50, 0, conseiller="cons-1"),
    "mission locale: les bilans dus": lambda c: missionlocale.bilans_dus(
        c, generations.tables(missionlocale, 1), "12345678901237", AS_OF, 50, 0),
    "mission locale: les activités": lambda c: missionlocale.activites(
        c, generations.tables(missionlocale, 1), "12345678901237", 50, 0),
    "mission locale: les stages en cours": lambda c: missionlocale.stages_en_cours(
        c, generations.tables(missionlocale, 1), "12345678901237", 50, 0),
    "Foquale: ses solutions": lambda c: foquale.solutions(
        c, generations.tables(foquale, 1), "foquale:ac-paris", 50, 0),
    "Foquale: ses solutions proposées": lambda c: foquale.solutions(
        c, generations.tables(foquale, 1), "foquale:ac-paris", 50, 0, statut="PROPOSEE"),
}


@pytest.mark.parametrize("liste", LISTES)
def test_une_page_est_lue_dans_l_ordre_d_un_index(engine, liste):
    plans = _plans_des_tris(engine, LISTES[liste])
    assert plans, "the list ran no ordered query"
    for sql, plan in plans:
        assert not any("TEMP B-TREE FOR ORDER BY" in etape for etape in plan), (sql, plan)
        assert any("USING INDEX" in etape or "USING COVERING INDEX" in etape for etape in plan), (sql, plan)


def test_une_vue_d_une_version_anterieure_recoit_ses_index(engine):
    """A generation made before the lists' indexes gets them when a process opens it."""
    nom = "ix_vue_lycee_eleves_g1_liste"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {nom}")
    assert nom not in {i["name"] for i in inspect(engine).get_indexes("vue_lycee_eleves_g1")}
    generations.creer(engine, lycee, 1)
    assert nom in {i["name"] for i in inspect(engine).get_indexes("vue_lycee_eleves_g1")}
