"""`ambition simulate`: a synthetic cohort of enrolments, sent through the lycée partner producer.

About 90 % eligible (the four diplomas, last session, neither employed nor in training) and
10 % not (a BTS, a session two years old, a young person already in a job), spread over the
demo lycées. The INEs and names are random: no real person.
"""
from __future__ import annotations

import random
import string
from datetime import date, timedelta

from tqdm import tqdm

from .config import Settings
from .contracts.partners import demo_partners
from .parcours.calendrier import Calendrier, annee_scolaire
from .sdk.atelier import Atelier
from .sdk.lycee import LyceeProducer

PRENOMS = ["Lina", "Adam", "Inès", "Noah", "Jade", "Yanis", "Chloé", "Rayan", "Manon", "Lucas",
           "Sarah", "Nathan", "Camille", "Enzo", "Léa", "Mohamed", "Emma", "Hugo", "Aya", "Théo"]
NOMS = ["Martin", "Bernard", "Dubois", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
        "Lefebvre", "Michel", "Garcia", "Roux", "Fournier", "Diallo", "Nguyen", "Benali", "Mercier"]
SPECIALITES = {"BAC_PRO": ["Métiers du commerce et de la vente", "Maintenance des véhicules",
                           "Accompagnement, soins et services à la personne"],
               "CAP": ["Cuisine", "Électricien", "Coiffure"], "BMA": ["Ébéniste"],
               "DTMS": ["Techniques du spectacle"]}
INELIGIBLES = ("BTS", "SESSION_ANCIENNE", "EN_EMPLOI")


def random_ine(rng: random.Random) -> str:
    alphabet = string.digits + string.ascii_uppercase
    return "".join(rng.choices(alphabet, k=10)) + rng.choice(string.ascii_uppercase)


def inscription(rng: random.Random, lycee: str, rentree: date, today: date) -> tuple[dict, str | None]:
    """One enrolment's fields, and which ineligibility it carries (None if eligible)."""
    diplome = rng.choices(["BAC_PRO", "CAP", "BMA", "DTMS"], weights=[55, 35, 5, 5])[0]
    debut = rentree + timedelta(days=rng.randint(0, max(0, min(60, (today - rentree).days))))
    fields = dict(
        ine=random_ine(rng), nom=rng.choice(NOMS), prenom=rng.choice(PRENOMS),
        date_naissance=debut - timedelta(days=rng.randint(17 * 365 + 5, 20 * 365)),
        diplome=diplome, specialite=rng.choice(SPECIALITES[diplome]), session_examen=rentree.year,
        resultat_examen=rng.choices(["OBTENU", "ECHEC", "BLOCS_PARTIELS"], weights=[60, 25, 15])[0],
        en_emploi=False, en_formation=False, consentement_eleve=True,
        consentement_representant_legal=True, referent=f"{rng.choice(PRENOMS)} {rng.choice(NOMS)}",
        date_debut=debut, date_fin_prevue=debut + timedelta(days=rng.randint(90, 120)),
        boursier=rng.random() < 0.45, interne=rng.random() < 0.1, fonds_sociaux=rng.random() < 0.15,
        accompagnement_handicap=rng.random() < 0.05,
    )
    motif = rng.choice(INELIGIBLES) if rng.random() < 0.10 else None
    if motif == "BTS":
        fields["diplome"], fields["specialite"] = "BTS", "Management commercial opérationnel"
    elif motif == "SESSION_ANCIENNE":
        fields["session_examen"] = rentree.year - 2
    elif motif == "EN_EMPLOI":
        fields["en_emploi"] = True
    return fields, motif


# enrolments built and sent together; from ATELIER_DES on, built in worker processes too
LOT = 2000
ATELIER_DES = 2000


def simulate(settings: Settings, eleves: int, seed: int | None = None, today: date | None = None) -> int:
    rng = random.Random(seed)
    today = today or date.today()
    rentree = Calendrier.depuis_json(settings.calendrier).rentree(annee_scolaire(today))
    lycees = [c for c in demo_partners(settings) if c.type == "LYCEE"]
    producers = {c.partner_id: LyceeProducer(c, settings=settings) for c in lycees}
    # sealing and signing use every core for a large cohort (``sdk.atelier``)
    atelier = Atelier(settings) if eleves >= ATELIER_DES else None
    sent, ineligibles = 0, 0
    barre = tqdm(total=eleves, desc="enrolments", unit="élève")
    try:
        while sent < eleves:
            par_lycee: dict[str, list] = {}
            for _ in range(min(LOT, eleves - sent)):
                cred = rng.choice(lycees)
                fields, motif = inscription(rng, cred.identifiant, rentree, today)
                par_lycee.setdefault(cred.partner_id, []).append(("eleve_inscrit", fields))
                ineligibles += motif is not None
            lots = [(producers[pid], calls) for pid, calls in par_lycee.items()]
            construits = (atelier.construire_plusieurs(lots) if atelier is not None
                          else [p.build_many(calls) for p, calls in lots])
            for (p, calls), messages in zip(lots, construits):
                p.send_many(messages)
                sent += len(calls)
                barre.update(len(calls))
    finally:
        barre.close()
        if atelier is not None:
            atelier.close()
        for p in producers.values():
            p.close()
    print(f"sent {sent} enrolments from {len(lycees)} lycées "
          f"({sent - ineligibles} eligible, {ineligibles} deliberately ineligible)")
    return 0
