"""The PSAD synthesis as it was before the alert dates (`git show 7daec7c:projections/ambition_projections/psad.py`):
the young people at risk found by reading every open parcours of the scope and evaluating its
alerts in Python, the median duration from every closed parcours. Kept as the baseline of
`benchmarks.psad`, run on the same rows (the view's table keeps every column it reads)."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import Connection, Integer, and_, func, or_, select

from ambition.parcours.droits import ISSUES_AVEC_SOLUTION, ISSUES_BILAN, jours

from ambition_projections import etablissements, psad_tendances, suivi
from ambition_projections.tables import refus as vue_refus
from ambition_projections.territoires import carte as carte_configuree

ISSUES_SOLUTION = ISSUES_AVEC_SOLUTION  # the domain's list
NATIONAL = None  # scope of a national coordinator: every territory


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


def synthese(conn: Connection, t, as_of: date, territoire_: str | None = None,
             uai: str | None = None, ml: str | None = None, du: date | None = None,
             au: date | None = None) -> dict:
    p = t.parcours
    where = _where(p, territoire_, uai, ml, du, au)
    solution = or_(p.c.solution_demarree_le.is_not(None), p.c.issue.in_(ISSUES_SOLUTION))
    groups = conn.execute(select(p.c.uai, p.c.mission_locale, p.c.etat, p.c.issue,
                                 func.sum(solution.cast(Integer)), func.count())
                          .where(*where).group_by(p.c.uai, p.c.mission_locale, p.c.etat, p.c.issue)).all()
    risque = a_risque_compte(conn, t, as_of, territoire_, uai, ml, du, au)
    nom = etablissements.noms()
    totals: Counter = Counter()
    par = {"uai": defaultdict(Counter), "mission_locale": defaultdict(Counter)}
    issues: Counter = Counter()
    for g_uai, g_ml, etat, issue, avec, n in groups:
        c = Counter(entrees=n, parcours_ouverts=n if etat == "OUVERT" else 0, avec_solution=int(avec or 0))
        totals.update(c)
        par["uai"][g_uai].update(c)
        if g_ml:
            par["mission_locale"][g_ml].update(c)
        if issue:
            issues[issue] += n
            par["uai"][g_uai][f"issue:{issue}"] += n
            if g_ml:
                par["mission_locale"][g_ml][f"issue:{issue}"] += n
    depassements = conn.execute(select(func.count()).select_from(p).where(
        *where, p.c.depassement_deux_tiers.is_(True))).scalar_one()
    # the actual duration, as ParcoursClos.duree_jours carries it (start .. closure, inclusive)
    durees = [jours(debut, fin) for debut, fin in conn.execute(
        select(p.c.date_debut, p.c.date_cloture).where(*where, p.c.date_cloture.is_not(None)))]
    mois: Counter = Counter()
    for jour, n in conn.execute(select(p.c.date_debut, func.count()).where(*where).group_by(p.c.date_debut)):
        mois[jour.strftime("%Y-%m")] += n

    def ligne(key: str, ident: str, c: Counter) -> dict:
        return {key: ident, "libelle": nom["lycees" if key == "uai" else "missions_locales"].get(ident),
                "entrees": c["entrees"], "parcours_ouverts": c["parcours_ouverts"],
                "issues": {k.split(":", 1)[1]: v for k, v in sorted(c.items()) if k.startswith("issue:")},
                "part_avec_solution": _pas_de_division(c["avec_solution"], c["entrees"]),
                "jeunes_a_risque": risque.get((key, ident), 0)}

    return {
        "territoire": territoire_ or "national", "as_of": as_of,
        "entrees": totals["entrees"], "parcours_ouverts": totals["parcours_ouverts"],
        "issues": dict(sorted(issues.items())),
        "part_avec_solution": _pas_de_division(totals["avec_solution"], totals["entrees"]),
        "duree_mediane_jours": statistics.median(durees) if durees else None,
        "depassements_deux_tiers": depassements,
        "jeunes_a_risque": risque.get("total", 0),
        "entrees_par_mois": dict(sorted(mois.items())),
        "entonnoir": _entonnoir(conn, p, where),
        "issues_par_mois": psad_tendances.issues_par_mois(conn, p, where),
        "refus": refus(conn, territoire_) if not (uai or ml) else refus(conn, territoire_, uai),
        "par_lycee": [ligne("uai", k, v) for k, v in sorted(par["uai"].items())],
        "par_mission_locale": [ligne("mission_locale", k, v)
                               for k, v in sorted(par["mission_locale"].items())],
    }


def _ouverts(conn: Connection, t, as_of: date, territoire_, uai, ml, du=None, au=None):
    p = t.parcours
    cols = [p.c.parcours_id, p.c.numero, p.c.uai, p.c.mission_locale, p.c.date_debut, p.c.date_fin_prevue,
            p.c.date_accueil, p.c.date_cloture, p.c.activites, p.c.periodes]
    ouvert = and_(p.c.date_debut <= as_of, or_(p.c.date_cloture.is_(None), p.c.date_cloture > as_of))
    for r in conn.execute(select(*cols).where(*_where(p, territoire_, uai, ml, du, au), ouvert)
                          .order_by(p.c.date_debut, p.c.parcours_id, p.c.numero)).mappings():
        s = dict(r)
        alertes = suivi.alertes(s, as_of)
        if alertes:
            yield s, alertes


def a_risque_compte(conn: Connection, t, as_of: date, territoire_, uai, ml, du=None, au=None) -> dict:
    counts: Counter = Counter()
    for s, _ in _ouverts(conn, t, as_of, territoire_, uai, ml, du, au):
        counts["total"] += 1
        counts[("uai", s["uai"])] += 1
        if s["mission_locale"]:
            counts[("mission_locale", s["mission_locale"])] += 1
    return counts


def a_risque(conn: Connection, t, as_of: date, limit: int, offset: int, territoire_: str | None = None,
             uai: str | None = None, ml: str | None = None, du: date | None = None,
             au: date | None = None) -> tuple[int, list[dict]]:
    """Young people at risk at `as_of` (pseudonymous parcours id, lycée, mission locale, alerts)."""
    items = [{"parcours_id": s["parcours_id"], "numero": s["numero"], "uai": s["uai"], "mission_locale": s["mission_locale"],
              "date_debut": s["date_debut"], "date_fin_prevue": s["date_fin_prevue"],
              "jours_utilises": suivi.jours_utilises(s, as_of), "alertes": alertes}
             for s, alertes in _ouverts(conn, t, as_of, territoire_, uai, ml, du, au)]
    return len(items), items[offset:offset + limit]


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


def _entonnoir(conn: Connection, p, where: list) -> dict[str, int]:
    accueil = p.c.date_accueil.is_not(None).cast(Integer)
    pacea_ou_solution = or_(p.c.pacea.is_(True), p.c.solution_demarree_le.is_not(None)).cast(Integer)
    issue = p.c.issue.in_(ISSUES_BILAN).cast(Integer)
    row = conn.execute(select(func.count(), func.sum(accueil), func.sum(pacea_ou_solution), func.sum(issue))
                       .where(*where)).one()
    return {"entrees": row[0], "accueil": int(row[1] or 0), "pacea_ou_solution": int(row[2] or 0),
            "issue": int(row[3] or 0)}
