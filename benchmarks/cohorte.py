"""A national cohort in a PostgreSQL event store, fast: ``remplir(dsn, parcours)``.

The ingest path (about 1,000 enrolments a second) would take hours for 300,000 parcours, so
the cohort is made in two steps:

1. a model of ``MODELE`` élèves is decided by the parcours application itself (in memory,
   ``traiter_lot``): enrolments, accueils, activities, PFMP, stages, PACEA, Foquale solutions,
   bilans, a withdrawal, about ten events a parcours, every event what the domain stored;
2. the model's stored events are copied (PostgreSQL ``COPY``) as many times as needed, each
   copy with its own parcours ids and its own élève keys (``cle``), in the model's own
   notification order, so the log interleaves the élèves of a block as live traffic would.

The events are the domain's own, byte for byte but for the ids and keys. No identity is
stored (the encrypted identity store is not read by the views or their rebuild).
"""
from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg

from ambition.bootstrap import make_app
from ambition.config import Settings
from ambition.parcours.exemples import fait
from ambition.parcours.faits import ACCEPTE, FOQUALE, LYCEE, MISSION_LOCALE, Emetteur

MODELE = 2000  # élèves decided by the domain, then copied
NS = uuid.UUID("0c4a3d2e-5b6f-4e1a-9d7c-3b2a1f0e9d8c")
UAIS = ("0753268V", "0690026D", "0750650Z")
MLS = ("12345678901237", "44000000000008")


def _cle(bloc: int, i: int) -> str:
    """A 32-hex key unique to (block, élève): the model is block 0xffffffff."""
    return f"{bloc:08x}{i:024x}"


def faits_eleve(i: int, rng: random.Random) -> list:
    """The facts of one élève of the model (about ten domain events)."""
    cle, uai, siret = _cle(0xFFFFFFFF, i), UAIS[i % 3], MLS[i % 2]
    lycee = Emetteur(LYCEE, uai, f"lycee:{uai}")
    ml = Emetteur(MISSION_LOCALE, siret, f"ml:{siret}")
    reseau = "ac-lyon" if uai == "0690026D" else "ac-paris"
    foq = Emetteur(FOQUALE, reseau, f"foquale:{reseau}")
    debut = date(2024, 9, 2) + timedelta(days=rng.randrange(5))
    out = [fait("EleveInscrit", cle=cle, emetteur=lycee, uai=uai, date_debut=debut,
                accompagnement_handicap=(i % 50 == 0))]
    if i % 7 == 3:  # never welcomed
        return out + [fait("ActiviteLyceeRealisee", cle=cle, emetteur=lycee, date=debut + timedelta(days=5))]
    out += [fait("AccueilRealise", cle=cle, emetteur=ml, siret=siret, conseiller=f"cons-{i % 5}",
                 date=debut + timedelta(days=3)),
            fait("ActiviteMissionLocaleRealisee", cle=cle, emetteur=ml, date=debut + timedelta(days=10)),
            fait("ActiviteLyceeRealisee", cle=cle, emetteur=lycee, date=debut + timedelta(days=8)),
            fait("ActiviteLyceeRealisee", cle=cle, emetteur=lycee, date=debut + timedelta(days=14)),
            fait("PfmpDebutee", cle=cle, emetteur=lycee),
            fait("ActiviteMissionLocaleRealisee", cle=cle, emetteur=ml, date=debut + timedelta(days=20)),
            fait("ActiviteLyceeRealisee", cle=cle, emetteur=lycee, date=debut + timedelta(days=22))]
    if i % 2 == 0:
        out.append(fait("ReferentChange", cle=cle, emetteur=lycee, referent=f"M. R{i % 9}"))
    if i % 2:
        out.append(fait("PfmpTerminee", cle=cle, emetteur=lycee, date_fin=date(2024, 10, 20)))
    if i % 3 == 0:
        out += [fait("PaceaSigne", cle=cle, emetteur=ml), fait("StageDebute", cle=cle, emetteur=ml)]
    if i % 3 == 1:
        out += [fait("SolutionProposee", cle=cle, emetteur=foq, solution_id=f"s{i}"),
                fait("SolutionDemarree", cle=cle, emetteur=foq, solution_id=f"s{i}")]
    if i % 4 == 0:
        out.append(fait("BilanRealise", cle=cle, emetteur=ml,
                        issue=("FORMATION", "EMPLOI", "PARCOURS_INSERTION")[i % 3]))
    elif i % 11 == 9:
        out.append(fait("AbandonDeclare", cle=cle, emetteur=lycee))
    return out


def modele(n: int = MODELE, seed: int = 7) -> list[tuple[uuid.UUID, int, str, bytes, int]]:
    """The stored events of `n` élèves decided by the application (in memory), in notification
    order: (parcours id, version, topic, state, élève number). The élèves' facts are
    interleaved in rounds (every élève's first fact, then every second one...)."""
    rng = random.Random(seed)
    app = make_app(Settings(var_dir=Path(tempfile.mkdtemp(prefix="ambition-cohorte-"))),
                   PERSISTENCE_MODULE="eventsourcing.popo")
    par_eleve = [faits_eleve(i, rng) for i in range(n)]
    rangs = [[f[r] for f in par_eleve if len(f) > r] for r in range(max(map(len, par_eleve)))]
    for rang in rangs:
        for k in range(0, len(rang), 500):
            lot = rang[k:k + 500]
            refuses = [(f.type, r.statut) for f, r in zip(lot, app.traiter_lot(lot)) if r.statut != ACCEPTE]
            assert not refuses, refuses[:3]
    eleve_de = {}
    out = []
    for note in app.recorder.select_notifications(1, 10 ** 9):
        if note.originator_id not in eleve_de:
            eleve_de[note.originator_id] = int(note.state.split(b'"cle":"', 1)[1][8:32], 16)
        out.append((note.originator_id, note.originator_version, note.topic, note.state,
                    eleve_de[note.originator_id]))
    app.close()
    return out


def remplir(dsn: str, parcours: int, taille_modele: int = MODELE, progress=None) -> dict:
    """Fill the (empty) event store at `dsn` with `parcours` parcours; returns the events
    stored and the seconds it took."""
    started = time.perf_counter()
    taille_modele = min(taille_modele, parcours)
    rows = modele(taille_modele)
    app = make_app(Settings(var_dir=Path(tempfile.mkdtemp(prefix="ambition-cohorte-")), event_store=dsn))
    table = app.recorder.events_table_name
    app.close()
    stored = 0
    with psycopg.connect(dsn.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for bloc in range(0, -(-parcours // taille_modele)):
            reste = parcours - bloc * taille_modele
            with conn.cursor() as cur, cur.copy(
                    f"COPY {table} (originator_id, originator_version, topic, state) FROM STDIN") as copy:
                vieille = _cle(0xFFFFFFFF, 0)[:8].encode()
                nouvelle = f"{bloc:08x}".encode()
                for pid, version, topic, state, i in rows:
                    if i >= reste:
                        continue
                    copy.write_row((uuid.uuid5(NS, f"{bloc}:{pid}"), version, topic,
                                    state.replace(b'"cle":"' + vieille, b'"cle":"' + nouvelle, 1)))
                    stored += 1
            if progress:
                progress(stored)
        conn.execute(f"ANALYZE {table}")
    return {"parcours": parcours, "evenements": stored, "secondes": time.perf_counter() - started}
