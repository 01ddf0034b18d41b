"""Deciding one partner fact against the parcours: checks common to every fact, then the
fact's own rules (``decisions_lycee``, ``decisions_partenaires``, ``decisions_corrections``).

``decider`` returns the aggregate carrying the new pending events, ``None`` when the fact
refers to a parcours that does not exist yet (the caller parks it), raises ``Doublon`` for a
redelivery and ``Refus`` when a rule is broken. It never touches storage.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ambition.parcours import (decisions_corrections, decisions_lycee, decisions_partenaires,
                               regles, regles_temps)
from ambition.parcours.academies import academie
from ambition.parcours.aggregate import Parcours, cle_periode
from ambition.parcours.calendrier import Calendrier
from ambition.parcours.erreurs import FAIT_INVALIDE, Doublon, Refus
from ambition.parcours.faits import DATE_DU_FAIT, FOQUALE, LYCEE, MISSION_LOCALE, Fait

Decision = Callable[[Parcours, Fait], None]

DECISIONS: dict[str, Decision] = {**decisions_lycee.DECISIONS, **decisions_partenaires.DECISIONS,
                                  **decisions_corrections.DECISIONS}
#: After the closure, these may still come whatever their date: the end of an enterprise
#: period or of a PACEA already under way, and corrections (checked by their own rules).
APRES_CLOTURE = ("PfmpTerminee", "StageTermine", "PaceaTermine", "IssueCorrigee",
                 "InscriptionCorrigee")
#: Facts that name the parcours they concern, or concern the élève rather than one parcours.
NOMMENT_LEUR_PARCOURS = ("IssueCorrigee", "InscriptionCorrigee", "MissionLocaleChangee",
                         "PaceaTermine")
FINS_DE_PERIODE = ("PfmpTerminee", "StageTermine")
#: Facts of the mission locale that need its accueil first (by arrival and by date).
APRES_ACCUEIL = ("PaceaSigne", "ActiviteMissionLocaleRealisee", "StageDebute", "BilanRealise")


def decider(parcours: Parcours | None, fait: Fait, calendrier: Calendrier) -> Parcours | None:
    regles.emetteur_autorise(fait.type, fait.emetteur.type)
    if parcours is not None and fait.event_id in parcours.traites:
        if parcours.traites[fait.event_id] == fait.empreinte:
            raise Doublon(fait.event_id)
        raise Refus("DOUBLON_CONFLICTUEL", f"event {fait.event_id} was already received with "
                                           "a different content")
    try:
        jour = date_du_fait(fait)
        if jour is not None:
            regles_temps.pas_apres_la_declaration(fait.type, jour,
                                                  regles_temps.jour_de_declaration(fait.time))
        if fait.type == "EleveInscrit":
            return decisions_lycee.inscrire(parcours, fait, calendrier)
        if parcours is None:
            return None
        with parcours.pour_le_parcours(parcours_du_fait(parcours, fait, jour)):
            if fait.type not in APRES_CLOTURE:
                regles.issue_unique(fait.type, parcours.clos, parcours.issue, jour,
                                    parcours.date_cloture)
            verifier_emetteur_concerne(parcours, fait, jour)
            DECISIONS[fait.type](parcours, fait)
        return parcours
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Refus(FAIT_INVALIDE, f"{fait.type} payload is malformed: {exc!r}") from exc


def parcours_du_fait(p: Parcours, fait: Fait, jour: date | None) -> int | None:
    """The earlier parcours a late fact belongs to (ISSUE_UNIQUE: a fact dated on or before a
    closure is accepted after it, even once the next parcours has opened), or None for the
    current one: the parcours whose start .. closure holds the fact's date, or for the end of a
    period, the parcours that holds the period. Corrections name their parcours themselves."""
    if fait.type in NOMMENT_LEUR_PARCOURS or not p.anciens:
        return None
    if fait.type in FINS_DE_PERIODE:
        cle = cle_periode(fait.emetteur.partner_id, fait.payload["periode_id"])
        return None if cle in p.periodes else next(
            (n for n, a in p.anciens.items() if cle in a["periodes"]), None)
    if jour is None or jour >= p.date_debut:
        return None
    return next((n for n, a in p.anciens.items()
                 if a["date_debut"] <= jour <= a["date_cloture"]), None)


def date_du_fait(fait: Fait) -> date | None:
    jour = fait.payload.get(DATE_DU_FAIT.get(fait.type, ""))
    if jour is not None and not isinstance(jour, date):
        raise Refus(FAIT_INVALIDE, f"{fait.type}: {jour!r} is not a date")
    return jour


def verifier_emetteur_concerne(p: Parcours, fait: Fait, jour: date | None) -> None:
    """EMETTEUR_AUTORISE, second half: the lycée of the parcours, the mission locale of the
    accueil (or the one the lycée named after a move), the Foquale/MLDS network of the lycée's
    académie. The accueil itself may come from any mission locale while none is assigned; the
    end of a stage or a PACEA comes from the mission locale that started it (checked there).
    A correction of a closed parcours is checked against that parcours (``decisions_corrections``)."""
    recu = fait.emetteur.identifiant
    if fait.type == "IssueCorrigee":
        return
    if fait.emetteur.type == LYCEE:
        regles.emetteur_concerne(fait.type, p.uai, recu, "lycée")
    elif fait.emetteur.type == FOQUALE:
        regles.emetteur_concerne(fait.type, academie(p.uai) or "(unknown académie)", recu,
                                 "Foquale/MLDS network (the lycée's académie)")
    elif fait.emetteur.type == MISSION_LOCALE and fait.type in APRES_ACCUEIL:
        regles.emetteur_concerne(fait.type, p.mission_locale or recu, recu, "mission locale")
        regles.accueil_avant_activite(fait.type, p.date_accueil, jour)
