"""Valid example facts, for tests, simulators and documentation.

``fait("PfmpDebutee", periode_id="p2")`` gives a well-formed, authorised fact whose payload
fields are those of docs/evenements.md, with sensible defaults; keyword arguments override
payload fields. The default parcours runs from the 2024 rentrée to 2024-12-31.
"""
from __future__ import annotations

import hashlib
import json
import random
import string
import uuid
from datetime import date, datetime, timezone
from importlib.resources import files
from typing import Any

from ambition.parcours.faits import (
    DATE_DU_FAIT, FOQUALE, LYCEE, MISSION_LOCALE, PROPRIETAIRES, Emetteur, Fait,
)

UAI = "0753268V"
AUTRE_UAI = "0010001W"
SIRET_ML = "12345678901237"
AUTRE_SIRET_ML = "44000000000008"
SIRET_ENTREPRISE = "75000000000000"
CLE = "0123456789abcdef0123456789abcdef"
#: the synthetic élève of the examples (names, birth date), kept in a data file beside this
#: module: no identity is written in code
ELEVE: dict[str, str] = json.loads((files(__package__) / "eleve_synthetique.json").read_text("utf-8"))
#: its INE, drawn from a fixed seed as the simulators draw theirs (no INE is written in code)
_tirage = random.Random("ambition-eleve-des-exemples")
ELEVE["ine"] = ("".join(_tirage.choices(string.digits + string.ascii_uppercase, k=10))
                + _tirage.choice(string.ascii_uppercase))

EMETTEURS = {
    LYCEE: Emetteur(LYCEE, UAI, f"lycee:{UAI}"),
    MISSION_LOCALE: Emetteur(MISSION_LOCALE, SIRET_ML, f"ml:{SIRET_ML}"),
    FOQUALE: Emetteur(FOQUALE, "ac-paris", "foquale:ac-paris"),
}

DEFAUTS: dict[str, dict[str, Any]] = {
    "EleveInscrit": dict(
        **{k: date.fromisoformat(v) if k == "date_naissance" else v for k, v in ELEVE.items()},
        uai=UAI, diplome="BAC_PRO", specialite="Commerce", session_examen=2024,
        resultat_examen="ECHEC", en_emploi=False, en_formation=False, consentement_eleve=True,
        consentement_representant_legal=None, referent="M. Durand",
        date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 12, 31), boursier=True,
        interne=False, fonds_sociaux=False, accompagnement_handicap=False),
    "ReferentChange": dict(referent="Mme Petit", date_effet=date(2024, 10, 1)),
    "ActiviteLyceeRealisee": dict(activite="CONSOLIDATION_ACQUIS", date=date(2024, 9, 10),
                                  duree_heures=6),
    "PfmpDebutee": dict(periode_id="pfmp-1", siret=SIRET_ENTREPRISE, date_debut=date(2024, 10, 1),
                        date_fin_prevue=date(2024, 10, 31)),
    "PfmpTerminee": dict(periode_id="pfmp-1", date_fin=date(2024, 10, 31)),
    "AbandonDeclare": dict(date=date(2024, 11, 15), motif=None),
    "AccueilRealise": dict(siret=SIRET_ML, conseiller="cons-42", date=date(2024, 9, 5)),
    "PaceaSigne": dict(date_signature=date(2024, 9, 20)),
    "PaceaTermine": dict(date_fin=date(2024, 12, 20)),
    "ActiviteMissionLocaleRealisee": dict(activite="ATELIER_TRE", date=date(2024, 9, 25)),
    "StageDebute": dict(periode_id="stage-1", nature="STAGE", siret=SIRET_ENTREPRISE,
                        date_debut=date(2024, 11, 4), date_fin_prevue=date(2024, 11, 22)),
    "StageTermine": dict(periode_id="stage-1", date_fin=date(2024, 11, 22)),
    "BilanRealise": dict(date=date(2024, 12, 20),
                         participants=["JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS"],
                         issue="FORMATION", detail=None),
    "IssueCorrigee": dict(date=date(2025, 1, 10), issue="EMPLOI", motif="contrat signé",
                          numero=None),
    "InscriptionCorrigee": dict(date=date(2024, 10, 2), numero=1, date_fin_prevue=None,
                                referent=None, boursier=None, interne=None, fonds_sociaux=None,
                                motif="erreur de saisie"),
    "MissionLocaleChangee": dict(date=date(2024, 10, 15), numero=1, siret=AUTRE_SIRET_ML,
                                 motif="déménagement"),
    "PositionnementRealise": dict(date=date(2024, 9, 12)),
    "SolutionProposee": dict(solution_id="sol-1", solution="REMOBILISATION",
                             date=date(2024, 9, 16)),
    "SolutionDemarree": dict(solution_id="sol-1", date=date(2024, 9, 23)),
}


def empreinte(type_: str, payload: dict[str, Any]) -> str:
    contenu = json.dumps({"type": type_, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(contenu.encode()).hexdigest()


def declare_le(type_: str, payload: dict[str, Any]) -> datetime:
    """A plausible declaration instant: noon UTC (afternoon in Paris) of the fact's own day."""
    jour = payload.get(DATE_DU_FAIT.get(type_, ""))
    jour = jour if isinstance(jour, date) else date(2024, 9, 1)
    return datetime(jour.year, jour.month, jour.day, 12, tzinfo=timezone.utc)


def fait(type_: str, *, cle: str = CLE, emetteur: Emetteur | None = None,
         event_id: str | None = None, time: datetime | None = None, **champs: Any) -> Fait:
    """``time`` (the partner's declaration instant) defaults to the fact's own day."""
    payload = {**DEFAUTS[type_], **champs}
    return Fait(
        event_id=event_id or str(uuid.uuid4()), type=type_,
        emetteur=emetteur or EMETTEURS[PROPRIETAIRES[type_]], cle=cle,
        time=time or declare_le(type_, payload), payload=payload,
        empreinte=empreinte(type_, payload),
    )
