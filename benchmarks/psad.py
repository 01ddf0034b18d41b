"""The PSAD synthesis over a national cohort: `python -m benchmarks psad [--parcours N]`.

Measures the query, not the ingest: the PSAD view of a fresh PostgreSQL database is filled with
N parcours (300,000 by default) built by the projection's own fold (`suivi.evoluer`, then
`suivi.dates_d_alerte` as `psad.apply` does) from synthetic domain events, bulk-inserted with
`COPY`, then vacuumed and analysed (what autovacuum does to a live table). The cohort is read
"today" (`AUJOURD_HUI`): entries from the rentrée to that day, spread over about 1,800 lycées
in the 30 académies (in proportion to their départements) and 440 missions locales; an accueil for 85 %, 0 to 8 activities, PFMP (some still running),
Foquale solutions, PACEA, about 45 % closed with an outcome. No fact is dated after today (the
domain refuses a fact dated after its declaration, CHRONOLOGIE), so every alert of today is
read from the alert dates. Nothing identifying: random parcours ids.

Then the synthesis as the API runs it (`psad.synthese` on one connection, national, and for
the largest territory), timed `requetes` times each (200: the p99 is the second slowest): p50
and p99. "After" reads the counts the projection keeps (`psad.contributions`, counted here by
`psad.recompter` as a rebuild does); "balayage" the same requests from the rows (one grouped
scan of the covering indexes, the synthesis before those counts); "before" the first
synthesis (`benchmarks.psad_avant`: every open parcours read and its alerts evaluated in
Python), fewer times (it is slow). All on the same rows, in the same run; the three must give
the same figures, which is checked.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta

import psycopg

AUJOURD_HUI = date(2026, 2, 2)
RENTREE = date(2025, 9, 1)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _lycees(rng: random.Random, n_lycees: int = 1800, n_ml: int = 440):
    from ambition.parcours.academies import ACADEMIES

    deps = [code.zfill(3) for codes in ACADEMIES.values() for code in codes.split()]
    mls = [f"{rng.randrange(10**13, 10**14)}" for _ in range(n_ml)]
    ml_de = {d: [mls[(i * 7 + k) % n_ml] for k in range(2)] for i, d in enumerate(deps)}
    lycees = []
    for i in range(n_lycees):
        d = deps[i % len(deps)]
        lycees.append((f"{d}{i:04d}" + "ABCDEFGHJK"[i % 10], ml_de[d]))
    return lycees


def _parcours(rng: random.Random, uai: str, mls: list[str]) -> list[tuple[str, dict, dict]]:
    """The domain events of one parcours, dated up to `AUJOURD_HUI` (planned periods excepted),
    as (name, meta, rec) for `suivi.evoluer`."""
    pid = str(uuid.UUID(int=rng.getrandbits(128)))
    meta = {"parcours_id": pid, "numero": 1, "uai": uai, "emetteur": f"lycee:{uai}"}
    debut = RENTREE + timedelta(days=rng.randrange((AUJOURD_HUI - RENTREE).days))
    fin_prevue = debut + timedelta(days=rng.choice((90, 110, 121)))
    ev = [("EleveInscrit", meta, {"envelope": {"subject": pid}, "diplome": "BAC_PRO", "date_debut": debut,
                                  "date_fin_prevue": fin_prevue, "boursier": rng.random() < 0.3,
                                  "interne": rng.random() < 0.1, "fonds_sociaux": rng.random() < 0.1})]
    fin = min(AUJOURD_HUI, fin_prevue)
    jours = (fin - debut).days
    cloture = debut + timedelta(days=rng.randrange(jours + 1)) if rng.random() < 0.45 and jours > 0 else None
    fin_faits = cloture or fin
    duree = (fin_faits - debut).days

    def jour() -> date:
        return debut + timedelta(days=rng.randrange(duree + 1))

    siret = rng.choice(mls)
    if rng.random() < 0.85:
        ev.append(("AccueilRealise", {**meta, "emetteur": f"ml:{siret}"},
                   {"siret": siret, "conseiller": "c", "date": debut + timedelta(days=min(duree, rng.randrange(20)))}))
    for _ in range(rng.randrange(9)):
        ev.append((rng.choice(("ActiviteLyceeRealisee", "ActiviteMissionLocaleRealisee")), meta, {"date": jour()}))
    if rng.random() < 0.4:
        d = jour()
        ev.append(("PfmpDebutee", meta, {"periode_id": "p1", "siret": siret, "date_debut": d,
                                         "date_fin_prevue": d + timedelta(days=28)}))
        if d + timedelta(days=28) <= fin_faits and rng.random() < 0.8:
            ev.append(("PfmpTerminee", meta, {"periode_id": "p1", "date_fin": d + timedelta(days=28)}))
    if rng.random() < 0.2:
        ev.append(("SolutionDemarree", meta, {"date": jour()}))
    if rng.random() < 0.15:
        ev.append(("PaceaSigne", meta, {"date_signature": jour()}))
    if cloture:
        ev.append(("ParcoursClos", meta, {
            "issue": rng.choice(("FORMATION", "EMPLOI", "PARCOURS_INSERTION", "ABANDON")), "date": cloture,
            "droits_jusqu_au": cloture, "statut_scolaire_conserve": False, "statut_structure_accueil": False,
            "depassement_deux_tiers": rng.random() < 0.03, "periodes_terminees": []}))
    return ev


def remplir(dsn: str, n: int, seed: int = 12) -> tuple[object, object]:
    """Create the views of an empty database and fill the PSAD view with `n` parcours; returns
    (engine, the PSAD tables)."""
    from ambition.sqlstore import make_engine, sqlalchemy_url
    from ambition_projections import generations, psad, suivi, territoires
    from ambition_projections.runner import create_tables

    engine = make_engine(sqlalchemy_url(dsn, None))  # the API's engine
    create_tables(engine)
    with engine.connect() as conn:
        t = generations.tables(psad, generations.courantes(conn)[psad.NAME])
    rng, carte = random.Random(seed), territoires.Carte()
    lycees = _lycees(rng)
    cols = [c.name for c in t.parcours.columns]
    json_cols = {"activites", "periodes"}
    started = time.perf_counter()
    with psycopg.connect(dsn) as raw, raw.cursor() as cur:
        with cur.copy(f"COPY {t.parcours.name} ({', '.join(cols)}) FROM STDIN") as copy:
            for _ in range(n):
                uai, mls = rng.choice(lycees)
                s = None
                for name, meta, rec in _parcours(rng, uai, mls):
                    s = suivi.evoluer(s, name, meta, rec)
                s.update(territoire=carte(uai), **suivi.dates_d_alerte(s))
                copy.write_row([json.dumps(s.get(c)) if c in json_cols else s.get(c) for c in cols])
        raw.commit()
    with engine.begin() as conn:  # the counts the projection keeps with its rows
        psad.recompter(conn, t)
    with psycopg.connect(dsn, autocommit=True) as raw:
        # the steady state autovacuum keeps (statistics, visibility map for index-only scans)
        for table in (t.parcours, t.comptes, t.histogrammes, t.risque):
            raw.execute(f"VACUUM ANALYZE {table.name}")
    print(f"psad: {n:,} parcours folded and copied into the view in {time.perf_counter() - started:.0f} s",
          flush=True)
    return engine, t


def _mesurer(synthese, conn, t, perimetre: str | None, fois: int) -> tuple[list[float], dict]:
    mesures, resultat = [], None
    for _ in range(fois):
        s = time.perf_counter()
        resultat = synthese(conn, t, AUJOURD_HUI, perimetre)
        mesures.append(time.perf_counter() - s)
        conn.rollback()
    return mesures, resultat


def run(n: int = 300_000, requetes: int = 200, avant: int = 5) -> dict:
    from sqlalchemy import func, select

    from ambition_projections import psad

    from . import psad_avant
    from .ingest import _drop, _pg_dsn

    dsn = _pg_dsn()
    try:
        engine, t = remplir(dsn, n)
        with engine.connect() as conn:
            p = t.parcours
            plus_grand = conn.execute(select(p.c.territoire).group_by(p.c.territoire)
                                      .order_by(func.count().desc()).limit(1)).scalar_one()
            dans = conn.execute(select(func.count()).where(p.c.territoire == plus_grand)).scalar_one()
            ouverts = conn.execute(select(func.count()).where(p.c.etat == "OUVERT")).scalar_one()
            print(f"psad: {ouverts:,} open; largest territory {plus_grand} ({dans:,} parcours); "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            r: dict = {"parcours": n, "territoire": plus_grand, "territoire_parcours": dans}
            def balayage(*args):
                return psad.synthese(*args, comptes=False)

            resultats = []
            for nom, synthese, fois in (("avant", psad_avant.synthese, avant), ("balayage", balayage, requetes),
                                        ("apres", psad.synthese, requetes)):
                national, rn = _mesurer(synthese, conn, t, None, fois)
                territoire, rt = _mesurer(synthese, conn, t, plus_grand, fois)
                resultats.append((rn, rt))
                r[nom] = {"national_p50_ms": statistics.median(national) * 1000,
                          "national_p99_ms": _quantile(national, 0.99) * 1000,
                          "territoire_p50_ms": statistics.median(territoire) * 1000,
                          "territoire_p99_ms": _quantile(territoire, 0.99) * 1000,
                          "requetes": fois, "charge": os.getloadavg()[0]}
                print(f"psad {nom}: {fois} syntheses each, national p50 {r[nom]['national_p50_ms']:,.0f} ms "
                      f"p99 {r[nom]['national_p99_ms']:,.0f} ms; {plus_grand} p50 "
                      f"{r[nom]['territoire_p50_ms']:,.0f} ms p99 {r[nom]['territoire_p99_ms']:,.0f} ms "
                      f"(load average {r[nom]['charge']:.1f})", flush=True)
            r["identiques"] = resultats[0] == resultats[1] == resultats[2]
            print(f"psad: same figures before, scanning and from the counts: "
                  f"{'yes' if r['identiques'] else 'NO'}", flush=True)
        engine.dispose()
        return r
    finally:
        _drop(dsn)
