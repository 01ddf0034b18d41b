"""What a view shares across the events it applies in one transaction: the territories, and the
élèves' rows, read with one query a table, folded in memory event after event and written back
with one insert and one update a table, instead of a read and a write per event.

Only the rows kept here are deferred: a view reads and writes through its `Lot` the tables it
follows per parcours number (``parcours_id``, ``numero``) and the rows it only inserts; any
other statement of the view still runs at once. The projection worker's prudent mode uses one
`Lot` per event, written inside the event's savepoint.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table, select

from .generations import ecrire
from .territoires import Carte


class Lot:
    def __init__(self, conn: Connection, pids, carte: Carte):
        self.conn, self.carte, self._pids = conn, carte, sorted(set(pids))
        self._tables: dict[str, Table] = {}
        self._rangees: dict[str, dict[str, dict[int, dict]]] = {}  # table -> élève -> numero -> row
        self._en_base: dict[str, set[tuple[str, int]]] = {}  # the keys read from the database
        self._poses: dict[str, dict[tuple[str, int], dict]] = {}  # the rows to write back
        self._ajouts: dict[str, list[dict]] = {}  # rows only inserted

    def rangees(self, table: Table, pid: str) -> dict[int, dict]:
        """The rows of the élève `pid` in `table` by parcours number, as the events so far left
        them (read-only: change them with `poser`). The first call for a table reads the rows
        of every élève of the lot."""
        if table.name not in self._rangees:
            par_eleve: dict[str, dict[int, dict]] = {}
            for r in self.conn.execute(select(table).where(table.c.parcours_id.in_(self._pids))).mappings():
                par_eleve.setdefault(r["parcours_id"], {})[r["numero"]] = dict(r)
            self._tables[table.name], self._rangees[table.name] = table, par_eleve
            self._en_base[table.name] = {(p, n) for p, rs in par_eleve.items() for n in rs}
            self._poses[table.name] = {}
        return self._rangees[table.name].get(pid, {})

    def poser(self, table: Table, row: dict) -> None:
        """Insert or replace the row of (``parcours_id``, ``numero``), written by `ecrire`."""
        self.rangees(table, row["parcours_id"])
        row = {c.name: row.get(c.name) for c in table.columns}
        key = (row["parcours_id"], row["numero"])
        self._rangees[table.name].setdefault(key[0], {})[key[1]] = row
        self._poses[table.name][key] = row

    def ajouter(self, table: Table, row: dict) -> None:
        """A row only ever inserted (its key is new), written by `ecrire`."""
        self._tables[table.name] = table
        self._ajouts.setdefault(table.name, []).append(row)

    def ecrire(self) -> None:
        """Write what the events left: new rows inserted, changed ones updated, in one
        statement each a table."""
        for nom, poses in self._poses.items():
            table, en_base = self._tables[nom], self._en_base[nom]
            ecrire(self.conn, table, [r for k, r in poses.items() if k not in en_base], existants=False)
            ecrire(self.conn, table, [r for k, r in poses.items() if k in en_base], existants=True)
            en_base.update(poses)
            poses.clear()
        for nom, rows in self._ajouts.items():
            ecrire(self.conn, self._tables[nom], rows, existants=False)
            rows.clear()
