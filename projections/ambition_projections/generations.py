"""Generations of the read models, and each projection's tracking table.

Every projection owns its tables, named ``<table>_g<n>``: generation n. `vue_generations` says
which generation each projection serves. A rebuild fills generation n+1 while n is served, then
switches the pointer in one transaction (see `rebuild`); the previous generation is dropped by
the next rebuild, so a reader that read the pointer just before a switch still finds its tables.

Tracking: each projection's generation has ``suivi_<projection>_g<n>`` (parcours id -> last
applied aggregate version), written in the same transaction as the projection's rows, so a
redelivered or replayed domain event is applied once per projection.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from operator import itemgetter
from types import ModuleType, SimpleNamespace

import orjson
from sqlalchemy import (JSON, Boolean, Column, Connection, DateTime, Engine, Integer, MetaData, String, Table,
                        bindparam, func, inspect, select, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from .suivi import evoluer_eleve
from .tables import metadata

generations = Table(
    "vue_generations", metadata,
    Column("projection", String(40), primary_key=True),
    Column("generation", Integer, nullable=False),
    # notification id the served generation has applied up to: set by the rebuild that made it
    # current, advanced by the projection worker in the same transaction as the rows
    Column("position", Integer),
    Column("depuis", DateTime(timezone=True)),
)

_cache: dict[tuple[str, int], SimpleNamespace] = {}


def tables(vue: ModuleType, gen: int) -> SimpleNamespace:
    """The projection's tables of generation `gen` (plus its tracking table, `suivi`)."""
    key = (vue.NAME, gen)
    if key not in _cache:
        md = MetaData()
        defined = vue.define(md, f"_g{gen}")
        defined["suivi"] = Table(f"suivi_{vue.NAME}_g{gen}", md,
                                 Column("parcours_id", String(36), primary_key=True),
                                 Column("version", Integer, nullable=False))
        _cache[key] = SimpleNamespace(metadata=md, **defined)
    return _cache[key]


def upsert(conn: Connection, table: Table, rows: list[dict], remplacer: bool = True) -> None:
    """Insert rows, or replace those whose primary key exists (SQLite and PostgreSQL);
    `remplacer=False` keeps the existing ones."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    cols = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=cols) if cols and remplacer
                 else stmt.on_conflict_do_nothing(index_elements=keys), rows)


def additionner(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Add each row's values (the columns outside the primary key) to those of its key, a
    missing key inserted (counts kept by deltas; SQLite and PostgreSQL)."""
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    if conn.dialect.name == "postgresql":  # a statement a row would be a round trip a row
        _additionner_copie(conn, table, keys, rows)
        return
    stmt = sqlite.insert(table)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=keys, set_={c.name: c + stmt.excluded[c.name] for c in table.columns if c.name not in keys}),
        rows)
    # a key whose values all came back to 0 goes (as if counted anew: no row of zeros)
    conn.execute(table.delete().where(*(table.c[k] == bindparam(f"k_{k}") for k in keys),
                                      *(c == 0 for c in table.columns if c.name not in keys)),
                 [{f"k_{k}": r[k] for k in keys} for r in rows])


def _additionner_copie(conn: Connection, table: Table, keys: list[str], rows: list[dict]) -> None:
    """`additionner` on PostgreSQL: the deltas copied into a temporary table (``COPY``), added
    with one ``INSERT … ON CONFLICT``, the keys back to 0 deleted with one ``DELETE``."""
    quote = conn.dialect.identifier_preparer.quote
    cible, temp = quote(table.name), quote(f"delta_{table.name}")
    noms = [quote(c.name) for c in table.columns]
    valeurs = [quote(c.name) for c in table.columns if c.name not in keys]
    cles = [quote(k) for k in keys]
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {temp} (LIKE {cible}) ON COMMIT DROP")
    _copy(conn, table, f"delta_{table.name}", rows)
    conn.exec_driver_sql(
        f"INSERT INTO {cible} ({', '.join(noms)}) SELECT {', '.join(noms)} FROM {temp} "
        f"ON CONFLICT ({', '.join(cles)}) DO UPDATE SET "
        + ", ".join(f"{v} = {cible}.{v} + excluded.{v}" for v in valeurs))
    conn.exec_driver_sql(
        f"DELETE FROM {cible} AS t USING {temp} AS d WHERE "
        + " AND ".join([f"t.{k} = d.{k}" for k in cles] + [f"t.{v} = 0" for v in valeurs]))
    conn.exec_driver_sql(f"DROP TABLE {temp}")


_ecritures: dict[tuple[Table, bool, str], tuple[str, tuple]] = {}


def _ecriture(conn: Connection, table: Table, existants: bool) -> tuple[str, tuple]:
    """The SQL of `ecrire` for this table and dialect, and what fills a row's parameters in
    its order: (column name, its scalar default, its type's bind processor or None)."""
    dialect = conn.dialect
    key = (table, existants, dialect.name)
    if key not in _ecritures:
        quote, marque = dialect.identifier_preparer.quote, "?" if dialect.paramstyle == "qmark" else "%s"
        cles = [c for c in table.columns if c.primary_key]
        autres = [c for c in table.columns if not c.primary_key]
        if existants:
            ordre = autres + cles
            sql = (f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(c.name)} = {marque}' for c in autres)} "
                   f"WHERE {' AND '.join(f'{quote(c.name)} = {marque}' for c in cles)}")
        else:
            ordre = list(table.columns)
            sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in ordre)}) "
                   f"VALUES ({', '.join([marque] * len(ordre))})")
        noms = [c.name for c in ordre]
        defauts = [c.default.arg if c.default is not None and c.default.is_scalar else None for c in ordre]
        traitements = [(k, t) for k, t in enumerate(c.type.dialect_impl(dialect).bind_processor(dialect)
                                                    for c in ordre) if t is not None]
        _ecritures[key] = (sql, (itemgetter(*noms), list(zip(noms, defauts)), traitements))
    return _ecritures[key]


def ecrire(conn: Connection, table: Table, rows: list[dict], existants: bool) -> None:
    """Insert new rows, or update existing ones by primary key (every column), with one
    ``executemany`` of the driver. The parameters are made here, each value through its
    column's bind processing as SQLAlchemy would (JSON serialised, dates on SQLite); a key a
    row lacks takes the column's scalar default, or NULL. SQLAlchemy's own executemany
    built a parameter dictionary per row and compiled them: over a third of the live
    projection worker's time."""
    if not rows:
        return
    sql, (valeurs, defauts, traitements) = _ecriture(conn, table, existants)
    params = []
    for r in rows:
        try:
            v = list(valeurs(r))
        except KeyError:  # a row without some columns
            v = [r.get(nom, defaut) for nom, defaut in defauts]
        for k, traiter in traitements:
            v[k] = traiter(v[k])
        params.append(tuple(v))
    conn.exec_driver_sql(sql, params)


def _json_rapide(traitement):
    """A JSON column's bind processing, with orjson for a dict or a list (the same JSON value
    as SQLAlchemy's ``json.dumps``, compact); anything else, or what orjson will not take (a
    key that is not a string, a date), as SQLAlchemy does."""
    def traiter(value):
        if type(value) in (dict, list):
            try:
                return orjson.dumps(value, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
            except TypeError:
                pass
        return traitement(value)
    return traiter


def _booleen_rapide(traitement):
    """A boolean column's bind processing: True, False and None as they are (what SQLAlchemy
    gives them on a database with booleans), anything else through it."""
    def traiter(value):
        return value if value is None or value is True or value is False else traitement(value)
    return traiter


def _copy(conn: Connection, table: Table, nom: str, rows: list[dict]) -> None:
    """Stream `rows` into the table named `nom`, which has `table`'s columns (``COPY``)."""
    dialect, cols = conn.dialect, list(table.columns)
    noms = [c.name for c in cols]
    traitements = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in cols]
    traitements = [_json_rapide(t) if t is not None and isinstance(c.type, JSON)
                   else _booleen_rapide(t) if t is not None and isinstance(c.type, Boolean) else t
                   for c, t in zip(cols, traitements)]
    defauts = [c.default.arg if c.default is not None and c.default.is_scalar else None for c in cols]
    quote = dialect.identifier_preparer.quote
    sql = f"COPY {quote(nom)} ({', '.join(quote(n) for n in noms)}) FROM STDIN"
    a_traiter = [(k, t) for k, t in enumerate(traitements) if t is not None]
    with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
        for r in rows:
            valeurs = [r.get(n, d) for n, d in zip(noms, defauts)]
            for k, t in a_traiter:
                valeurs[k] = t(valeurs[k])
            copy.write_row(valeurs)


def copier(conn: Connection, table: Table, rows: list[dict], existants: bool = False) -> None:
    """Write rows in bulk: on PostgreSQL new rows with one ``COPY`` (a stream, no statement a
    row: what a rebuild writes into its new generation's empty tables), existing ones
    (``existants``) copied into a temporary table and updated by primary key with one
    ``UPDATE … FROM``; elsewhere with `ecrire`. Every column of the table is written, through
    its type's own bind processing (JSON as SQLAlchemy serialises it); a key a row lacks takes
    the column's scalar default, or NULL."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        ecrire(conn, table, rows, existants)
        return
    if not existants:
        _copy(conn, table, table.name, rows)
        return
    quote = conn.dialect.identifier_preparer.quote
    cible, temp = quote(table.name), quote(f"maj_{table.name}")
    keys = [c.name for c in table.primary_key.columns]
    autres = [c.name for c in table.columns if c.name not in keys]
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {temp} (LIKE {cible}) ON COMMIT DROP")
    _copy(conn, table, f"maj_{table.name}", rows)
    conn.exec_driver_sql(
        f"UPDATE {cible} AS t SET {', '.join(f'{quote(c)} = m.{quote(c)}' for c in autres)} "
        f"FROM {temp} AS m WHERE {' AND '.join(f't.{quote(k)} = m.{quote(k)}' for k in keys)}")
    conn.exec_driver_sql(f"DROP TABLE {temp}")


def courantes(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(generations.c.projection, generations.c.generation)).all())


def verrouiller(conn: Connection, parts: int = 1) -> dict[str, int]:
    """Lock the generation pointers for this transaction and return them: the projection worker
    and the rebuild's switch never interleave (row locks on PostgreSQL, the write lock on SQLite).
    ``parts`` > 1 (PostgreSQL): only a share, the ceil(1/parts) of the projections furthest
    behind that no other transaction holds (none if every one is held), never waiting; so
    that workers sharing the views apply different ones at the same time."""
    if conn.dialect.name == "postgresql" and parts > 1:
        total = conn.execute(select(func.count()).select_from(generations)).scalar_one()
        rows = conn.execute(select(generations.c.projection, generations.c.generation)
                            .order_by(generations.c.position.asc().nullsfirst(), generations.c.projection)
                            .limit(-(-total // parts)).with_for_update(skip_locked=True)).all()
        return dict(rows)
    if conn.dialect.name == "postgresql":
        rows = conn.execute(select(generations.c.projection, generations.c.generation)
                            .order_by(generations.c.projection).with_for_update()).all()
        return dict(rows)
    conn.execute(update(generations).values(generation=generations.c.generation))
    return courantes(conn)


def positions(conn: Connection) -> dict[str, int]:
    """Notification id each projection has applied up to (0: none yet)."""
    return {p: pos or 0 for p, pos in conn.execute(select(generations.c.projection,
                                                          generations.c.position)).all()}


def avancer(conn: Connection, noms, position: int) -> None:
    """Record that the projections `noms` applied every notification up to `position`."""
    conn.execute(update(generations).where(generations.c.projection.in_(list(noms)))
                 .where((generations.c.position < position) | generations.c.position.is_(None))
                 .values(position=position))


def creer(engine: Engine, vue: ModuleType, gen: int) -> SimpleNamespace:
    """The generation's tables, created if missing, and any index a table made by an earlier
    version lacks (the lists' indexes, say): serving a generation never needs a rebuild for an
    index."""
    t = tables(vue, gen)
    t.metadata.create_all(engine)
    for table in t.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    return t


def supprimer(engine: Engine, vue: ModuleType, gen: int) -> None:
    t = tables(vue, gen)
    t.metadata.drop_all(engine)
    _cache.pop((vue.NAME, gen), None)


def existantes(engine: Engine, vue: ModuleType) -> list[int]:
    """Generations of this projection that have tables in the database."""
    prefix = f"suivi_{vue.NAME}_g"
    return sorted(int(n[len(prefix):]) for n in inspect(engine).get_table_names()
                  if n.startswith(prefix) and n[len(prefix):].isdigit())


def preparer(engine: Engine, vues) -> None:
    """Create what is missing: shared tables, and generation 1 of a projection never built.
    Several processes may start together (the API and the projection worker): a concurrent
    creation is retried."""
    for attempt in range(1, 6):
        try:
            metadata.create_all(engine)
            with engine.begin() as conn:
                known = courantes(conn)
            for vue in vues:
                gen = known.get(vue.NAME, 1)
                t = creer(engine, vue, gen)
                if vue.NAME not in known:
                    with engine.begin() as conn:
                        upsert(conn, generations, [dict(projection=vue.NAME, generation=gen,
                                                        position=None, depuis=_now())],
                               remplacer=False)
                if hasattr(vue, "verifier_comptes"):  # counts new beside existing rows
                    with engine.begin() as conn:
                        verrouiller(conn)  # no page of the worker meanwhile
                        vue.verifier_comptes(conn, t)
            return
        except (IntegrityError, ProgrammingError, OperationalError):
            if attempt == 5:
                raise
            time.sleep(0.2 * attempt)


def basculer(conn: Connection, name: str, gen: int, position: int) -> None:
    conn.execute(update(generations).where(generations.c.projection == name)
                 .values(generation=gen, position=position, depuis=_now()))


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Plis:
    """The follow-up fold of a page's events (`suivi.evoluer_eleve`), done once for every view
    that keeps it, when those views start from no row of the page's parcours (a ``vierge``
    `Lot`) and so apply the same events: each keeps part of the same state, and a column it
    drops never changes the ones it keeps."""

    def __init__(self):
        self._changes: dict[tuple[str, int], dict[int, dict]] = {}
        self._etats: dict[str, dict[int, dict]] = {}  # élève -> parcours number -> full state

    def evoluer(self, pid: str, name: str, meta: dict, rec: dict) -> dict[int, dict]:
        """The states the event changed (shared: read only)."""
        cle = (pid, meta["version"])
        changes = self._changes.get(cle)
        if changes is None:
            rangees = self._etats.setdefault(pid, {})
            changes = self._changes[cle] = evoluer_eleve(rangees, name, meta, rec)
            rangees.update(changes)
        return changes


def suivre(lot, table: Table, name: str, meta: dict, rec: dict, derivees=None, **extra) -> dict | None:
    """Fold one domain event into the follow-up rows of the élève in `table`, one per parcours
    number (see `suivi.evoluer_eleve`), kept in the `lot.Lot` of the events being applied;
    `extra` are the view's own columns of the event's parcours; `derivees(row)`, if given,
    returns columns computed from each changed row (from each row as its last event left it,
    when the `Lot` is ``vierge``: nothing reads them meanwhile). Returns that parcours's row."""
    pid, numero = str(meta["parcours_id"]), int(meta.get("numero") or 1)
    if lot.plis is not None:  # the fold shared by the views; their rows, new dicts, add their columns
        rangees, out = lot.rangees(table, pid), None
        for n, s in lot.plis.evoluer(pid, name, meta, rec).items():
            if extra:
                avant = rangees.get(n)
                s = {**s, **extra} if n == numero else s if avant is None else {**avant, **s}
            if derivees is not None:
                lot.deriver(table, derivees)
            lot.poser(table, s)
            if n == numero:
                out = s
        return out
    changes = evoluer_eleve(lot.rangees(table, pid), name, meta, rec)
    for n, s in changes.items():
        if n == numero:
            s.update(extra)
        if derivees is not None:
            if lot.vierge:  # computed once, on the rows as the page leaves them
                lot.deriver(table, derivees)
            else:
                s.update(derivees(s))
        lot.poser(table, s)
    return changes.get(numero)
