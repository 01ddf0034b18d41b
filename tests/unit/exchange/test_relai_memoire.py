"""The outbound relay's mapper keeps the metadata of a bounded number of parcours: a national
cohort must not grow the relay's memory with every parcours ever relayed, and a parcours that
was evicted still gets its own lycée and mission locale on the events published after."""
from __future__ import annotations

from datetime import date

from ambition.bootstrap import make_app
from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.outbox import DomainEventMapper
from ambition.parcours.exemples import AUTRE_SIRET_ML, AUTRE_UAI, SIRET_ML, UAI, fait
from ambition.parcours.faits import ACCEPTE, LYCEE, MISSION_LOCALE, Emetteur

AUTRE_CLE = "fedcba9876543210fedcba9876543210"
LYCEE_B = Emetteur(LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}")
ML_B = Emetteur(MISSION_LOCALE, AUTRE_SIRET_ML, f"ml:{AUTRE_SIRET_ML}")


def _publies(retenus: int):
    """Two élèves whose events alternate, each with its own lycée and mission locale, mapped in
    notification order as the relay does; returns the records and the mapper."""
    app = make_app(PERSISTENCE_MODULE="eventsourcing.popo")
    faits = [fait("EleveInscrit"),
             fait("EleveInscrit", cle=AUTRE_CLE, emetteur=LYCEE_B, uai=AUTRE_UAI),
             fait("AccueilRealise"),
             fait("AccueilRealise", cle=AUTRE_CLE, emetteur=ML_B, siret=AUTRE_SIRET_ML),
             fait("ActiviteMissionLocaleRealisee"),
             fait("ActiviteMissionLocaleRealisee", cle=AUTRE_CLE, emetteur=ML_B,
                  date=date(2024, 9, 26))]
    for f in faits:
        assert app.traiter_lot([f])[0].statut == ACCEPTE, f.type
    mapper = DomainEventMapper(app, Registry.load(Settings().schemas_dir), retenus=retenus)
    records = [mapper.record(app.mapper.to_domain_event(n))
               for n in app.recorder.select_notifications(1, 100)]
    return records, mapper


def test_an_evicted_parcours_keeps_its_own_lycee_and_mission_locale():
    records, mapper = _publies(retenus=1)
    vus = [(name.rsplit(".", 1)[1], r["envelope"]["subject"], r["parcours"]["uai"],
            r["parcours"]["mission_locale"]) for name, r in records]
    cle_a = fait("EleveInscrit").cle
    assert vus == [
        ("EleveInscrit", cle_a, UAI, None),
        ("EleveInscrit", AUTRE_CLE, AUTRE_UAI, None),
        ("AccueilRealise", cle_a, UAI, SIRET_ML),
        ("AccueilRealise", AUTRE_CLE, AUTRE_UAI, AUTRE_SIRET_ML),
        ("ActiviteMissionLocaleRealisee", cle_a, UAI, SIRET_ML),
        ("ActiviteMissionLocaleRealisee", AUTRE_CLE, AUTRE_UAI, AUTRE_SIRET_ML),
    ]
    assert len(mapper._meta) == 1  # only the parcours seen last is held


def test_the_mapper_holds_at_most_its_bound():
    _, mapper = _publies(retenus=2)
    assert len(mapper._meta) == 2


def _second_parcours_puis_correction(retenus: int):
    """Parcours 1 in lycée A closed by the bilan, parcours 2 in lycée B, then the mission locale
    corrects the outcome of parcours 1: mapped in notification order."""
    app = make_app(PERSISTENCE_MODULE="eventsourcing.popo")
    faits = [fait("EleveInscrit"), fait("AccueilRealise"), fait("BilanRealise"),
             fait("EleveInscrit", emetteur=LYCEE_B, uai=AUTRE_UAI, session_examen=2025,
                  date_debut=date(2025, 9, 1), date_fin_prevue=date(2025, 12, 19)),
             fait("IssueCorrigee", numero=1, issue="EMPLOI", date=date(2025, 9, 10))]
    for f in faits:
        assert app.traiter_lot([f])[0].statut == ACCEPTE, f.type
    mapper = DomainEventMapper(app, Registry.load(Settings().schemas_dir), retenus=retenus)
    return [(name.rsplit(".", 1)[1], r["parcours"]["numero"], r["parcours"]["uai"])
            for name, r in (mapper.record(app.mapper.to_domain_event(n))
                            for n in app.recorder.select_notifications(1, 100))]


def test_a_correction_of_the_first_parcours_published_after_the_second_opened_names_its_lycee():
    attendu = [("EleveInscrit", 1, UAI), ("AccueilRealise", 1, UAI), ("BilanRealise", 1, UAI),
               ("ParcoursClos", 1, UAI), ("EleveInscrit", 2, AUTRE_UAI), ("IssueCorrigee", 1, UAI)]
    assert _second_parcours_puis_correction(retenus=10) == attendu
    # the same when the relay restarted in between (nothing of the parcours in memory)
    assert _second_parcours_puis_correction(retenus=0)[-1] == ("IssueCorrigee", 1, UAI)
