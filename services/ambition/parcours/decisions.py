"""Deciding one partner fact against the parcours: checks common to every fact, then the
fact's own rules (``decisions_lycee``, ``decisions_partenaires``).

``decider`` returns the aggregate carrying the new pending events, ``None`` when the fact
refers to a parcours that does not exist yet (the caller parks it), raises ``Doublon`` for a
redelivery and ``Refus`` when a rule is broken. It never touches storage.
"""
from __future__ import annotations

from collections.abc import Callable
from ambition.parcours import decisions_lycee, decisions_partenaires, regles
from ambition.parcours.aggregate import Parcours
from ambition.parcours.calendrier import Calendrier
from ambition.parcours.erreurs import FAIT_INVALIDE, Doublon, Refus
from ambition.parcours.faits import LYCEE, MISSION_LOCALE, Fait

Decision = Callable[[Parcours, Fait], None]

DECISIONS: dict[str, Decision] = {**decisions_lycee.DECISIONS, **decisions_partenaires.DECISIONS}


def decider(parcours: Parcours | None, fait: Fait, calendrier: Calendrier) -> Parcours | None:
    regles.emetteur_autorise(fait.type, fait.emetteur.type)
    if parcours is not None and fait.event_id in parcours.traites:
        if parcours.traites[fait.event_id] == fait.empreinte:
            raise Doublon(fait.event_id)
        raise Refus("DOUBLON_CONFLICTUEL", f"event {fait.event_id} was already received with "
                                           "a different content")
    try:
        if fait.type == "EleveInscrit":
            return decisions_lycee.inscrire(parcours, fait, calendrier)
        if parcours is None:
            return None
        regles.issue_unique(fait.type, parcours.clos, parcours.issue)
        verifier_emetteur_concerne(parcours, fait)
        DECISIONS[fait.type](parcours, fait)
        return parcours
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Refus(FAIT_INVALIDE, f"{fait.type} payload is malformed: {exc!r}") from exc


def verifier_emetteur_concerne(p: Parcours, fait: Fait) -> None:
    """EMETTEUR_AUTORISE, second half: the lycée of the parcours, the mission locale of the
    accueil (the accueil itself may come from any mission locale while none is assigned)."""
    recu = fait.emetteur.identifiant
    if fait.emetteur.type == LYCEE:
        regles.emetteur_concerne(fait.type, p.uai, recu, "lycée")
    elif fait.emetteur.type == MISSION_LOCALE and fait.type != "AccueilRealise":
        regles.accueil_avant_activite(fait.type, p.mission_locale is not None)
        regles.emetteur_concerne(fait.type, p.mission_locale or "", recu, "mission locale")
