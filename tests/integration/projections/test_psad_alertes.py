"""The PSAD's young people at risk counted from the alert dates the projection writes, on SQLite
and PostgreSQL read stores, against dates computed by hand.

Five parcours of lycée 0753268V (ac-paris), school year 2024, planned end 12-31 unless said:

| | start | facts | alert dates (activity = last activity + 21, end = planned end - 14, accueil = start + 10 if none) |
|---|---|---|---|
| G | 09-02 | accueil 09-05, ML activity 10-01 | activity 10-22, end 12-17: at risk from 10-22 |
| H | 09-02 | accueil 09-05, ML activities 10-01 and 10-30 | activity 11-20 (10-22 until the activity of 10-30 reset it) |
| I | 09-02 | accueil only on 09-20 (due 09-12, cleared by it) | activity 10-11, no accueil alert any more |
| J | 09-02 | accueil 09-05, withdrawal 10-09 | activity 09-26, but closed on 10-09 |
| K | 09-02, planned end 11-15 | accueil 09-05, ML activity 10-25 | activity 11-15, end 11-01: at risk from 11-01 |
"""
from __future__ import annotations

from datetime import date

import pytest
from aide_vues import ML_A, UAI_PARIS, charger, lycee, ml, projeter, records_of
from sqlalchemy import select

from ambition.parcours.exemples import fait
from ambition_projections import generations, psad

pytestmark = pytest.mark.integration
CLES = {nom: f"{i + 0xC0:032x}" for i, nom in enumerate("GHIJK")}
D = date


@pytest.fixture
def parcours_app(settings):  # these five parcours only (the shared conftest loads another scenario)
    from ambition.bootstrap import make_app

    return make_app(settings)


def _faits() -> list:
    out = []

    def f(type_, qui, emetteur, **champs):
        out.append(fait(type_, cle=CLES[qui], emetteur=emetteur, **champs))

    for i, qui in enumerate("GHIJK"):
        f("EleveInscrit", qui, lycee(UAI_PARIS), uai=UAI_PARIS, ine=f"{i:010d}G", nom=f"Nom{qui}",
          prenom=f"Prenom{qui}", date_debut=D(2024, 9, 2),
          date_fin_prevue=D(2024, 11, 15) if qui == "K" else D(2024, 12, 31))
        accueil = D(2024, 9, 20) if qui == "I" else D(2024, 9, 5)
        f("AccueilRealise", qui, ml(ML_A), siret=ML_A, conseiller="cons-a1", date=accueil)
    for qui, jour in (("G", D(2024, 10, 1)), ("H", D(2024, 10, 1)), ("H", D(2024, 10, 30)),
                      ("K", D(2024, 10, 25))):
        f("ActiviteMissionLocaleRealisee", qui, ml(ML_A), date=jour)
    f("AbandonDeclare", "J", lycee(UAI_PARIS), date=D(2024, 10, 9))
    return out


@pytest.fixture
def vue(parcours_app, registry, engine):
    charger(parcours_app, _faits())
    projeter(engine, records_of(parcours_app, registry))
    ids = {qui: str(parcours_app.parcours(cle).id) for qui, cle in CLES.items()}
    with engine.connect() as conn:
        t = generations.tables(psad, generations.courantes(conn)[psad.NAME])
        qui = {v: k for k, v in ids.items()}
        rows = {qui[r["parcours_id"]]: r for r in conn.execute(select(t.parcours)).mappings()}
        yield conn, t, ids, rows


def test_each_row_carries_the_days_its_alerts_are_due(vue):
    _, _, _, rows = vue
    dates = {qui: (r["alerte_activite_le"], r["alerte_fin_le"], r["alerte_accueil_le"], r["alerte_le"],
                   r["faits_jusqu_au"]) for qui, r in rows.items()}
    assert dates == {
        "G": (D(2024, 10, 22), D(2024, 12, 17), None, D(2024, 10, 22), D(2024, 10, 1)),
        "H": (D(2024, 11, 20), D(2024, 12, 17), None, D(2024, 11, 20), D(2024, 10, 30)),
        "I": (D(2024, 10, 11), D(2024, 12, 17), None, D(2024, 10, 11), D(2024, 9, 20)),
        "J": (D(2024, 9, 26), D(2024, 12, 17), None, D(2024, 9, 26), D(2024, 9, 5)),
        "K": (D(2024, 11, 15), D(2024, 11, 1), None, D(2024, 11, 1), D(2024, 10, 25)),
    }


def _risque(vue, as_of: date) -> tuple[int, dict[str, list[str]]]:
    conn, t, ids, _ = vue
    qui = {v: k for k, v in ids.items()}
    s = psad.synthese(conn, t, as_of)
    total, items = psad.a_risque(conn, t, as_of, 100, 0)
    assert total == s["jeunes_a_risque"] == len(items)
    assert [l["jeunes_a_risque"] for l in s["par_lycee"]] == [total]
    assert [l["jeunes_a_risque"] for l in s["par_mission_locale"]] == [total]
    return total, {qui[i["parcours_id"]]: i["alertes"] for i in items}


def test_an_alert_due_today_counts_and_not_the_day_before(vue):
    # 10-21: G's last activity (10-01) is 20 days old; I's (accueil 09-20) 31 days; J closed
    # on 10-09; H's activity of 10-30 and K's of 10-25 are after the day (both evaluated from
    # their facts): H's last activity then was 10-01 (20 days), K's the accueil of 09-05
    assert _risque(vue, D(2024, 10, 21)) == (2, {"I": ["SANS_ACTIVITE_21J"], "K": ["SANS_ACTIVITE_21J"]})
    # 10-22: G's and H's last activity is 21 days old
    assert _risque(vue, D(2024, 10, 22)) == (4, {qui: ["SANS_ACTIVITE_21J"] for qui in "GHIK"})


def test_a_later_activity_resets_the_alert(vue):
    # 10-31: H's activity of 10-30 cleared its alert; K's end is 15 days away
    assert _risque(vue, D(2024, 10, 31)) == (2, {"G": ["SANS_ACTIVITE_21J"], "I": ["SANS_ACTIVITE_21J"]})
    # 11-01: K's planned end (11-15) in 14 days
    assert _risque(vue, D(2024, 11, 1))[1]["K"] == ["FIN_SOUS_15J"]
    # 11-19 and 11-20: H again 20, then 21 days after its activity of 10-30
    assert "H" not in _risque(vue, D(2024, 11, 19))[1]
    assert _risque(vue, D(2024, 11, 20))[1]["H"] == ["SANS_ACTIVITE_21J"]


def test_the_accueil_clears_its_alert_and_a_closed_parcours_is_not_at_risk(vue):
    # 09-12: I 10 days after its start without an accueil (evaluated from its facts: the
    # accueil of 09-20 is after the day); nobody else: the others' accueil was on 09-05
    assert _risque(vue, D(2024, 9, 12)) == (1, {"I": ["SANS_ACCUEIL_10J"]})
    assert _risque(vue, D(2024, 9, 11)) == (0, {})
    # 09-26: 21 days after the accueil of 09-05 for G, H, J and K (the later activities of
    # G, H and K are after the day); I's accueil of 09-20 is 6 days old
    assert _risque(vue, D(2024, 9, 26)) == (4, {qui: ["SANS_ACTIVITE_21J"] for qui in "GHJK"})
    # 10-08: J still open (G and H had their activity of 10-01); 10-09: J closed that day, no
    # longer counted; K's last activity is still the accueil of 09-05
    assert _risque(vue, D(2024, 10, 8)) == (2, {qui: ["SANS_ACTIVITE_21J"] for qui in "JK"})
    assert _risque(vue, D(2024, 10, 9)) == (1, {"K": ["SANS_ACTIVITE_21J"]})
