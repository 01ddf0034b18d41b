"""The PSAD's outcomes over time, on the same rows and filters as the synthesis.

(The funnel is counted in the synthesis's own scan, `psad.synthese`: entries, then those who
had the mission locale's accueil, those with a PACEA or a started Foquale/MLDS solution, and
those whose parcours closed with an outcome of the bilan (FORMATION, EMPLOI or
PARCOURS_INSERTION; a withdrawal is not an outcome here). Each step counts the young people
who reached it, whatever the order.)
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, func, select


def issues_par_mois(conn: Connection, p, where: list) -> dict[str, dict[str, int]]:
    """Closures by month of their date and outcome (withdrawals as ABANDON)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    rows = conn.execute(select(p.c.date_cloture, p.c.issue, func.count())
                        .where(*where, p.c.date_cloture.is_not(None), p.c.issue.is_not(None))
                        .group_by(p.c.date_cloture, p.c.issue))
    for jour, issue, n in rows:
        mois = out[jour.strftime("%Y-%m")]
        mois[issue] = mois.get(issue, 0) + n
    return {m: dict(sorted(v.items())) for m, v in sorted(out.items())}
