"""The PSAD coordinator's consolidated view, by territory (see `territoires`), broken down by
lycée and mission locale: entries, open parcours, outcomes by kind, share of young people with
a solution, median duration, young people at risk, entries per month, refusals by reason.

Every parcours counts: an élève who re-enrolled after a closure is two entries, each with its
own lycée and outcome. Pseudonymous only: no INE, no name, no birth date, no health data; no référent or counsellor
name either (the coordinator needs none). "With a solution": a Foquale/MLDS solution started,
or an outcome FORMATION, EMPLOI or PARCOURS_INSERTION.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import (Column, Connection, Date, Index, Integer, MetaData, String, Table, and_, func,
                        or_, select)

from ambition.parcours.droits import ISSUES, ISSUES_AVEC_SOLUTION, ISSUES_BILAN

from . import etablissements, psad_tendances, suivi
from .generations import suivre
from .lot import Lot
from .tables import colonnes_suivi
from .tables import refus as vue_refus
from .territoires import carte as carte_configuree

NAME = "psad"
ISSUES_SOLUTION = ISSUES_AVEC_SOLUTION  # the domain's list
NATIONAL = None  # scope of a national coordinator: every territory


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    nom = f"vue_psad_parcours{suffix}"
    return {"parcours": Table(
        nom, md,
        *colonnes_suivi("cle", "referent", "conseiller", "specialite"),
        Column("territoire", String(60), nullable=False),
        # the days the alerts are due (`suivi.dates_d_alerte`), written with each fold
        Column("alerte_activite_le", Date, nullable=False),
        Column("alerte_fin_le", Date, nullable=False),
        Column("alerte_accueil_le", Date),
        Column("alerte_le", Date, nullable=False),
        Column("faits_jusqu_au", Date, nullable=False),
        # the rows whose alerts must be evaluated from their facts (dated after the reference
        # day: none for today), in a territory and nationally
        Index(f"ix_{nom}_territoire_faits", "territoire", "faits_jusqu_au"),
        Index(f"ix_{nom}_faits", "faits_jusqu_au"),
        # what the synthesis counts, in the order it groups them: on PostgreSQL it reads these
        # indexes alone (index-only scans of a vacuumed table), a territory's part or all of it
        Index(f"ix_{nom}_comptes", "territoire", "uai", "mission_locale",
              postgresql_include=["etat", "issue", "solution_demarree_le", "date_debut", "date_cloture",
                                  "faits_jusqu_au", "alerte_le", "depassement_deux_tiers",
                                  "date_accueil", "pacea"]),
        Index(f"ix_{nom}_entrees", "territoire", "date_debut"),
        Index(f"ix_{nom}_clotures", "territoire", "date_cloture", "issue", postgresql_include=["date_debut"]))}


def apply(conn: Connection, t, name: str, meta: dict, rec: dict, lot: Lot) -> None:
    suivre(lot, t.parcours, name, meta, rec, derivees=suivi.dates_d_alerte, territoire=lot.carte(meta["uai"]))


def _where(p, territoire_: str | None, uai: str | None, ml: str | None,
           du: date | None = None, au: date | None = None) -> list:
    """The filters: territory, lycée, mission locale, entries from ``du`` to ``au`` (included)."""
    where = [p.c.date_debut >= du] if du else []
    if au:
        where.append(p.c.date_debut <= au)
    if territoire_:
        where.append(p.c.territoire == territoire_)
    if uai:
        where.append(p.c.uai == uai)
    if ml:
        where.append(p.c.mission_locale == ml)
    return where


def _pas_de_division(n: int, d: int) -> float | None:
    return round(n / d, 3) if d else None


def _ouvert(p, as_of: date):
    return and_(p.c.date_debut <= as_of, or_(p.c.date_cloture.is_(None), p.c.date_cloture > as_of))


def _a_risque_date(p, as_of: date):
    """Open at `as_of` and at risk by the precomputed dates, for the rows whose facts are all
    dated on or before `as_of` (see `suivi.dates_d_alerte`)."""
    return and_(_ouvert(p, as_of), p.c.faits_jusqu_au <= as_of, p.c.alerte_le <= as_of)


def _a_evaluer(conn: Connection, p, as_of: date, where: list, *cols):
    """The rows open at `as_of` with a fact dated after it: their alerts at `as_of` are
    evaluated from their facts (`suivi.alertes`). Yields (row, alerts) for those with alerts."""
    for r in conn.execute(select(*cols, p.c.date_debut, p.c.date_fin_prevue, p.c.date_accueil,
                                 p.c.date_cloture, p.c.activites, p.c.periodes)
                          .where(*where, _ouvert(p, as_of), p.c.faits_jusqu_au > as_of)).mappings():
        s = dict(r)
        alertes = suivi.alertes(s, as_of)
        if alertes:
            yield s, alertes


def _duree(p, dialect: str):
    """Days from start to closure, in SQL (`droits.jours` minus one)."""
    if dialect == "postgresql":
        return p.c.date_cloture - p.c.date_debut
    return (func.julianday(p.c.date_cloture) - func.julianday(p.c.date_debut)).cast(Integer)


def _mediane(comptes: dict[int, int]) -> float | int | None:
    """`statistics.median` of values given as value -> count."""
    n = sum(comptes.values())
    if not n:
        return None
    rangs, vus, out = ((n - 1) // 2, n // 2), 0, []
    for v in sorted(comptes):
        suivants = vus + comptes[v]
        out += [v for r in rangs if vus <= r < suivants]
        vus = suivants
    return out[0] if n % 2 else (out[0] + out[1]) / 2


def synthese(conn: Connection, t, as_of: date, territoire_: str | None = None,
             uai: str | None = None, ml: str | None = None, du: date | None = None,
             au: date | None = None) -> dict:
    p = t.parcours
    where = _where(p, territoire_, uai, ml, du, au)

    def nombre(condition):
        return func.count().filter(condition)

    solution = or_(p.c.solution_demarree_le.is_not(None), p.c.issue.in_(ISSUES_SOLUTION))
    # one scan for the counts by lycée and mission locale (each outcome of the domain counted
    # apart), the funnel, the 2/3 and the young people at risk by their alert dates
    # grouped by territory too (the index's order; a lycée's rows are in one territory, and
    # are added up by lycée below whatever their territory)
    groups = conn.execute(select(p.c.uai, p.c.mission_locale, func.count(), nombre(p.c.etat == "OUVERT"),
                                 nombre(solution), nombre(_a_risque_date(p, as_of)),
                                 nombre(p.c.depassement_deux_tiers.is_(True)),
                                 nombre(p.c.date_accueil.is_not(None)),
                                 nombre(or_(p.c.pacea.is_(True), p.c.solution_demarree_le.is_not(None))),
                                 nombre(p.c.issue.is_not(None) & p.c.issue.not_in(ISSUES)),
                                 *(nombre(p.c.issue == i) for i in ISSUES))
                          .where(*where).group_by(p.c.territoire, p.c.uai, p.c.mission_locale)).all()
    if any(g[9] for g in groups):  # an outcome the domain does not know (none is expected)
        autres = conn.execute(select(p.c.uai, p.c.mission_locale, p.c.issue, func.count())
                              .where(*where, p.c.issue.not_in(ISSUES))
                              .group_by(p.c.uai, p.c.mission_locale, p.c.issue)).all()
    else:
        autres = []
    nom = etablissements.noms()
    # totals: entries, open, with a solution, at risk, 2/3 exceeded, accueil, PACEA or
    # solution; by lycée and mission locale: the first four and the outcomes (plain lists: a
    # national answer adds up thousands of groups)
    colonnes = list(zip(*groups)) or [()] * (10 + len(ISSUES))
    totals = [sum(c) for c in colonnes[2:9]]
    issues = {i: sum(c) for i, c in zip(ISSUES, colonnes[10:])}
    par: dict[str, dict[str, list]] = {"uai": {}, "mission_locale": {}}

    def ajouter(key: str, ident: str | None, n: int, ouverts: int, avec: int, risque: int, par_issue: dict):
        if not ident:
            return
        c = par[key].get(ident)
        if c is None:
            c = par[key][ident] = [0, 0, 0, 0, {}]
        c[0] += n
        c[1] += ouverts
        c[2] += avec
        c[3] += risque
        for issue, k in par_issue.items():
            if k:
                c[4][issue] = c[4].get(issue, 0) + k

    for g in groups:
        par_issue = dict(zip(ISSUES, g[10:]))
        ajouter("uai", g[0], *g[2:6], par_issue)
        ajouter("mission_locale", g[1], *g[2:6], par_issue)
    for g_uai, g_ml, issue, n in autres:
        issues[issue] = issues.get(issue, 0) + n
        ajouter("uai", g_uai, 0, 0, 0, 0, {issue: n})
        ajouter("mission_locale", g_ml, 0, 0, 0, 0, {issue: n})
    issues = {i: n for i, n in issues.items() if n}
    bilan = sum(issues.get(i, 0) for i in ISSUES_BILAN)
    for s, _ in _a_evaluer(conn, p, as_of, where, p.c.uai, p.c.mission_locale):
        totals[3] += 1
        par["uai"][s["uai"]][3] += 1
        if s["mission_locale"]:
            par["mission_locale"][s["mission_locale"]][3] += 1
    # the actual duration, as ParcoursClos.duree_jours carries it (start .. closure, inclusive)
    duree = _duree(p, conn.dialect.name)
    durees = {int(d) + 1: n for d, n in conn.execute(
        select(duree, func.count()).where(*where, p.c.date_cloture.is_not(None)).group_by(duree))}
    mois: Counter = Counter()
    for jour, n in conn.execute(select(p.c.date_debut, func.count()).where(*where).group_by(p.c.date_debut)):
        mois[jour.strftime("%Y-%m")] += n

    def ligne(key: str, ident: str, c: list) -> dict:
        return {key: ident, "libelle": nom["lycees" if key == "uai" else "missions_locales"].get(ident),
                "entrees": c[0], "parcours_ouverts": c[1], "issues": dict(sorted(c[4].items())),
                "part_avec_solution": _pas_de_division(c[2], c[0]), "jeunes_a_risque": c[3]}

    entrees, ouverts, avec, risque, depasse, accueil, pacea_ou_solution = totals
    return {
        "territoire": territoire_ or "national", "as_of": as_of,
        "entrees": entrees, "parcours_ouverts": ouverts,
        "issues": dict(sorted(issues.items())),
        "part_avec_solution": _pas_de_division(avec, entrees),
        "duree_mediane_jours": _mediane(durees),
        "depassements_deux_tiers": depasse,
        "jeunes_a_risque": risque,
        "entrees_par_mois": dict(sorted(mois.items())),
        "entonnoir": {"entrees": entrees, "accueil": accueil, "pacea_ou_solution": pacea_ou_solution,
                      "issue": bilan},
        "issues_par_mois": psad_tendances.issues_par_mois(conn, p, where),
        "refus": refus(conn, territoire_) if not (uai or ml) else refus(conn, territoire_, uai),
        "par_lycee": [ligne("uai", k, v) for k, v in sorted(par["uai"].items())],
        "par_mission_locale": [ligne("mission_locale", k, v)
                               for k, v in sorted(par["mission_locale"].items())],
    }


def a_risque(conn: Connection, t, as_of: date, limit: int, offset: int, territoire_: str | None = None,
             uai: str | None = None, ml: str | None = None, du: date | None = None,
             au: date | None = None) -> tuple[int, list[dict]]:
    """Young people at risk at `as_of` (pseudonymous parcours id, lycée, mission locale, alerts),
    by entry date: those found by their alert dates, and those whose alerts are evaluated from
    their facts (`_a_evaluer`)."""
    p = t.parcours
    where = _where(p, territoire_, uai, ml, du, au)
    cols = (p.c.parcours_id, p.c.numero, p.c.uai, p.c.mission_locale)
    dates = [p.c[c] for _, c in suivi.DATES_D_ALERTE]
    trouves = [(s, suivi.alertes_datees(s, as_of)) for s in map(dict, conn.execute(
        select(*cols, p.c.date_debut, p.c.date_fin_prevue, p.c.date_cloture, *dates)
        .where(*where, _a_risque_date(p, as_of))).mappings())]
    trouves += _a_evaluer(conn, p, as_of, where, *cols)
    trouves.sort(key=lambda x: (x[0]["date_debut"], x[0]["parcours_id"], x[0]["numero"]))
    items = [{"parcours_id": s["parcours_id"], "numero": s["numero"], "uai": s["uai"], "mission_locale": s["mission_locale"],
              "date_debut": s["date_debut"], "date_fin_prevue": s["date_fin_prevue"],
              "jours_utilises": suivi.jours_utilises(s, as_of), "alertes": alertes}
             for s, alertes in trouves[offset:offset + limit]]
    return len(trouves), items


RESOLUS = ("accepte", "doublon")  # retry outcomes that resolve a refusal


def refus(conn: Connection, territoire_: str | None, uai: str | None = None) -> dict[str, int]:
    """Standing refusals by reason code: one an operator's retry resolved (accepted, or found
    already accepted) no longer counts, so entries + refusals still account for every fact
    received. A territory counts the refusals of its lycées' messages (a refusal whose sender is
    unknown or not a lycée is only in the national figures)."""
    r = vue_refus
    standing = or_(r.c.dernier_resultat.is_(None), r.c.dernier_resultat.notin_(RESOLUS))
    rows = conn.execute(select(r.c.partner, r.c.reason, func.count()).where(standing)
                        .group_by(r.c.partner, r.c.reason)).all()
    out: Counter = Counter()
    territoire = carte_configuree()
    for partner, reason, n in rows:
        sender_uai = partner.split(":", 1)[1] if partner and partner.startswith("lycee:") else None
        if uai and sender_uai != uai:
            continue
        if territoire_ and (sender_uai is None or territoire(sender_uai) != territoire_):
            continue
        out[reason] += n
    return dict(sorted(out.items()))
