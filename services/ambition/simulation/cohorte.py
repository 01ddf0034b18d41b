"""`ambition simulate --cohorte N`: N young people's parcours played through the partners' SDK
producers over the simulated weeks since the rentrée, with what real partners do: facts sent
late, twice, or before the enrolment they refer to, and a few that must be refused. Prints the
figures the PSAD must then show (the ground truth), which a test compares with the API.
"""
from __future__ import annotations

import json
import random
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tqdm import tqdm

from ambition.config import Settings
from ambition.contracts.partners import demo_partners
from ambition.parcours.calendrier import Calendrier, annee_scolaire
from ambition.sdk import PRODUCERS
from ambition_projections.territoires import territoire

from .histoires import Fait, Histoire, histoire
from .verite import verite


def jouer(settings: Settings, rng: random.Random, n: int, horizon: date, producteurs: dict,
          lycees, mls, foquales) -> list[Histoire]:
    rentree = Calendrier.depuis_json(settings.calendrier).rentree(annee_scolaire(horizon))
    out = []
    for i in range(n):
        k = rng.randrange(len(lycees))
        lycee = lycees[k]
        out.append(histoire(rng, lycee, mls[k % len(mls)], foquales.get(territoire(lycee.identifiant)),
                            rentree, horizon, lambda ine: ine))  # each partner's SDK seals the INE
    return out


def ordre_d_envoi(histoires: list[Histoire], rng: random.Random) -> list[Fait]:
    """Facts by date, then the partners' awkward habits: 2 % sent twice, 3 % of the lycées'
    activities sent at the end (late), 3 % of the accueils sent before their enrolment."""
    faits = sorted((f for h in histoires for f in h.faits), key=lambda f: f.jour)
    # late only where no closure follows: a fact dated before a closure and arriving after it
    # is refused today (the domain's ISSUE_UNIQUE does not read the fact's date yet)
    ouverts = {id(f) for h in histoires if not h.issue for f in h.faits}
    en_retard = [f for f in faits if f.methode == "activite_lycee_realisee" and id(f) in ouverts
                 and rng.random() < 0.03]
    faits = [f for f in faits if f not in en_retard]
    for h in histoires:
        accueil = next((f for f in h.faits if f.methode == "accueil_realise"), None)
        if accueil and rng.random() < 0.03:
            faits.remove(accueil)
            faits.insert(faits.index(h.faits[0]), accueil)
    doubles = [(i, f) for i, f in enumerate(faits) if rng.random() < 0.02]
    for decalage, (i, f) in enumerate(doubles):
        faits.insert(min(len(faits), i + decalage + 1 + rng.randint(0, 50)), f)
    return faits + en_retard


CLOTURES = ("bilan_realise", "abandon_declare")


def par_semaine(faits: list[Fait]) -> list[list[Fait]]:
    """Lots to send one after the other, each acknowledged before the next: every simulated
    week's facts, then that week's closures (and what follows a closure). The platform reads the
    partners' topics in no fixed order: a closure sent right after another partner's earlier fact
    could be decided first (see the README, 'A simulated cohort')."""
    lots: list[list[Fait]] = []
    jour0, semaine, courant, clotures = (faits[0].jour if faits else None), -1, [], []
    for f in faits:
        s = max(semaine, (f.jour - jour0).days // 7)
        if s != semaine:
            lots += [courant, clotures]
            semaine, courant, clotures = s, [], []
        (clotures if f.methode in CLOTURES or f.refus == "ISSUE_UNIQUE" else courant).append(f)
    return [lot for lot in lots + [courant, clotures] if lot]


def envoyer(faits: list[Fait], producteurs: dict, vitesse: float, desc: str) -> None:
    """Send each fact with its partner's producer, a week's lot after the previous one is
    acknowledged by the broker; ``vitesse``: simulated days per second (0: as fast as the
    producers go)."""
    t0, jour0 = time.monotonic(), min((f.jour for f in faits), default=None)
    barre = tqdm(total=len(faits), desc=desc, unit="fait", leave=False)
    for lot in par_semaine(faits):
        for f in lot:
            if vitesse > 0:
                attente = (f.jour - jour0).days / vitesse - (time.monotonic() - t0)
                if attente > 0:
                    time.sleep(attente)
            getattr(producteurs[f.partner_id], f.methode)(**f.champs)
            barre.update()
        for p in producteurs.values():
            p.flush()
    barre.close()


def simulate_cohorte(settings: Settings, n: int, seed: int | None = None, vitesse: float = 0,
                     continu: bool = False, verite_path: Path | None = None, horizon: date | None = None) -> int:
    rng = random.Random(seed)
    horizon = horizon or datetime.now(ZoneInfo("Europe/Paris")).date()
    creds = demo_partners(settings)
    lycees = [c for c in creds if c.type == "LYCEE"]
    mls = [c for c in creds if c.type == "MISSION_LOCALE"]
    foquales = {c.identifiant: c for c in creds if c.type == "FOQUALE"}
    boite = settings.var_dir / "simulateur"
    boite.mkdir(parents=True, exist_ok=True)
    producteurs = {c.partner_id: PRODUCERS[c.type](c, settings=settings,
                                                   outbox_path=boite / f"{c.partner_id.replace(':', '_')}.outbox")
                   for c in creds}
    toutes: list[Histoire] = []
    tour = 0
    try:
        while True:
            tour += 1
            histoires = jouer(settings, rng, n, horizon, producteurs, lycees, mls, foquales)
            faits = ordre_d_envoi(histoires, rng)
            envoyer(faits, producteurs, vitesse, f"cohort {tour}" if continu else "cohort")
            toutes += histoires
            v = verite(toutes)
            print(f"sent {len(faits)} facts for {len(histoires)} young people "
                  f"({v['entrees']} enrolled in all, {sum(v['refus'].values())} refusals expected)", flush=True)
            if not continu:
                break
    except KeyboardInterrupt:
        print("interrupted: the facts already written to the outboxes are still sent", flush=True)
    finally:
        for p in producteurs.values():
            p.close(timeout=60)
    texte = json.dumps(verite(toutes), indent=2, ensure_ascii=False)
    if verite_path:
        verite_path.write_text(texte + "\n")
    print("expected PSAD figures (GET /v1/psad/synthese, national):\n" + texte, flush=True)
    return 0
