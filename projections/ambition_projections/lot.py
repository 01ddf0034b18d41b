"""What a view shares across the events it applies in one transaction: the territories, and the
élèves' rows, read with one query a table, folded in memory event after event and written back
with one insert and one update a table, instead of a read and a write per event.

Only the rows kept here are deferred: a view reads and writes through its `Lot` the tables
keyed by élève (primary key ``parcours_id`` then the rest: the parcours number, and a
solution's, a stage's or a mission locale's own id) and the rows it only inserts; any other
statement of the view still runs at once. The projection worker's prudent mode uses one `Lot`
per event, written inside the event's savepoint.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table, select

from .generations import additionner, copier, ecrire
from .territoires import Carte


class Lot:
    def __init__(self, conn: Connection, pids, carte: Carte, massif: bool = False,
                 vierge: bool = False, plis=None):
        """``massif``: rows are written with `generations.copier` (``COPY`` on PostgreSQL),
        for a rebuild's large pages into its new generation's tables. ``vierge``: the tables
        hold no row of these élèves yet (a rebuild's page of whole parcours into its new
        generation), so nothing is read, and the rows kept are narrowed to their table's
        columns once, when written, not at every `poser` (the folds only read the columns
        they write, so the extra keys a row carries meanwhile change nothing). ``plis``: with
        ``vierge``, the `generations.Plis` the views of these events share (their follow-up
        fold done once)."""
        self.conn, self.carte, self._pids, self.massif = conn, carte, sorted(set(pids)), massif
        self.vierge, self.plis = vierge, plis if vierge else None
        self._tables: dict[str, Table] = {}
        self._colonnes: dict[str, tuple[list[str], list[str]]] = {}  # table -> columns, key after parcours_id
        self._rangees: dict[str, dict[str, dict]] = {}  # table -> élève -> rest of the key -> row
        self._en_base: dict[str, set[tuple]] = {}  # the keys read from the database
        self._poses: dict[str, dict[tuple, dict]] = {}  # the rows to write back
        self._ajouts: dict[str, list[dict]] = {}  # rows only inserted
        self._derivees: dict[str, object] = {}  # table -> columns computed from each row written
        self._comptes: dict[str, dict[tuple, list[int]]] = {}  # counts table -> key -> deltas

    def _reste(self, nom: str, row: dict):
        """The primary key after ``parcours_id``: the parcours number alone, or a tuple."""
        reste = self._colonnes[nom][1]
        return row[reste[0]] if len(reste) == 1 else tuple(row[k] for k in reste)

    def rangees(self, table: Table, pid: str) -> dict:
        """The rows of the élève `pid` in `table` by the rest of their primary key (the parcours
        number when that is all of it, else a tuple: ``(numero, solution_id)``...), as the
        events so far left them (read-only: change them with `poser`). The first call for a
        table reads the rows of every élève of the lot."""
        nom = table.name
        if nom not in self._rangees:
            cles = [c.name for c in table.primary_key.columns]
            assert cles[0] == "parcours_id", f"{nom}: not keyed by élève"
            self._colonnes[nom] = ([c.name for c in table.columns], cles[1:])
            par_eleve: dict[str, dict] = {}
            if not self.vierge:
                for r in self.conn.execute(select(table).where(table.c.parcours_id.in_(self._pids))).mappings():
                    par_eleve.setdefault(r["parcours_id"], {})[self._reste(nom, r)] = dict(r)
            self._tables[nom], self._rangees[nom] = table, par_eleve
            self._en_base[nom] = {(p, k) for p, rs in par_eleve.items() for k in rs}
            self._poses[nom] = {}
        return self._rangees[nom].get(pid, {})

    def poser(self, table: Table, row: dict) -> None:
        """Insert or replace the row of its primary key, written by `ecrire`."""
        nom = table.name
        if nom not in self._rangees:
            self.rangees(table, row["parcours_id"])
        if not self.vierge:
            row = {c: row.get(c) for c in self._colonnes[nom][0]}
        key = (row["parcours_id"], self._reste(nom, row))
        self._rangees[nom].setdefault(key[0], {})[key[1]] = row
        self._poses[nom][key] = row

    def deriver(self, table: Table, derivees) -> None:
        """``vierge`` only: the columns ``derivees(row)`` returns are added to each row of
        `table` when it is written, as the page's events left it."""
        self._derivees[table.name] = derivees

    def ajouter(self, table: Table, row: dict) -> None:
        """A row only ever inserted (its key is new), written by `ecrire`."""
        self._tables[table.name] = table
        self._ajouts.setdefault(table.name, []).append(row)

    def compter(self, table: Table, cle: tuple, valeurs, signe: int) -> None:
        """Add ``signe`` times `valeurs` to the counts of `cle` (the table's primary key; the
        values in the order of its other columns), added to the table by `ecrire`."""
        self._tables[table.name] = table
        deltas = self._comptes.setdefault(table.name, {})
        acc = deltas.get(cle)
        if acc is None:
            deltas[cle] = [signe * v for v in valeurs]
        else:
            for k, v in enumerate(valeurs):
                acc[k] += signe * v

    def ecrire(self) -> None:
        """Write what the events left: new rows inserted, changed ones updated, in one
        statement each a table (``COPY`` on PostgreSQL when ``massif``)."""
        ecrire_ = copier if self.massif else ecrire
        for nom, poses in self._poses.items():
            table, en_base = self._tables[nom], self._en_base[nom]
            if self.vierge:  # every row is new: derived columns added, narrowed to the table's now
                cols, derivees = self._colonnes[nom][0], self._derivees.get(nom)
                rows = poses.values() if derivees is None else [{**r, **derivees(r)} for r in poses.values()]
                if not (self.massif and self.conn.dialect.name == "postgresql"):  # COPY takes its columns
                    rows = [{c: r.get(c) for c in cols} for r in rows]
                ecrire_(self.conn, table, list(rows), existants=False)
                poses.clear()
                continue
            ecrire_(self.conn, table, [r for k, r in poses.items() if k not in en_base], existants=False)
            ecrire_(self.conn, table, [r for k, r in poses.items() if k in en_base], existants=True)
            en_base.update(poses)
            poses.clear()
        for nom, rows in self._ajouts.items():
            ecrire_(self.conn, self._tables[nom], rows, existants=False)
            rows.clear()
        for nom, deltas in self._comptes.items():  # counts: what changed, added in one statement
            table = self._tables[nom]
            noms = [c.name for c in table.columns]
            additionner(self.conn, table, [dict(zip(noms, (*cle, *v))) for cle, v in deltas.items() if any(v)])
            deltas.clear()
