"""A redelivered or replayed domain event never counts twice, in any view (SQLite and PostgreSQL)."""
from __future__ import annotations

import random

from sqlalchemy import event as sqla_event
from sqlalchemy import select

from ambition_projections import generations, territoires
from ambition_projections.runner import VUES, appliquer

from aide_vues import projeter, records_of, tout


def test_every_view_applies_each_event_once_whatever_the_redeliveries(parcours_app, registry, engine):
    records = records_of(parcours_app, registry)
    projeter(engine, records)
    once = tout(engine)
    # Kafka redelivers: the whole stream again, then random overlapping windows, then one by one
    projeter(engine, records, taille=50)
    rng = random.Random(3)
    for _ in range(5):
        i = rng.randrange(len(records))
        projeter(engine, records[i:i + rng.randint(1, 9)], taille=3)
    for rec in records[::5]:
        projeter(engine, [rec, rec])
    assert tout(engine) == once


def test_tracking_is_written_with_the_rows_and_holds_the_last_version(parcours_app, registry, engine):
    records = records_of(parcours_app, registry)
    last = {}
    for r in records:
        last[r["parcours"]["parcours_id"]] = r["parcours"]["version"]
    with engine.begin() as conn:
        applied = appliquer(conn, records, generations.verrouiller(conn))
    assert applied == {name: len(records) for name in VUES}
    with engine.begin() as conn:
        assert appliquer(conn, records, generations.verrouiller(conn)) == {}
        for vue in VUES.values():
            suivi = generations.tables(vue, 1).suivi
            assert dict(conn.execute(select(suivi.c.parcours_id, suivi.c.version)).all()) == last


def test_a_failed_batch_leaves_neither_rows_nor_tracking(parcours_app, registry, engine):
    records = records_of(parcours_app, registry)
    try:
        with engine.begin() as conn:
            appliquer(conn, records[:10], generations.verrouiller(conn))
            raise RuntimeError("crash before the commit")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        for vue in VUES.values():
            t = generations.tables(vue, 1)
            assert conn.execute(select(t.suivi)).all() == []
    projeter(engine, records)  # the redelivery after the crash applies everything once
    projeter(engine, records)
    with engine.connect() as conn:
        psad = generations.tables(VUES["psad"], 1).parcours
        assert len(conn.execute(select(psad)).all()) == 12


def test_the_views_take_their_territories_from_the_mapping_they_are_given(parcours_app, registry, engine):
    records = records_of(parcours_app, registry)
    carte = territoires.Carte('{"075": "bassin-paris", "069": "rhone"}')
    with engine.begin() as conn:
        appliquer(conn, records, generations.verrouiller(conn), carte=carte)
    with engine.connect() as conn:
        for table in (generations.tables(VUES["psad"], 1).parcours,
                      generations.tables(VUES["chronologie"], 1).acteurs):
            par_uai = dict(conn.execute(select(table.c.uai, table.c.territoire)).all())
            assert par_uai == {uai: carte(uai) for uai in par_uai}
            assert set(par_uai.values()) == {"bassin-paris", "rhone"}


def test_a_page_is_read_and_written_once_per_table_not_once_per_event(parcours_app, registry, engine):
    records = records_of(parcours_app, registry)
    statements = []

    def compter(conn, cursor, statement, *_):
        statements.append(statement)

    sqla_event.listen(engine, "before_cursor_execute", compter)
    with engine.begin() as conn:
        appliquer(conn, records, generations.verrouiller(conn))
    sqla_event.remove(engine, "before_cursor_execute", compter)
    # whatever the events: the pointers locked (2); per view its tracking read and written
    # (3 at most: a select, an insert, an update), and per table it follows by élève a read and
    # at most an insert and an update (lycée 1 table, mission locale 3: jeunes, transferes,
    # stages; Foquale 1, PSAD 1, chronologie 1: 7 tables), per table only inserted one insert
    # (the mission locale's activities, the chronology's events: 2)
    assert len(statements) <= 2 + 5 * 3 + 7 * 3 + 2
