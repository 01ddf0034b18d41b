"""The rules of the arrêté du 18 juillet 2023, one pure guard per reason code.

Every guard takes plain values and either returns or raises ``Refus(code, message)``; the
message names the facts so a partner can fix its data.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from ambition.parcours.droits import jours
from ambition.parcours.erreurs import Refus
from ambition.parcours.faits import AUSSI_EMIS_PAR, PROPRIETAIRES

DIPLOMES = ("BAC_PRO", "CAP", "BMA", "DTMS")
PARTICIPANTS_BILAN = ("JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS")
FERMETURES = ("BilanRealise", "AbandonDeclare")


def ajouter_mois(jour: date, mois: int) -> date:
    """Same day ``mois`` calendar months later, clamped to the month's last day."""
    m = jour.month - 1 + mois
    annee, mois_ = jour.year + m // 12, m % 12 + 1
    return date(annee, mois_, min(jour.day, calendar.monthrange(annee, mois_)[1]))


def emetteur_autorise(type_fait: str, type_emetteur: str) -> None:
    proprietaire = PROPRIETAIRES.get(type_fait)
    if proprietaire is None:
        raise Refus("EMETTEUR_AUTORISE", f"unknown event type {type_fait!r}: no partner owns it")
    if proprietaire != type_emetteur and type_emetteur not in AUSSI_EMIS_PAR.get(type_fait, ()):
        raise Refus("EMETTEUR_AUTORISE", f"{type_fait} comes only from a {proprietaire}, "
                                         f"not from a {type_emetteur}")


def emetteur_concerne(type_fait: str, attendu: str, recu: str, role: str) -> None:
    """Only the partner concerned: the parcours's lycée, the mission locale of the accueil."""
    if attendu != recu:
        raise Refus("EMETTEUR_AUTORISE", f"{type_fait} from {recu}, but this parcours's {role} "
                                         f"is {attendu}")


def eligibilite_diplome(diplome: str) -> None:
    if diplome not in DIPLOMES:
        raise Refus("ELIGIBILITE_DIPLOME", f"diploma {diplome!r} is not one of "
                                           f"{', '.join(DIPLOMES)}")


def eligibilite_session(session_examen: int, annee: int) -> None:
    if session_examen != annee:
        raise Refus("ELIGIBILITE_SESSION", f"a parcours starting in school year {annee}/{annee + 1}"
                                           f" needs the {annee} exam session, not {session_examen}")


def eligibilite_situation(en_emploi: bool, en_formation: bool) -> None:
    if en_emploi or en_formation:
        situation = "in employment" if en_emploi else "in training"
        raise Refus("ELIGIBILITE_SITUATION", f"the élève is declared {situation} at entry")


def volontariat(consentement_eleve: bool, consentement_representant: bool | None,
                mineur: bool) -> None:
    if not consentement_eleve:
        raise Refus("VOLONTARIAT", "the élève's consent is not recorded")
    if mineur and consentement_representant is not True:
        raise Refus("VOLONTARIAT", "the élève is under 18 at the start date and the legal "
                                   "guardian's consent is not recorded")


def un_seul_parcours(ouvert: bool, cloture_precedente: date | None, debut: date) -> None:
    """At most one open parcours; after a closure (withdrawal included) a new one may start
    the day after it."""
    if ouvert:
        raise Refus("UN_SEUL_PARCOURS", "this élève already has an open parcours")
    if cloture_precedente is not None and debut <= cloture_precedente:
        raise Refus("UN_SEUL_PARCOURS", f"the previous parcours closed on {cloture_precedente}: "
                                        f"a new one cannot start on {debut}")


def debut_rentree(date_debut: date, rentree: date, premiere_annee: int) -> None:
    """The first term of the school year: from the rentrée to 31 December; and not before the
    programme's first school year."""
    if rentree.year < premiere_annee:
        raise Refus("DEBUT_RENTREE", f"start {date_debut}: the parcours Ambition emploi exists "
                                     f"from the {premiere_annee} rentrée")
    if date_debut < rentree:
        raise Refus("DEBUT_RENTREE", f"start {date_debut} is before the rentrée {rentree}")
    if date_debut.year > rentree.year:
        raise Refus("DEBUT_RENTREE", f"start {date_debut} is after the first term of school year "
                                     f"{rentree.year}/{rentree.year + 1} (rentrée {rentree} to "
                                     f"{rentree.year}-12-31)")


def duree_max_4_mois(date_debut: date, date_fin_prevue: date) -> None:
    limite = ajouter_mois(date_debut, 4)
    if date_fin_prevue > limite:
        raise Refus("DUREE_MAX_4_MOIS", f"planned end {date_fin_prevue} is after start "
                                        f"{date_debut} + 4 months ({limite})")


def dans_le_parcours(quoi: str, jour: date, debut: date, fin: date) -> None:
    """Nothing is dated before the parcours's start nor after its planned end."""
    if jour < debut or jour > fin:
        raise Refus("DUREE_MAX_4_MOIS", f"{quoi} dated {jour} is outside the parcours "
                                        f"{debut} .. {fin}")


def pfmp_deux_tiers(jours_autres: int, jours_periode: int, debut: date, fin: date) -> None:
    duree = jours(debut, fin)
    total = jours_autres + jours_periode
    if total * 3 > duree * 2:
        raise Refus("PFMP_DEUX_TIERS", f"{total} days of PFMP/stage would exceed 2/3 of the "
                                       f"{duree}-day parcours ({duree * 2 // 3} days)")


def accueil_avant_activite(type_fait: str, date_accueil: date | None, jour: date | None) -> None:
    """The mission locale's accueil comes first, by arrival and by date."""
    if date_accueil is None:
        raise Refus("ACCUEIL_ML_AVANT_ACTIVITE", f"{type_fait} before the mission locale's "
                                                 "accueil")
    if jour is not None and jour < date_accueil:
        raise Refus("ACCUEIL_ML_AVANT_ACTIVITE", f"{type_fait} dated {jour}, before the mission "
                                                 f"locale's accueil of {date_accueil}")


def pacea_age(date_signature: date, seize_ans: date, vingt_six_ans: date) -> None:
    if not seize_ans <= date_signature < vingt_six_ans:
        raise Refus("PACEA_AGE", f"on {date_signature} the young person is not aged 16 to 25")


def pacea_unique(pacea_en_cours: bool) -> None:
    if pacea_en_cours:
        raise Refus("PACEA_AGE", "a PACEA is already in progress: one at a time")


def siret_valide(quoi: str, siret: str, siret_ok: bool) -> None:
    """An enterprise or a mission locale is identified by a valid SIRET (same code as the edge)."""
    if not siret_ok:
        raise Refus("SIRET_INVALIDE", f"{quoi} SIRET {siret!r} is not valid (14 digits with a "
                                      "Luhn key; La Poste: digit sum a multiple of 5)")


def sans_chevauchement(periode_id: str, debut: date, fin: date,
                       autres: Iterable[tuple[str, date, date]]) -> None:
    for autre_id, autre_debut, autre_fin in autres:
        if autre_id != periode_id and debut <= autre_fin and autre_debut <= fin:
            raise Refus("STAGE_SANS_CHEVAUCHEMENT", f"period {periode_id} ({debut} .. {fin}) "
                        f"overlaps period {autre_id} ({autre_debut} .. {autre_fin})")


def bilan_tripartite(participants: Iterable[str]) -> None:
    manquants = [p for p in PARTICIPANTS_BILAN if p not in set(participants)]
    if manquants:
        raise Refus("BILAN_TRIPARTITE", f"the bilan misses {', '.join(manquants)}")


def issue_unique(type_fait: str, clos: bool, issue: str | None, jour: date | None,
                 cloture: date | None) -> None:
    """One outcome closes the parcours; after it, a fact dated on or before the closure is
    still accepted (partners send late), nothing dated after it, and no second closure."""
    if not clos:
        return
    if type_fait in FERMETURES:
        raise Refus("ISSUE_UNIQUE", f"{type_fait}: the parcours already closed with outcome {issue}")
    if jour is not None and cloture is not None and jour > cloture:
        raise Refus("ISSUE_UNIQUE", f"{type_fait} dated {jour}, after the parcours closed on "
                                    f"{cloture} with outcome {issue}")
