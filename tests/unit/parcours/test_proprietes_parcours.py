"""Stateful property test: random sequences of partner facts, valid or not, never leave a
parcours breaking the arrêté's invariants (in-memory store, so it stays fast). The sequences
include second parcours (re-entry after a closure), late facts of an earlier parcours, outcome
corrections naming a parcours number, enrolment corrections and mission-locale moves."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ambition.bootstrap import make_app
from ambition.parcours.calendrier import annee_scolaire
from ambition.parcours.decisions_lycee import anniversaire
from ambition.parcours.exemples import (
    AUTRE_SIRET_ML, AUTRE_UAI, EMETTEURS, SIRET_ENTREPRISE, SIRET_ML, fait,
)
from ambition.parcours.faits import ACCEPTE, LYCEE, MISSION_LOCALE, Emetteur
from ambition.parcours.faits import DATE_DU_FAIT
from ambition.parcours.regles import ajouter_mois

APRES_CLOTURE = ("IssueCorrigee", "PfmpTerminee", "StageTermine", "PaceaTermine")

# dates are drawn as offsets from the current parcours start, so that many facts fit in
jours = st.integers(-20, 135)
periodes = st.sampled_from(["p1", "p2", "p3", "p4"])
sirets = st.sampled_from([SIRET_ENTREPRISE, SIRET_ENTREPRISE, "75000000000001"])
emetteurs_lycee = st.sampled_from([EMETTEURS[LYCEE]] * 4 + [
    Emetteur(LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}"), EMETTEURS[MISSION_LOCALE]])
emetteurs_ml = st.sampled_from([EMETTEURS[MISSION_LOCALE]] * 4 + [
    Emetteur(MISSION_LOCALE, AUTRE_SIRET_ML, f"ml:{AUTRE_SIRET_ML}"), EMETTEURS[LYCEE]])
issues = st.sampled_from(["FORMATION", "EMPLOI", "PARCOURS_INSERTION"])


class ParcoursAleatoire(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = make_app(PERSISTENCE_MODULE="eventsourcing.popo")
        self.cle = fait("EleveInscrit").cle
        self.envoyes: list = []
        self.acceptes: set[str] = set()
        self.naissances: dict[int, date] = {}  # parcours numero -> birth date (test oracle)

    def envoyer(self, *faits) -> None:
        avant = self.app.parcours(self.cle)
        resultats = self.app.traiter_lot(list(faits))
        for f, r in zip(faits, resultats):
            event(f"{f.type}: {r.statut} {r.code or ''}")
            if r.statut == ACCEPTE:
                assert f.event_id not in self.acceptes, "a redelivery was accepted twice"
                self.acceptes.add(f.event_id)
                p = self.app.parcours(self.cle)
                if f.type == "EleveInscrit":
                    self.naissances[p.numero] = f.payload["date_naissance"]
                else:
                    dernier = list(self.app.events.get(p.id, gt=p.version - 1))[0]
                    if getattr(dernier, "numero", None) not in (None, p.numero):
                        event("late fact of an earlier parcours: ACCEPTE")
            else:
                assert r.code or r.statut in ("DOUBLON", "INCONNU"), r
        if all(r.statut != ACCEPTE for r in resultats) and avant is not None:
            assert self.app.parcours(self.cle).version == avant.version
        self.envoyes.extend(faits)

    def jour(self, decalage: int) -> date:
        p = self.app.parcours(self.cle)
        return (p.date_debut if p else date(2024, 9, 2)) + timedelta(decalage)

    @initialize(decalage=st.integers(0, 30), duree=st.integers(20, 121),
                naissance=st.dates(date(1998, 1, 1), date(2008, 12, 31)),
                accueil=st.sampled_from([True, True, False]))
    def inscrire_un_eleve_eligible(self, decalage, duree, naissance, accueil):
        debut = date(2024, 9, 2) + timedelta(decalage)
        self.envoyer(fait("EleveInscrit", date_debut=debut, date_fin_prevue=debut + timedelta(duree),
                          date_naissance=naissance, consentement_representant_legal=True))
        if accueil:
            self.envoyer(fait("AccueilRealise", date=debut))

    @rule(annee=st.sampled_from([2024, 2024, 2025]), decalage=st.integers(-10, 60),
          duree=st.integers(0, 130), naissance=st.dates(date(1997, 1, 1), date(2010, 1, 1)),
          diplome=st.sampled_from(["BAC_PRO", "CAP", "BTS"]), ecart_session=st.sampled_from([0, 0, -1]),
          representant=st.sampled_from([None, True, True]))
    def inscrire(self, annee, decalage, duree, naissance, diplome, ecart_session, representant):
        debut = date(annee, 9, 1) + timedelta(decalage)
        self.envoyer(fait("EleveInscrit", date_debut=debut, date_fin_prevue=debut + timedelta(duree),
                          date_naissance=naissance, diplome=diplome,
                          session_examen=annee_scolaire(debut) + ecart_session,
                          consentement_representant_legal=representant))

    @rule(emetteur=emetteurs_ml, siret=st.sampled_from([SIRET_ML, AUTRE_SIRET_ML]), jour=jours)
    def accueillir(self, emetteur, siret, jour):
        self.envoyer(fait("AccueilRealise", emetteur=emetteur, siret=siret, date=self.jour(jour)))

    @rule(type_=st.sampled_from(["PfmpDebutee", "StageDebute"]), periode=periodes, siret=sirets,
          debut=st.integers(-5, 100), duree=st.integers(0, 50), lycee=emetteurs_lycee, ml=emetteurs_ml,
          nature=st.sampled_from(["STAGE", "IMMERSION"]))
    def debuter_periode(self, type_, periode, siret, debut, duree, lycee, ml, nature):
        debut = self.jour(debut)
        champs = dict(periode_id=periode, siret=siret, date_debut=debut,
                      date_fin_prevue=debut + timedelta(duree))
        if type_ == "StageDebute":
            self.envoyer(fait(type_, emetteur=ml, nature=nature, **champs))
        else:
            self.envoyer(fait(type_, emetteur=lycee, **champs))

    @rule(type_=st.sampled_from(["PfmpTerminee", "StageTermine"]), periode=periodes, fin=jours)
    def terminer_periode(self, type_, periode, fin):
        self.envoyer(fait(type_, periode_id=periode, date_fin=self.jour(fin)))

    @rule(type_=st.sampled_from(["ActiviteLyceeRealisee", "ActiviteMissionLocaleRealisee",
                                 "PositionnementRealise", "ReferentChange"]), jour=jours)
    def activite(self, type_, jour):
        champ = "date_effet" if type_ == "ReferentChange" else "date"
        self.envoyer(fait(type_, **{champ: self.jour(jour)}))

    @rule(solution=st.sampled_from(["s1", "s2"]), jour=jours, demarrer=st.booleans())
    def solution(self, solution, jour, demarrer):
        self.envoyer(fait("SolutionDemarree" if demarrer else "SolutionProposee",
                          solution_id=solution, date=self.jour(jour)))

    @rule(jour=jours, terminer=st.booleans(), emetteur=emetteurs_ml)
    def pacea(self, jour, terminer, emetteur):
        jour = self.jour(jour)
        if terminer:
            self.envoyer(fait("PaceaTermine", date_fin=jour, emetteur=emetteur))
        else:
            self.envoyer(fait("PaceaSigne", date_signature=jour, emetteur=emetteur))

    @rule(jour=jours, issue=issues, participants=st.sets(
        st.sampled_from(["JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS"]), min_size=2))
    def bilan(self, jour, issue, participants):
        jour = self.jour(jour)
        self.envoyer(fait("BilanRealise", date=jour, issue=issue, participants=sorted(participants)))

    @rule(jour=jours, issue=issues, abandon=st.sampled_from([False, False, False, True]))
    def corriger_ou_abandonner(self, jour, issue, abandon):
        jour = self.jour(jour)
        self.envoyer(fait("AbandonDeclare", date=jour) if abandon
                     else fait("IssueCorrigee", date=jour, issue=issue))

    @rule(jour=jours, issue=st.sampled_from(["FORMATION", "EMPLOI", "PARCOURS_INSERTION",
                                             "ABANDON"]),
          numero=st.sampled_from([None, 1, 2, 3]), lycee=st.booleans())
    def corriger_l_issue(self, jour, issue, numero, lycee):
        self.envoyer(fait("IssueCorrigee", date=self.jour(jour), issue=issue, numero=numero,
                          emetteur=EMETTEURS[LYCEE] if lycee else EMETTEURS[MISSION_LOCALE]))

    @rule(jour=jours, fin=st.integers(-10, 130), numero=st.sampled_from([1, 2, 3]),
          boursier=st.sampled_from([None, True, False]))
    def corriger_l_inscription(self, jour, fin, numero, boursier):
        self.envoyer(fait("InscriptionCorrigee", date=self.jour(jour), numero=numero,
                          date_fin_prevue=self.jour(fin), boursier=boursier))

    @rule(jour=jours, numero=st.sampled_from([1, 2, 3]),
          siret=st.sampled_from([SIRET_ML, AUTRE_SIRET_ML, "12345678901234"]),
          accueil=st.booleans())
    def demenager(self, jour, numero, siret, accueil):
        self.envoyer(fait("MissionLocaleChangee", date=self.jour(jour), numero=numero, siret=siret))
        if accueil:
            self.envoyer(fait("AccueilRealise", siret=siret, date=self.jour(jour + 1),
                              emetteur=Emetteur(MISSION_LOCALE, siret, f"ml:{siret}")))

    @rule(data=st.data(), conflictuel=st.booleans())
    def redelivrer(self, data, conflictuel):
        if self.envoyes:
            f = data.draw(st.sampled_from(self.envoyes))
            if conflictuel:
                f = fait(f.type, event_id=f.event_id, emetteur=f.emetteur, **{**f.payload, "x": 1})
                r = self.app.traiter_lot([f])[0]
                assert r.statut != ACCEPTE or f.event_id not in self.acceptes
                if r.statut == ACCEPTE:
                    self.acceptes.add(f.event_id)
            else:
                self.envoyer(f)

    @invariant()
    def les_invariants_de_l_arrete_tiennent(self):
        p = self.app.parcours(self.cle)
        if p is None:
            return
        debut, fin = p.date_debut, p.date_fin_prevue
        duree = (fin - debut).days + 1
        assert fin <= ajouter_mois(debut, 4)
        assert p.jours_en_entreprise * 3 <= duree * 2
        bornes = [(x["date_debut"], x["date_fin"]) for x in p.periodes.values()]
        for d, f in bornes:
            assert debut <= d <= f and (p.clos or f <= fin)
        bornes.sort()
        for (_, f1), (d2, _) in zip(bornes, bornes[1:]):
            assert f1 < d2, "overlapping periods"
        assert all(debut <= j <= fin for _, _, j in p.activites)
        for a in p.anciens.values():  # late facts of earlier parcours stay inside them
            assert all(a["date_debut"] <= j <= a["date_cloture"] for _, _, j in a["activites"])
        for s in p.solutions.values():
            assert debut <= s["proposee_le"] <= fin
            assert s["demarree_le"] is None or debut <= s["demarree_le"] <= fin
        if p.pacea_signe_le is not None and p.pacea_signe_le >= debut:
            naissance = self.naissances[p.numero]
            assert anniversaire(naissance, 16) <= p.pacea_signe_le < anniversaire(naissance, 26)
            assert debut <= p.pacea_signe_le <= fin

    @invariant()
    def une_seule_issue_et_rien_date_apres_la_cloture(self):
        """Per parcours number: one closure, within start .. start + 4 months, and nothing of
        that parcours dated after it but corrections and the ends of things under way."""
        p = self.app.parcours(self.cle)
        if p is None:
            return
        par_numero: dict[int, list] = {}
        numero = 0
        for e in self.app.events.get(p.id):
            nom = type(e).__name__
            if nom == "EleveInscrit":
                numero = e.numero
                assert numero == len(par_numero) + 1
            # a late fact of an earlier parcours carries that parcours's number
            par_numero.setdefault(getattr(e, "numero", None) or numero, []).append(e)
        for numero, evenements in par_numero.items():
            debut = evenements[0].date_debut
            clotures = [e for e in evenements if type(e).__name__ == "ParcoursClos"]
            assert len(clotures) <= 1
            if numero < len(par_numero):
                assert len(clotures) == 1, "a new parcours opened while one was open"
                assert par_numero[numero + 1][0].date_debut > clotures[0].date
            if not clotures:
                continue
            cloture = clotures[0].date
            assert debut <= cloture <= ajouter_mois(debut, 4)
            for e in evenements:
                nom = type(e).__name__
                champ = DATE_DU_FAIT.get(nom)
                if nom not in APRES_CLOTURE and champ and nom != "EleveInscrit":
                    assert getattr(e, champ) <= cloture, f"{nom} dated after the closure"

    @invariant()
    def les_faits_de_la_mission_locale_suivent_son_accueil(self):
        p = self.app.parcours(self.cle)
        if p is None or p.date_accueil is None:
            return
        for type_, _, jour in p.activites:
            if type_ == "MISSION_LOCALE":
                assert jour >= p.date_accueil or p.mission_locale is not None


TestParcoursAleatoire = ParcoursAleatoire.TestCase
TestParcoursAleatoire.settings = settings(max_examples=300, stateful_step_count=30,
                                          deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
