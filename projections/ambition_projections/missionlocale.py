"""The mission locale's view (by SIRET): caseload by counsellor, PACEA, activities, stages in
progress, bilans due. A parcours enters it with the mission locale's accueil."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Column, Connection, Date, Integer, MetaData, String, Table, func, select

from . import suivi
from .generations import ecrire, suivre, upsert
from .tables import colonnes_suivi

NAME = "missionlocale"
BILAN_DU_JOURS = 15  # a bilan is due when the planned end is this close (or passed)


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    return {
        "jeunes": Table(f"vue_ml_jeunes{suffix}", md, *colonnes_suivi()),
        "activites": Table(
            f"vue_ml_activites{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("mission_locale", String(14), nullable=False, index=True),
            Column("conseiller", String(200)),
            Column("activite", String(40), nullable=False),
            Column("date", Date, nullable=False)),
        "stages": Table(
            f"vue_ml_stages{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("periode_id", String(100), primary_key=True),
            Column("mission_locale", String(14), nullable=False, index=True),
            Column("nature", String(20), nullable=False),
            Column("siret", String(14)),
            Column("date_debut", Date, nullable=False),
            Column("date_fin_prevue", Date, nullable=False),
            Column("date_fin", Date)),
    }


def apply(conn: Connection, t, name: str, meta: dict, rec: dict) -> None:
    s = suivre(conn, t.jeunes, name, meta, rec)
    if s is None or not s["mission_locale"]:
        return
    pid = s["parcours_id"]
    if name == "ActiviteMissionLocaleRealisee":
        ecrire(conn, t.activites, existants=False, rows=[dict(parcours_id=pid, version=int(meta["version"]),
                                        mission_locale=s["mission_locale"], conseiller=s["conseiller"],
                                        activite=rec["activite"], date=rec["date"])])
    elif name == "StageDebute":
        upsert(conn, t.stages, [dict(parcours_id=pid, periode_id=rec["periode_id"],
                                     mission_locale=s["mission_locale"], nature=rec["nature"],
                                     siret=rec["siret"], date_debut=rec["date_debut"],
                                     date_fin_prevue=rec["date_fin_prevue"], date_fin=None)])
    elif name == "StageTermine":
        conn.execute(t.stages.update().where(t.stages.c.parcours_id == pid,
                                             t.stages.c.periode_id == rec["periode_id"])
                     .values(date_fin=rec["date_fin"]))


def portefeuille(conn: Connection, t, siret: str) -> list[dict]:
    """Caseload by counsellor: young people, open parcours, PACEA in progress."""
    j = t.jeunes
    ouverts = func.sum((j.c.etat == "OUVERT").cast(Integer))
    pacea = func.sum(j.c.pacea.cast(Integer))
    rows = conn.execute(select(j.c.conseiller, func.count(), ouverts, pacea)
                        .where(j.c.mission_locale == siret)
                        .group_by(j.c.conseiller).order_by(j.c.conseiller)).all()
    return [{"conseiller": c, "jeunes": n, "ouverts": int(o or 0), "pacea_en_cours": int(p or 0)}
            for c, n, o, p in rows]


def _presenter(s: dict, as_of: date, stages_en_cours: int) -> dict:
    return {
        "parcours_id": s["parcours_id"], "cle": s["cle"], "uai": s["uai"],
        "conseiller": s["conseiller"], "etat": s["etat"], "issue": s["issue"],
        "date_debut": s["date_debut"], "date_fin_prevue": s["date_fin_prevue"],
        "date_accueil": s["date_accueil"], "pacea": s["pacea"], "stages_en_cours": stages_en_cours,
        "bilan_du": s["etat"] == "OUVERT" and s["date_fin_prevue"] <= as_of + timedelta(BILAN_DU_JOURS),
        "jours_utilises": suivi.jours_utilises(s, as_of), "alertes": suivi.alertes(s, as_of),
    }


def _page(conn: Connection, t, where: list, order, as_of: date, limit: int, offset: int):
    j, st = t.jeunes, t.stages
    total = conn.execute(select(func.count()).select_from(j).where(*where)).scalar_one()
    rows = [dict(r) for r in conn.execute(select(j).where(*where).order_by(*order, j.c.parcours_id)
                                          .limit(limit).offset(offset)).mappings()]
    en_cours = dict(conn.execute(
        select(st.c.parcours_id, func.count()).where(
            st.c.parcours_id.in_([r["parcours_id"] for r in rows]), st.c.date_fin.is_(None))
        .group_by(st.c.parcours_id)).all()) if rows else {}
    return total, [_presenter(r, as_of, en_cours.get(r["parcours_id"], 0)) for r in rows]


def jeunes(conn: Connection, t, siret: str, as_of: date, limit: int, offset: int,
           conseiller: str | None = None) -> tuple[int, list[dict]]:
    j = t.jeunes
    where = [j.c.mission_locale == siret] + ([j.c.conseiller == conseiller] if conseiller else [])
    return _page(conn, t, where, [j.c.conseiller, j.c.date_debut], as_of, limit, offset)


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
    rows = conn.execute(select(a.c.parcours_id, a.c.conseiller, a.c.activite, a.c.date).where(*where)
                        .order_by(a.c.date.desc(), a.c.parcours_id, a.c.version)
                        .limit(limit).offset(offset)).mappings().all()
    return total, [dict(r) for r in rows]


def stages_en_cours(conn: Connection, t, siret: str, limit: int, offset: int):
    """Stages and immersions begun and not ended."""
    st = t.stages
    where = [st.c.mission_locale == siret, st.c.date_fin.is_(None)]
    total = conn.execute(select(func.count()).select_from(st).where(*where)).scalar_one()
    rows = conn.execute(select(st.c.parcours_id, st.c.periode_id, st.c.nature, st.c.siret,
                               st.c.date_debut, st.c.date_fin_prevue).where(*where)
                        .order_by(st.c.date_debut, st.c.parcours_id, st.c.periode_id)
                        .limit(limit).offset(offset)).mappings().all()
    return total, [dict(r) for r in rows]
