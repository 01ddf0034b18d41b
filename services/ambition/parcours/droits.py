"""The outcomes, the élève's rights and the days in enterprise: defined once, here.

The aggregate computes them and its events carry the results (``ParcoursClos`` says until when
the rights run and what status follows; period events carry the days in enterprise); the read
views read those fields and call ``en_vigueur_le`` for a reference date. Nothing else computes
them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

#: Outcomes of the tripartite bilan (DOMAIN.md); a withdrawal closes with ``ABANDON``.
ISSUES_BILAN = ("FORMATION", "EMPLOI", "PARCOURS_INSERTION")
ABANDON = "ABANDON"
ISSUES = (*ISSUES_BILAN, ABANDON)
#: Outcomes that count as "a solution" in the PSAD's figures.
ISSUES_AVEC_SOLUTION = ISSUES_BILAN
#: The outcome after which the young person is no longer an élève but falls under the
#: structure d'accueil's status (e.g. a CEJ).
ISSUE_STRUCTURE_ACCUEIL = "PARCOURS_INSERTION"


def statut_structure_accueil(issue: str) -> bool:
    return issue == ISSUE_STRUCTURE_ACCUEIL


def statut_scolaire_conserve(issue: str) -> bool:
    """Whether the qualité d'élève survives the outcome (it does not for PARCOURS_INSERTION)."""
    return not statut_structure_accueil(issue)


def en_vigueur(ouverts: bool, boursier: bool, interne: bool, fonds_sociaux: bool) -> dict[str, bool]:
    """The statut scolaire's rights (disability support lives in the identity): in force while
    the parcours runs, from its start to its closure date included, whatever the outcome."""
    return {"statut_scolaire": ouverts, "bourse": ouverts and bool(boursier),
            "internat": ouverts and bool(interne), "fonds_sociaux": ouverts and bool(fonds_sociaux)}


def en_vigueur_le(as_of: date, date_debut: date, droits_jusqu_au: date | None, boursier: bool,
                  interne: bool, fonds_sociaux: bool) -> dict[str, bool]:
    """The rights in force on ``as_of`` (``droits_jusqu_au``: from ``ParcoursClos``)."""
    courant = date_debut <= as_of and (droits_jusqu_au is None or as_of <= droits_jusqu_au)
    return en_vigueur(courant, boursier, interne, fonds_sociaux)


def jours(debut: date, fin: date) -> int:
    """Inclusive day count of a period."""
    return (fin - debut).days + 1


def jours_en_entreprise(periodes: Iterable[tuple[date, date]], cloture: date | None) -> int:
    """Inclusive days of PFMP, stage and immersion periods, each clipped to the closure date."""
    total = 0
    for debut, fin in periodes:
        fin = min(fin, cloture) if cloture else fin
        total += max(0, jours(debut, fin))
    return total


def depassement_deux_tiers(jours_entreprise: int, debut: date, cloture: date) -> bool:
    """PFMP_DEUX_TIERS after an early closure: more than 2/3 of the actual duration."""
    return jours_entreprise * 3 > jours(debut, cloture) * 2
