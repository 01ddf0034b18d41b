"""One élève, two parcours: enrolled at lycée A, closed, re-enrolled at lycée B, the first
outcome corrected after the re-enrolment, then a move from mission locale A to B. The facts in
the order a partner would send them (each step waits for the one it builds on), and the views
every actor must see, computed by hand from the arrêté's rules (DOMAIN.md):

parcours 1 (lycée A, 2024-09-02 .. planned 2024-12-31, boursier, interne)
  accueil ML A 09-05; PFMP "1" 10-01..10-31 (31 days); stage "1" of ML A 11-04..11-22
  (19 days, never ended: it ends at the closure, already past); bilan FORMATION 12-20 by ML A:
  rights in force 09-02 .. 12-20, 110 days, 50 days in enterprise.
parcours 2 (lycée B, 2025-09-01 .. planned 2025-12-19)
  accueil ML A 09-03; ML A corrects parcours 1's outcome to PARCOURS_INSERTION (dated
  2025-01-10: rights still ended 12-20, and the young person fell under the structure
  d'accueil's status); ML A activity 09-10; lycée B declares the move to ML B on 10-01;
  ML B's accueil 10-03, activity 10-10, bilan EMPLOI 12-15 (106 days).
Versions of the aggregate: parcours 1 is v1..v6 (ParcoursClos v6), parcours 2 opens at v7,
the correction is v9, the move v11, the closure v15.
"""
from __future__ import annotations

from datetime import date

UAI_A, UAI_B = "0753268V", "0690026D"  # Paris, Lyon (demo partners)
ML_A, ML_B = "13002526500013", "34225437400024"
INE = "1000000009Z"
NAISSANCE = date(2006, 3, 15)

INSCRIPTION_1 = dict(uai=UAI_A, diplome="BAC_PRO", specialite="Commerce", session_examen=2024,
                     resultat_examen="ECHEC", en_emploi=False, en_formation=False,
                     consentement_eleve=True, consentement_representant_legal=None,
                     referent="M. Durand", date_debut=date(2024, 9, 2),
                     date_fin_prevue=date(2024, 12, 31), boursier=True, interne=True,
                     fonds_sociaux=False)
INSCRIPTION_2 = dict(INSCRIPTION_1, uai=UAI_B, session_examen=2025, referent="Mme Leroy",
                     date_debut=date(2025, 9, 1), date_fin_prevue=date(2025, 12, 19),
                     boursier=False, interne=False)
PARTICIPANTS = ["JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS"]

#: (step, partner id, event type, payload): a step waits for the previous ones to be stored.
FAITS = [
    (1, f"lycee:{UAI_A}", "EleveInscrit", INSCRIPTION_1),
    (2, f"ml:{ML_A}", "AccueilRealise", dict(siret=ML_A, conseiller="c-a", date=date(2024, 9, 5))),
    (2, f"lycee:{UAI_A}", "PfmpDebutee", dict(periode_id="1", siret="75000000000000",
                                              date_debut=date(2024, 10, 1),
                                              date_fin_prevue=date(2024, 10, 31))),
    (3, f"ml:{ML_A}", "StageDebute", dict(periode_id="1", nature="STAGE", siret="75000000000000",
                                          date_debut=date(2024, 11, 4),
                                          date_fin_prevue=date(2024, 11, 22))),
    (4, f"ml:{ML_A}", "BilanRealise", dict(date=date(2024, 12, 20), participants=PARTICIPANTS,
                                           issue="FORMATION", detail=None)),
    (5, f"lycee:{UAI_B}", "EleveInscrit", INSCRIPTION_2),
    (6, f"ml:{ML_A}", "AccueilRealise", dict(siret=ML_A, conseiller="c-a2", date=date(2025, 9, 3))),
    (7, f"ml:{ML_A}", "IssueCorrigee", dict(date=date(2025, 1, 10), issue="PARCOURS_INSERTION",
                                            motif="CEJ signé", numero=1)),
    (8, f"ml:{ML_A}", "ActiviteMissionLocaleRealisee", dict(activite="MOBILISATION",
                                                            date=date(2025, 9, 10))),
    (9, f"lycee:{UAI_B}", "MissionLocaleChangee", dict(date=date(2025, 10, 1), numero=2,
                                                       siret=ML_B, motif="déménagement")),
    (10, f"ml:{ML_B}", "AccueilRealise", dict(siret=ML_B, conseiller="c-b", date=date(2025, 10, 3))),
    (11, f"ml:{ML_B}", "ActiviteMissionLocaleRealisee", dict(activite="ATELIER_TRE",
                                                             date=date(2025, 10, 10))),
    (11, f"ml:{ML_B}", "BilanRealise", dict(date=date(2025, 12, 15), participants=PARTICIPANTS,
                                            issue="EMPLOI", detail=None)),
]
VERSIONS = 15  # domain events stored in the end

# -- the ground truth ------------------------------------------------------------------------

PSAD = {"entrees": 2, "parcours_ouverts": 0, "issues": {"EMPLOI": 1, "PARCOURS_INSERTION": 1},
        "duree_mediane_jours": 108}  # median of 110 and 106 days
PSAD_PAR_LYCEE = {UAI_A: (1, {"PARCOURS_INSERTION": 1}), UAI_B: (1, {"EMPLOI": 1})}
PSAD_PAR_ML = {ML_A: (1, {"PARCOURS_INSERTION": 1}), ML_B: (1, {"EMPLOI": 1})}
LYCEE_A = {"numero": 1, "etat": "CLOS", "issue": "PARCOURS_INSERTION", "jours_pfmp": 50,
           "mission_locale": ML_A, "date_cloture": "2024-12-20", "droits_jusqu_au": "2024-12-20"}
LYCEE_B = {"numero": 2, "etat": "CLOS", "issue": "EMPLOI", "jours_pfmp": 0,
           "mission_locale": ML_B, "date_cloture": "2025-12-15", "droits_jusqu_au": "2025-12-15"}
#: rights of lycée A's élève on a date: in force up to the closure day, then none.
DROITS_A = {"2024-12-20": {"statut_scolaire": True, "bourse": True, "internat": True,
                           "fonds_sociaux": False},
            "2024-12-21": {"statut_scolaire": False, "bourse": False, "internat": False,
                           "fonds_sociaux": False}}
#: mission locale -> (numero, transferred to) of the rows it sees
ML_JEUNES = {ML_A: [(1, None), (2, ML_B)], ML_B: [(2, None)]}
ML_ACTIVITES = {ML_A: 1, ML_B: 1}
#: actor -> (numbers readable, events of the timeline)
CHRONOLOGIE = {f"lycee:{UAI_A}": ([1], 7), f"lycee:{UAI_B}": ([2], 8),
               f"ml:{ML_A}": ([1, 2], 11), f"ml:{ML_B}": ([2], 8), "psad:national": ([1, 2], 15)}


def par_etape():
    """The facts grouped by step, in order."""
    etapes: dict[int, list] = {}
    for etape, partner, type_, payload in FAITS:
        etapes.setdefault(etape, []).append((partner, type_, payload))
    return [etapes[k] for k in sorted(etapes)]


METHODES = {"EleveInscrit": "eleve_inscrit", "AccueilRealise": "accueil_realise",
            "PfmpDebutee": "pfmp_debutee", "StageDebute": "stage_debute",
            "BilanRealise": "bilan_realise", "IssueCorrigee": "issue_corrigee",
            "ActiviteMissionLocaleRealisee": "activite_realisee",
            "MissionLocaleChangee": "mission_locale_changee"}
IDENTITE = dict(ine=INE, nom="Martin", prenom="Lina", date_naissance=NAISSANCE,
                accompagnement_handicap=False)


def envoyer(producteur, type_: str, cle: str, payload: dict):
    """Send one fact with a partner SDK producer."""
    if type_ == "EleveInscrit":
        return producteur.eleve_inscrit(**IDENTITE, **payload)
    return getattr(producteur, METHODES[type_])(cle=cle, **payload)


def evenements_apres(etape: int) -> int:
    """Domain events stored once every fact up to `etape` (index in `par_etape`) is decided."""
    types = [t for lot in par_etape()[:etape + 1] for _, t, _ in lot]
    return len(types) + types.count("BilanRealise")  # a bilan also closes: ParcoursClos


def verifier_les_vues(get, pid: str) -> None:
    """Every actor's view against the ground truth; `get(actor, path, **params)` reads the API."""
    for uai, attendu in ((UAI_A, LYCEE_A), (UAI_B, LYCEE_B)):
        vue = get(f"lycee:{uai}", f"/v1/lycees/{uai}/eleves", as_of="2026-01-05")
        assert vue["total"] == 1
        assert {k: vue["items"][0][k] for k in attendu} == attendu
    for jour, droits in DROITS_A.items():
        item = get(f"lycee:{UAI_A}", f"/v1/lycees/{UAI_A}/eleves", as_of=jour)["items"][0]
        assert {k: item["droits"][k] for k in droits} == droits, jour
        assert item["statut_structure_accueil"] is (jour > "2024-12-20")
    for siret, lignes in ML_JEUNES.items():
        vue = get(f"ml:{siret}", f"/v1/missions-locales/{siret}/jeunes", as_of="2026-01-05")
        assert [(i["numero"], i["transfere_vers"]) for i in vue["items"]] == lignes
        activites = get(f"ml:{siret}", f"/v1/missions-locales/{siret}/activites")
        assert activites["total"] == ML_ACTIVITES[siret]
        assert get(f"ml:{siret}", f"/v1/missions-locales/{siret}/stages")["total"] == 0
    synthese = get("psad:national", "/v1/psad/synthese", as_of="2026-01-05")
    assert {k: synthese[k] for k in PSAD} == PSAD
    assert {x["uai"]: (x["entrees"], x["issues"]) for x in synthese["par_lycee"]} == PSAD_PAR_LYCEE
    assert {x["mission_locale"]: (x["entrees"], x["issues"])
            for x in synthese["par_mission_locale"]} == PSAD_PAR_ML
    for actor, (numeros, n) in CHRONOLOGIE.items():
        chrono = get(actor, f"/v1/parcours/{pid}/chronologie", limit=100)
        assert (chrono["numeros"], chrono["total"]) == (numeros, n), actor
