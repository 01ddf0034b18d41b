"""Redeliveries, conflicting duplicates, orphans, batches, personal data kept apart."""
from __future__ import annotations

from datetime import date

from aide_parcours import refuse

from ambition.parcours.exemples import fait
from ambition.parcours.faits import DOUBLON, INCONNU


def test_DOUBLON_meme_identifiant_meme_contenu_sans_effet(app, etant_donne, quand):
    inscription = fait("EleveInscrit")
    etant_donne(inscription)
    version = app.parcours(inscription.cle).version
    assert quand(inscription).statut == DOUBLON
    assert app.parcours(inscription.cle).version == version


def test_DOUBLON_CONFLICTUEL_meme_identifiant_autre_contenu(etant_donne, quand):
    activite = fait("ActiviteLyceeRealisee")
    etant_donne(fait("EleveInscrit"), activite)
    autre = fait("ActiviteLyceeRealisee", event_id=activite.event_id, date=date(2024, 9, 11))
    refuse(quand(autre), "DOUBLON_CONFLICTUEL")


def test_INCONNU_un_fait_avant_l_inscription_est_a_parquer(quand):
    r = quand(fait("AccueilRealise"))
    assert r.statut == INCONNU and r.parcours_id is None


def test_un_lot_decide_dans_l_ordre_plusieurs_faits_du_meme_parcours(app):
    inscription = fait("EleveInscrit")
    lot = [fait("AccueilRealise"), inscription, fait("AccueilRealise"), inscription,
           fait("PfmpDebutee"), fait("BilanRealise"),
           fait("ActiviteLyceeRealisee", date=date(2024, 12, 21))]
    statuts = [(r.statut, r.code) for r in app.traiter_lot(lot)]
    assert statuts == [("INCONNU", None), ("ACCEPTE", None), ("ACCEPTE", None),
                       ("DOUBLON", None), ("ACCEPTE", None), ("ACCEPTE", None),
                       ("REFUSE", "ISSUE_UNIQUE")]
    assert app.parcours(inscription.cle).issue == "FORMATION"


def test_aucune_donnee_personnelle_dans_les_evenements(app, etant_donne):
    etant_donne(fait("EleveInscrit", accompagnement_handicap=True))
    p = app.parcours(fait("EleveInscrit").cle)
    stockes = app.recorder.select_events(p.id)
    tout = b"".join(s.state for s in stockes)
    for secret in (b"RBTGGW1UCXZ", b"Martin", b"Lina", b"2006-03-15", b"handicap", b'"ine"', b'"nom"'):
        assert secret not in tout


def test_identite_chiffree_lisible_puis_oubliee(app, etant_donne):
    etant_donne(fait("EleveInscrit", accompagnement_handicap=True))
    cle = fait("EleveInscrit").cle
    assert app.identite(cle) == {"ine": "RBTGGW1UCXZ", "nom": "Martin", "prenom": "Lina",
                                 "date_naissance": date(2006, 3, 15),
                                 "accompagnement_handicap": True}
    app.oublier(cle)
    assert app.identite(cle) is None
    assert app.parcours(cle).uai  # the history is intact
    assert app.identite("inconnue") is None
