"""Rebuilding the read views from a filled event store, then the PSAD synthesis read from them."""
from __future__ import annotations

import statistics
import time
from datetime import date

from sqlalchemy import func, select

from ambition.config import Settings


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rebuild_et_psad(settings: Settings, requetes: int = 40) -> dict:
    """``ambition rebuild`` of every view (read store in the event store's database), then
    ``requetes`` PSAD syntheses, national and per territory, as the API runs them."""
    from ambition.contracts.codec import Registry
    from ambition.bootstrap import make_app
    from ambition.sqlstore import read_engine
    from ambition_projections import generations, psad, territoires
    from ambition_projections.rebuild import rebuild

    read = Settings(var_dir=settings.var_dir, event_store=settings.event_store,
                    read_store=settings.event_store)
    engine, app = read_engine(read), make_app(read)
    started = time.perf_counter()
    done = rebuild(engine, app, Registry.load(settings.schemas_dir), progress=False)
    rebuild_s = time.perf_counter() - started
    as_of = date(2026, 12, 15)
    national, territoire = [], []
    with engine.connect() as conn:
        t = generations.tables(psad, generations.courantes(conn)[psad.NAME])
        nombre = conn.execute(select(func.count()).select_from(t.parcours)).scalar()
        un = territoires.connus()[0]
        for _ in range(requetes):
            for mesures, perimetre in ((national, None), (territoire, un)):
                s = time.perf_counter()
                psad.synthese(conn, t, as_of, perimetre)
                mesures.append(time.perf_counter() - s)
                conn.rollback()
    app.close()
    engine.dispose()
    return {"rebuild_events": done["evenements"], "rebuild_per_second": done["evenements"] / rebuild_s,
            "psad_parcours": nombre, "psad_national_p50_ms": statistics.median(national) * 1000,
            "psad_national_p99_ms": _quantile(national, 0.99) * 1000,
            "psad_territoire_p99_ms": _quantile(territoire, 0.99) * 1000}
