"""What partners tell the platform (``Fait``) and what the platform answers (``Resultat``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

LYCEE = "LYCEE"
MISSION_LOCALE = "MISSION_LOCALE"
FOQUALE = "FOQUALE"

ACCEPTE = "ACCEPTE"
DOUBLON = "DOUBLON"
REFUSE = "REFUSE"
INCONNU = "INCONNU"

#: Each partner event type and the only partner type that may emit it (EMETTEUR_AUTORISE).
PROPRIETAIRES: dict[str, str] = {
    **dict.fromkeys(
        ["EleveInscrit", "ReferentChange", "ActiviteLyceeRealisee", "PfmpDebutee",
         "PfmpTerminee", "AbandonDeclare"],
        LYCEE,
    ),
    **dict.fromkeys(
        ["AccueilRealise", "PaceaSigne", "PaceaTermine", "ActiviteMissionLocaleRealisee",
         "StageDebute", "StageTermine", "BilanRealise", "IssueCorrigee"],
        MISSION_LOCALE,
    ),
    **dict.fromkeys(["PositionnementRealise", "SolutionProposee", "SolutionDemarree"], FOQUALE),
}


@dataclass(frozen=True)
class Emetteur:
    type: str  # "LYCEE" | "MISSION_LOCALE" | "FOQUALE"
    identifiant: str  # UAI, SIRET, or a Foquale/MLDS code
    partner_id: str  # "lycee:0753268V", "ml:12345678901234", "foquale:ac-paris"


@dataclass(frozen=True)
class Fait:
    event_id: str
    type: str  # short name, e.g. "EleveInscrit" (docs/evenements.md)
    emetteur: Emetteur  # authenticated upstream
    cle: str  # pseudonymous parcours key
    time: datetime  # informational; rules use the payload's dates
    payload: dict[str, Any]
    empreinte: str  # sha256 hex of the canonical content


@dataclass(frozen=True)
class Resultat:
    event_id: str
    statut: str  # ACCEPTE | DOUBLON | REFUSE | INCONNU
    code: str | None = None
    message: str | None = None
    parcours_id: UUID | None = None
