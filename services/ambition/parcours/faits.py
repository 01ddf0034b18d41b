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
         "PfmpTerminee", "AbandonDeclare", "InscriptionCorrigee", "MissionLocaleChangee"],
        LYCEE,
    ),
    **dict.fromkeys(
        ["AccueilRealise", "PaceaSigne", "PaceaTermine", "ActiviteMissionLocaleRealisee",
         "StageDebute", "StageTermine", "BilanRealise", "IssueCorrigee"],
        MISSION_LOCALE,
    ),
    **dict.fromkeys(["PositionnementRealise", "SolutionProposee", "SolutionDemarree"], FOQUALE),
}
#: An outcome is corrected by whoever closed the parcours: the lycée too, for a withdrawal.
AUSSI_EMIS_PAR: dict[str, tuple[str, ...]] = {"IssueCorrigee": (LYCEE,)}

#: The payload field holding each fact's own date (CHRONOLOGIE, ISSUE_UNIQUE).
DATE_DU_FAIT: dict[str, str] = {
    "EleveInscrit": "date_debut", "ReferentChange": "date_effet", "PfmpDebutee": "date_debut",
    "PfmpTerminee": "date_fin", "PaceaSigne": "date_signature", "PaceaTermine": "date_fin",
    "StageDebute": "date_debut", "StageTermine": "date_fin",
    **dict.fromkeys(["ActiviteLyceeRealisee", "AbandonDeclare", "InscriptionCorrigee",
                     "MissionLocaleChangee", "AccueilRealise", "ActiviteMissionLocaleRealisee",
                     "BilanRealise", "IssueCorrigee", "PositionnementRealise",
                     "SolutionProposee", "SolutionDemarree"], "date"),
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
