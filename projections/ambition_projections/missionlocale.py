"""The mission locale's view (by SIRET): caseload by counsellor, PACEA, activities, stages in
progress, bilans due, one row per parcours number. A parcours enters it with the mission
locale's accueil (or when the lycée names it after a move); a mission locale the young person
moved away from keeps the row as it was at the move (`transferes`), with its activities and
stages."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (Column, Connection, Date, Index, Integer, MetaData, String, Table, case,
                        distinct, func, select)

from . import suivi
from .generations import suivre
from .lot import Lot
from .tables import colonnes_suivi

NAME = "missionlocale"
BILAN_DU_JOURS = 15  # a bilan is due when the planned end is this close (or passed)


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    t = {
        # pages of the lists read in their order from an index, not sorted per request: the
        # young people (by counsellor), the bilans due, the activities, the stages under way
        "jeunes": Table(f"vue_ml_jeunes{suffix}", md, *colonnes_suivi(),
                        Index(f"ix_vue_ml_jeunes{suffix}_liste", "mission_locale", "conseiller",
                              "date_debut", "parcours_id", "numero"),
                        Index(f"ix_vue_ml_jeunes{suffix}_bilans", "mission_locale", "etat",
                              "date_fin_prevue", "parcours_id", "numero")),
        "transferes": Table(
            f"vue_ml_transferes{suffix}", md,
            *[c for c in colonnes_suivi("mission_locale")],
            Column("mission_locale", String(14), primary_key=True),
            Column("date_transfert", Date, nullable=False),
            Column("vers", String(14), nullable=False),
            Index(f"ix_vue_ml_transferes{suffix}_liste", "mission_locale", "date_debut", "parcours_id",
                  "numero")),
        "activites": Table(
            f"vue_ml_activites{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("numero", Integer, nullable=False),
            Column("mission_locale", String(14), nullable=False, index=True),
            Column("conseiller", String(200)),
            Column("activite", String(40), nullable=False),
            Column("date", Date, nullable=False)),
        "stages": Table(
            f"vue_ml_stages{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("numero", Integer, primary_key=True, autoincrement=False),
            Column("mission_locale", String(14), primary_key=True),
            Column("periode_id", String(100), primary_key=True),
            Column("nature", String(20), nullable=False),
            Column("siret", String(14)),
            Column("date_debut", Date, nullable=False),
            Column("date_fin_prevue", Date, nullable=False),
            Column("date_fin", Date),
            Index(f"ix_vue_ml_stages{suffix}_liste", "mission_locale", "date_fin", "date_debut",
                  "parcours_id", "periode_id")),
    }
    a = t["activites"]
    Index(f"ix_vue_ml_activites{suffix}_liste", a.c.mission_locale, a.c.date.desc(), a.c.parcours_id,
          a.c.version)
    return t


def apply(conn: Connection, t, name: str, meta: dict, rec: dict, lot: Lot) -> None:
    if name == "MissionLocaleChangee" and rec.get("ancienne_mission_locale"):
        _garder_l_historique(conn, t, meta, rec, lot)
    s = suivre(lot, t.jeunes, name, meta, rec)
    if s is None or not s["mission_locale"]:
        return
    pid, numero = s["parcours_id"], s["numero"]
    emetteur_ml = meta["emetteur"].removeprefix("ml:")
    if name == "ActiviteMissionLocaleRealisee":
        lot.ajouter(t.activites, dict(
            parcours_id=pid, version=int(meta["version"]), numero=numero,
            mission_locale=s["mission_locale"], conseiller=s["conseiller"],
            activite=rec["activite"], date=rec["date"]))
    elif name == "StageDebute":  # begun after the closure was decided: ends on its date
        lot.poser(t.stages, dict(parcours_id=pid, numero=numero, periode_id=rec["periode_id"],
                                 mission_locale=emetteur_ml, nature=rec["nature"],
                                 siret=rec["siret"], date_debut=rec["date_debut"],
                                 date_fin_prevue=rec["date_fin_prevue"],
                                 date_fin=s["date_cloture"]))
    elif name == "StageTermine":
        row = lot.rangees(t.stages, pid).get((numero, emetteur_ml, rec["periode_id"]))
        if row is not None:
            lot.poser(t.stages, dict(row, date_fin=rec["date_fin"]))
    elif name == "ParcoursClos":  # stages still open end on the closure date
        for (n, _, _), row in list(lot.rangees(t.stages, pid).items()):
            if n == numero and row["date_fin"] is None:
                lot.poser(t.stages, dict(row, date_fin=rec["date"]))


def _garder_l_historique(conn: Connection, t, meta: dict, rec: dict, lot: Lot) -> None:
    """The young person moved: the former mission locale keeps its row as it was."""
    pid, numero = str(meta["parcours_id"]), int(meta.get("numero") or 1)
    row = lot.rangees(t.jeunes, pid).get(numero)
    if row is not None and row["mission_locale"] == rec["ancienne_mission_locale"]:
        lot.poser(t.transferes, dict(row, date_transfert=rec["date"], vers=rec["siret"]))


def portefeuille(conn: Connection, t, siret: str) -> list[dict]:
    """Caseload by counsellor: parcours, open parcours, young people with a PACEA in progress
    (a PACEA goes on across closure and re-entry: it shows in each parcours, counts once)."""
    j = t.jeunes
    ouverts = func.sum((j.c.etat == "OUVERT").cast(Integer))
    pacea = func.count(distinct(case((j.c.pacea.is_(True), j.c.parcours_id))))
    rows = conn.execute(select(j.c.conseiller, func.count(), ouverts, pacea)
                        .where(j.c.mission_locale == siret)
                        .group_by(j.c.conseiller).order_by(j.c.conseiller)).all()
    return [{"conseiller": c, "jeunes": n, "ouverts": int(o or 0), "pacea_en_cours": int(p or 0)}
            for c, n, o, p in rows]


def _presenter(s: dict, as_of: date, stages_en_cours: int) -> dict:
    transfere = s.get("date_transfert") is not None
    return {
        "parcours_id": s["parcours_id"], "numero": s["numero"], "cle": s["cle"], "uai": s["uai"],
        "transfere_le": s.get("date_transfert"), "transfere_vers": s.get("vers"),
        "conseiller": s["conseiller"], "etat": s["etat"], "issue": s["issue"],
        "date_debut": s["date_debut"], "date_fin_prevue": s["date_fin_prevue"],
        "date_accueil": s["date_accueil"], "pacea": s["pacea"], "stages_en_cours": stages_en_cours,
        "bilan_du": not transfere and s["etat"] == "OUVERT"
        and s["date_fin_prevue"] <= as_of + timedelta(BILAN_DU_JOURS),
        "jours_utilises": suivi.jours_utilises(s, as_of),
        "alertes": [] if transfere else suivi.alertes(s, as_of),
    }


def _page(conn: Connection, t, where: list, order, as_of: date, limit: int, offset: int):
    j, st = t.jeunes, t.stages
    total = conn.execute(select(func.count()).select_from(j).where(*where)).scalar_one()
    rows = [dict(r) for r in conn.execute(select(j).where(*where).order_by(*order, j.c.parcours_id,
                                                                          j.c.numero)
                                          .limit(limit).offset(offset)).mappings()]
    en_cours = {(p, n): c for p, n, c in conn.execute(
        select(st.c.parcours_id, st.c.numero, func.count()).where(
            st.c.parcours_id.in_([r["parcours_id"] for r in rows]), st.c.date_fin.is_(None))
        .group_by(st.c.parcours_id, st.c.numero)).all()} if rows else {}
    return total, [_presenter(r, as_of, en_cours.get((r["parcours_id"], r["numero"]), 0))
                   for r in rows]


def jeunes(conn: Connection, t, siret: str, as_of: date, limit: int, offset: int,
           conseiller: str | None = None) -> tuple[int, list[dict]]:
    """Its young people, then those who moved to another mission locale (as at the move)."""
    j, tr = t.jeunes, t.transferes
    where = [j.c.mission_locale == siret] + ([j.c.conseiller == conseiller] if conseiller else [])
    total, items = _page(conn, t, where, [j.c.conseiller, j.c.date_debut], as_of, limit, offset)
    partis = [tr.c.mission_locale == siret] + ([tr.c.conseiller == conseiller] if conseiller else [])
    anciens = [_presenter(dict(r), as_of, 0) for r in conn.execute(
        select(tr).where(*partis).order_by(tr.c.date_debut, tr.c.parcours_id, tr.c.numero)
    ).mappings()]
    debut = max(0, offset - total)
    return total + len(anciens), items + anciens[debut:debut + max(0, limit - len(items))]


def bilans_dus(conn: Connection, t, siret: str, as_of: date, limit: int, offset: int):
    """Open parcours whose planned end is within BILAN_DU_JOURS days of `as_of`, or passed."""
    j = t.jeunes
    where = [j.c.mission_locale == siret, j.c.etat == "OUVERT",
             j.c.date_fin_prevue <= as_of + timedelta(BILAN_DU_JOURS)]
    return _page(conn, t, where, [j.c.date_fin_prevue], as_of, limit, offset)


def activites(conn: Connection, t, siret: str, limit: int, offset: int):
    a = t.activites
    where = [a.c.mission_locale == siret]
    total = conn.execute(select(func.count()).select_from(a).where(*where)).scalar_one()
    rows = conn.execute(select(a.c.parcours_id, a.c.numero, a.c.conseiller, a.c.activite,
                               a.c.date).where(*where)
                        .order_by(a.c.date.desc(), a.c.parcours_id, a.c.version)
                        .limit(limit).offset(offset)).mappings().all()
    return total, [dict(r) for r in rows]


def stages_en_cours(conn: Connection, t, siret: str, limit: int, offset: int):
    """Stages and immersions begun and not ended."""
    st = t.stages
    where = [st.c.mission_locale == siret, st.c.date_fin.is_(None)]
    total = conn.execute(select(func.count()).select_from(st).where(*where)).scalar_one()
    rows = conn.execute(select(st.c.parcours_id, st.c.numero, st.c.periode_id, st.c.nature,
                               st.c.siret,
                               st.c.date_debut, st.c.date_fin_prevue).where(*where)
                        .order_by(st.c.date_debut, st.c.parcours_id, st.c.periode_id)
                        .limit(limit).offset(offset)).mappings().all()
    return total, [dict(r) for r in rows]
