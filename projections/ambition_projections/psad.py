"""The PSAD coordinator's consolidated view, by territory (see `territoires`), broken down by
lycée and mission locale: entries, open parcours, outcomes by kind, share of young people with
a solution, median duration, young people at risk, entries per month, refusals by reason.

Every parcours counts: an élève who re-enrolled after a closure is two entries, each with its
own lycée and outcome. Pseudonymous only: no INE, no name, no birth date, no health data; no référent or counsellor
name either (the coordinator needs none). "With a solution": a Foquale/MLDS solution started,
or an outcome FORMATION, EMPLOI or PARCOURS_INSERTION.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from sqlalchemy import (Column, Connection, Date, Index, Integer, MetaData, String, Table, and_, func,
                        or_, select, union_all)
from sqlalchemy.exc import DBAPIError

from ambition.parcours.droits import ISSUES, ISSUES_AVEC_SOLUTION, ISSUES_BILAN

from . import etablissements, psad_tendances, suivi
from .generations import copier, suivre
from .lot import Lot
from .tables import colonnes_suivi
from .tables import refus as vue_refus
from .territoires import carte as carte_configuree

log = logging.getLogger(__name__)
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
        Index(f"ix_{nom}_clotures", "territoire", "date_cloture", "issue", postgresql_include=["date_debut"])),
        # the counts the projection maintains with the rows (`contributions`), read by the
        # synthesis of a territory or of the nation instead of the rows
        "comptes": Table(
            f"vue_psad_comptes{suffix}", md,
            Column("territoire", String(60), primary_key=True),
            Column("portee", String(3), primary_key=True),  # uai | ml: by lycée, by mission locale
            Column("ident", String(14), primary_key=True),
            *(Column(c, Integer, nullable=False) for c in COMPTES)),
        # parcours by duration (days), by month of entry, by month of closure and outcome
        "histogrammes": Table(
            f"vue_psad_histogrammes{suffix}", md,
            Column("territoire", String(60), primary_key=True),
            Column("mesure", String(10), primary_key=True),  # duree | entree | cloture
            Column("cle", String(40), primary_key=True),  # days | YYYY-MM | YYYY-MM outcome
            Column("n", Integer, nullable=False)),
        # the young people at risk: +1 the day a parcours becomes at risk by its alert dates,
        # -1 the day it closes, by lycée and by mission locale, added up by year, by month, by
        # ten days of a month (from the 1st, 11th, 21st) and by day, so that those at risk on a
        # day are a few sums before it and its last days (`_risque_par_comptes`)
        "risque": Table(
            f"vue_psad_risque{suffix}", md,
            Column("niveau", String(1), primary_key=True),  # A (year) | M (month) | D (ten days) | J (day)
            Column("debut", Date, primary_key=True),  # the year's, month's, ten days' first day, or the day
            Column("territoire", String(60), primary_key=True),
            Column("portee", String(3), primary_key=True),  # uai | ml
            Column("ident", String(14), primary_key=True),
            Column("n", Integer, nullable=False),
            Index(f"ix_vue_psad_risque{suffix}_lecture", "niveau", "debut", "territoire", "portee",
                  "ident", postgresql_include=["n"])),
    }


#: what `comptes` counts for each lycée and each mission locale of a territory, in its columns' order
ISSUES_COLONNES = tuple(f"issue_{i.lower()}" for i in ISSUES)
COMPTES = ("entrees", "ouverts", "avec_solution", "deux_tiers", "accueil", "pacea_ou_solution",
           "issue_autre", *ISSUES_COLONNES)


def apply(conn: Connection, t, name: str, meta: dict, rec: dict, lot: Lot) -> None:
    pid = str(meta["parcours_id"])
    if lot.massif:  # a rebuild's bulk pages: `recompter` counts the new rows once at the end
        suivre(lot, t.parcours, name, meta, rec, derivees=suivi.dates_d_alerte, territoire=lot.carte(meta["uai"]))
        return
    avant = dict(lot.rangees(t.parcours, pid))
    suivre(lot, t.parcours, name, meta, rec, derivees=suivi.dates_d_alerte, territoire=lot.carte(meta["uai"]))
    for numero, s in lot.rangees(t.parcours, pid).items():
        a = avant.get(numero)
        if a is s:
            continue
        if a is not None and a["date_cloture"] is None and all(a[c] == s[c] for c in _CHAMPS_COMPTES):
            _deplacer_risque(lot, t, a, s)  # an open row's day at risk moved (a fact): that alone
            continue
        # a changed row: the old one's counts out, the new one's in
        sortent, entrent = set(contributions(t, a)), set(contributions(t, s))
        for table, cle, valeurs in sortent - entrent:
            lot.compter(table, cle, valeurs, -1)
        for table, cle, valeurs in entrent - sortent:
            lot.compter(table, cle, valeurs, 1)


#: the columns `contributions` reads, but for the day at risk
_CHAMPS_COMPTES = ("territoire", "uai", "mission_locale", "issue", "etat", "solution_demarree_le",
                   "depassement_deux_tiers", "date_accueil", "pacea", "date_debut", "date_cloture")


def _deplacer_risque(lot: Lot, t, a: dict, s: dict) -> None:
    """`contributions`'s difference between two open rows that differ by their day at risk
    only: -1 in the old day's year, month, ten days and day, +1 in the new one's, where they
    differ."""
    avant, apres = jour_a_risque(a), jour_a_risque(s)
    if avant == apres:
        return
    ter, uai, ml = s["territoire"], s["uai"], s["mission_locale"]
    portees = [("uai", uai)] + ([("ml", ml)] if ml else [])
    for (niveau, de), (_, vers) in zip(_seaux(avant), _seaux(apres)):
        if de != vers:
            for portee, ident in portees:
                lot.compter(t.risque, (niveau, de, ter, portee, ident), (1,), -1)
                lot.compter(t.risque, (niveau, vers, ter, portee, ident), (1,), 1)


def _seaux(jour: date) -> tuple:
    """The sums of `vue_psad_risque` a day falls in: its year, month, ten days, and itself."""
    return (("A", jour.replace(month=1, day=1)), ("M", jour.replace(day=1)), ("D", _dizaine(jour)),
            ("J", jour))


def _mois(jour: date) -> str:
    return f"{jour.year:04d}-{jour.month:02d}"


def _dizaine(jour: date) -> date:
    """The first day of the jour's ten days: the 1st, 11th or 21st (to the month's end)."""
    return jour.replace(day=min(21, (jour.day - 1) // 10 * 10 + 1))


def jour_a_risque(s: dict) -> date:
    """From this day on (until its closure) the parcours counts among the young people at risk
    read from its alert dates: its alerts due, every fact dated before (`_a_risque_date`)."""
    return max(s["date_debut"], s["faits_jusqu_au"], s["alerte_le"])


def contributions(t, s: dict | None) -> list[tuple]:
    """What a row of the view adds to the counts: (table, key, values), the key and values in
    the order of the table's columns. None (no row): nothing."""
    if s is None:
        return []
    ter, uai, ml, issue = s["territoire"], s["uai"], s["mission_locale"], s["issue"]
    demarree = s["solution_demarree_le"] is not None
    comptes = (1, s["etat"] == "OUVERT", demarree or issue in ISSUES_SOLUTION,
               s["depassement_deux_tiers"] is True, s["date_accueil"] is not None,
               s["pacea"] is True or demarree, issue is not None and issue not in ISSUES,
               *(issue == i for i in ISSUES))
    comptes = tuple(int(v) for v in comptes)
    portees = [("uai", uai)] + ([("ml", ml)] if ml else [])
    out = [(t.comptes, (ter, portee, ident), comptes) for portee, ident in portees]
    out.append((t.histogrammes, (ter, "entree", _mois(s["date_debut"])), (1,)))
    cloture = s["date_cloture"]
    if cloture is not None:
        out.append((t.histogrammes, (ter, "duree", str((cloture - s["date_debut"]).days + 1)), (1,)))
        if issue is not None:
            out.append((t.histogrammes, (ter, "cloture", f"{_mois(cloture)} {issue}"), (1,)))
    debut = jour_a_risque(s)
    if cloture is None or cloture > debut:
        for jour, signe in [(debut, 1)] + ([(cloture, -1)] if cloture is not None else []):
            for niveau, premier in _seaux(jour):
                out += [(t.risque, (niveau, premier, ter, portee, ident), (signe,))
                        for portee, ident in portees]
    return out


def recompter(conn: Connection, t) -> None:
    """Count every row of the view anew (`contributions`): after a rebuild's bulk pages, or for
    a view whose counts were never kept (tables created on an existing read store)."""
    for table in (t.comptes, t.histogrammes, t.risque):
        conn.execute(table.delete())
    totaux: dict = {t.comptes.name: {}, t.histogrammes.name: {}, t.risque.name: {}}
    p = t.parcours
    cols = [p.c[c] for c in ("territoire", "uai", "mission_locale", "issue", "etat", "solution_demarree_le",
                             "depassement_deux_tiers", "date_accueil", "pacea", "date_debut",
                             "date_cloture", "faits_jusqu_au", "alerte_le")]
    for s in conn.execute(select(*cols).execution_options(yield_per=10_000)).mappings():
        for table, cle, valeurs in contributions(t, s):
            d = totaux[table.name]
            acc = d.get(cle)
            if acc is None:
                d[cle] = list(valeurs)
            else:
                for k, v in enumerate(valeurs):
                    acc[k] += v
    for table in (t.comptes, t.histogrammes, t.risque):
        noms = [c.name for c in table.columns]
        copier(conn, table, [dict(zip(noms, (*cle, *valeurs))) for cle, valeurs in totaux[table.name].items()
                             if any(valeurs)])


def verifier_comptes(conn: Connection, t) -> None:
    """Counts created beside rows already there (a read store of an earlier version): count
    the rows once. Any row of the view is counted in `comptes`, so rows without counts are
    the only case."""
    if (conn.execute(select(t.parcours.c.parcours_id).limit(1)).first() is not None
            and conn.execute(select(t.comptes.c.ident).limit(1)).first() is None):
        try:
            with conn.begin_nested():
                recompter(conn, t)
        except DBAPIError as exc:  # rows older still (no alert dates): the rebuild counts them
            log.warning("the PSAD counts could not be filled from the rows (%s): run "
                        "`ambition rebuild --projection psad`", type(exc).__name__)


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
             au: date | None = None, comptes: bool = True) -> dict:
    """The consolidated figures. A territory or the nation as a whole (no lycée, mission locale
    or entry dates asked for) is read from the counts the projection keeps (``comptes``; False:
    from the rows, as any other selection is)."""
    p = t.parcours
    where = _where(p, territoire_, uai, ml, du, au)
    par_comptes = comptes and not (uai or ml or du or au)
    # totals: entries, open, with a solution, at risk, 2/3 exceeded, accueil, PACEA or
    # solution; by lycée and by mission locale: [entries, open, with a solution, at risk,
    # {outcome: count}] (plain lists: a national answer adds up thousands of groups)
    totals, issues, par, autres_issues = (_par_comptes(conn, t, as_of, territoire_) if par_comptes
                                          else _par_balayage(conn, p, as_of, where))
    if autres_issues:  # an outcome the domain does not know (none is expected)
        autres = conn.execute(select(p.c.uai, p.c.mission_locale, p.c.issue, func.count())
                              .where(*where, p.c.issue.not_in(ISSUES))
                              .group_by(p.c.uai, p.c.mission_locale, p.c.issue)).all()
    else:
        autres = []

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
    if par_comptes:
        durees, mois, issues_par_mois = _histogrammes(conn, t, territoire_)
    else:
        # the actual duration, as ParcoursClos.duree_jours carries it (start .. closure, inclusive)
        duree = _duree(p, conn.dialect.name)
        durees = {int(d) + 1: n for d, n in conn.execute(
            select(duree, func.count()).where(*where, p.c.date_cloture.is_not(None)).group_by(duree))}
        mois = Counter()
        for jour, n in conn.execute(select(p.c.date_debut, func.count()).where(*where).group_by(p.c.date_debut)):
            mois[jour.strftime("%Y-%m")] += n
        issues_par_mois = psad_tendances.issues_par_mois(conn, p, where)
    nom = etablissements.noms()

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
        "issues_par_mois": issues_par_mois,
        "refus": refus(conn, territoire_) if not (uai or ml) else refus(conn, territoire_, uai),
        "par_lycee": [ligne("uai", k, v) for k, v in sorted(par["uai"].items())],
        "par_mission_locale": [ligne("mission_locale", k, v)
                               for k, v in sorted(par["mission_locale"].items())],
    }


def _par_balayage(conn: Connection, p, as_of: date, where: list) -> tuple[list, dict, dict, bool]:
    """The counts of `synthese` from the rows: one scan for the counts by lycée and mission
    locale (each outcome of the domain counted apart), the funnel, the 2/3 and the young people
    at risk by their alert dates, grouped by territory too (the index's order; a lycée's rows
    are in one territory, and are added up by lycée below whatever their territory)."""
    def nombre(condition):
        return func.count().filter(condition)

    solution = or_(p.c.solution_demarree_le.is_not(None), p.c.issue.in_(ISSUES_SOLUTION))
    groups = conn.execute(select(p.c.uai, p.c.mission_locale, func.count(), nombre(p.c.etat == "OUVERT"),
                                 nombre(solution), nombre(_a_risque_date(p, as_of)),
                                 nombre(p.c.depassement_deux_tiers.is_(True)),
                                 nombre(p.c.date_accueil.is_not(None)),
                                 nombre(or_(p.c.pacea.is_(True), p.c.solution_demarree_le.is_not(None))),
                                 nombre(p.c.issue.is_not(None) & p.c.issue.not_in(ISSUES)),
                                 *(nombre(p.c.issue == i) for i in ISSUES))
                          .where(*where).group_by(p.c.territoire, p.c.uai, p.c.mission_locale)).all()
    colonnes = list(zip(*groups)) or [()] * (10 + len(ISSUES))
    totals = [sum(c) for c in colonnes[2:9]]
    issues = {i: sum(c) for i, c in zip(ISSUES, colonnes[10:])}
    par: dict[str, dict[str, list]] = {"uai": {}, "mission_locale": {}}
    for g in groups:
        par_issue = {i: k for i, k in zip(ISSUES, g[10:]) if k}
        for key, ident in (("uai", g[0]), ("mission_locale", g[1])):
            if not ident:
                continue
            c = par[key].get(ident)
            if c is None:
                c = par[key][ident] = [0, 0, 0, 0, {}]
            c[0] += g[2]
            c[1] += g[3]
            c[2] += g[4]
            c[3] += g[5]
            for issue, k in par_issue.items():
                c[4][issue] = c[4].get(issue, 0) + k
    return totals, issues, par, any(g[9] for g in groups)


def _par_comptes(conn: Connection, t, as_of: date, territoire_: str | None) -> tuple[list, dict, dict, bool]:
    """The counts of `synthese` from the counts the projection keeps (`contributions`): by
    lycée and by mission locale added up over the territories, the young people at risk from
    their days (`_risque_par_comptes`)."""
    c = t.comptes
    where = [c.c.territoire == territoire_] if territoire_ else []
    rows = conn.execute(select(c.c.portee, c.c.ident, *(func.sum(c.c[k]) for k in COMPTES))
                        .where(*where).group_by(c.c.portee, c.c.ident)).all()
    risque = _risque_par_comptes(conn, t, as_of, territoire_)
    par: dict[str, dict[str, list]] = {"uai": {}, "mission_locale": {}}
    totals, issues, autres = [0] * 7, dict.fromkeys(ISSUES, 0), False
    for portee, ident, n, ouverts, avec, depasse, accueil, pacea, autre, *par_issue in rows:
        if not n:  # counts back to 0: the rows left
            continue
        r = risque[portee].get(ident, 0)
        par["uai" if portee == "uai" else "mission_locale"][ident] = [
            n, ouverts, avec, r, {i: k for i, k in zip(ISSUES, par_issue) if k}]
        if portee == "uai":  # every row has a lycée: the totals are the lycées'
            for k, v in enumerate((n, ouverts, avec, r, depasse, accueil, pacea)):
                totals[k] += v
            for i, k in zip(ISSUES, par_issue):
                issues[i] += k
            autres = autres or autre > 0
    return totals, issues, par, autres


def _risque_par_comptes(conn: Connection, t, as_of: date, territoire_: str | None) -> dict[str, dict]:
    """The young people at risk on `as_of` by their alert dates, by lycée and by mission locale
    ({"uai": {uai: n}, "ml": {siret: n}}): what became at risk minus what closed, up to that
    day: the years before its year, the months of its year before its month, the ten days of
    its month before its own ten, and the days of these up to it."""
    r = t.risque
    annee, mois, dizaine = as_of.replace(month=1, day=1), as_of.replace(day=1), _dizaine(as_of)
    dans = [r.c.territoire == territoire_] if territoire_ else []
    # one range of the key a level, each read from the covering index alone on PostgreSQL
    # (their OR in one WHERE reads the table too: twice as long)
    jours = union_all(*(select(r.c.portee, r.c.ident, r.c.n).where(r.c.niveau == niveau, *depuis, *dans)
                        for niveau, depuis in (("A", [r.c.debut < annee]),
                                               ("M", [r.c.debut >= annee, r.c.debut < mois]),
                                               ("D", [r.c.debut >= mois, r.c.debut < dizaine]),
                                               ("J", [r.c.debut >= dizaine, r.c.debut <= as_of])))).subquery()
    out: dict[str, dict] = {"uai": {}, "ml": {}}
    for portee, ident, n in conn.execute(select(jours.c.portee, jours.c.ident, func.sum(jours.c.n))
                                         .group_by(jours.c.portee, jours.c.ident)):
        if n:
            out[portee][ident] = int(n)
    return out


def _histogrammes(conn: Connection, t, territoire_: str | None) -> tuple[dict, Counter, dict]:
    """Durations (days -> parcours), entries by month, closures by month and outcome, from the
    counts the projection keeps."""
    h = t.histogrammes
    where = [h.c.territoire == territoire_] if territoire_ else []
    durees: dict[int, int] = {}
    mois: Counter = Counter()
    clotures: dict[str, dict[str, int]] = {}
    for mesure, cle, n in conn.execute(select(h.c.mesure, h.c.cle, func.sum(h.c.n)).where(*where)
                                       .group_by(h.c.mesure, h.c.cle)):
        if not n:
            continue
        if mesure == "duree":
            durees[int(cle)] = int(n)
        elif mesure == "entree":
            mois[cle] = int(n)
        else:
            m, issue = cle.split(" ", 1)
            clotures.setdefault(m, {})[issue] = int(n)
    return durees, mois, {m: dict(sorted(v.items())) for m, v in sorted(clotures.items())}


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
