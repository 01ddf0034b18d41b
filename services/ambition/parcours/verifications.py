"""Small checks shared by the decisions of every partner's facts."""
from __future__ import annotations

from datetime import date
from typing import Any

from ambition.parcours import droits, regles, regles_temps
from ambition.parcours.aggregate import Parcours, cle_periode
from ambition.parcours.erreurs import FAIT_INVALIDE, Refus
from ambition.parcours.faits import Fait
from ambition.parcours.identifiants import siret_valide


def dans_le_parcours(p: Parcours, quoi: str, *jours: date) -> None:
    for jour in jours:
        if not isinstance(jour, date):
            raise Refus(FAIT_INVALIDE, f"{quoi}: {jour!r} is not a date")
        regles.dans_le_parcours(quoi, jour, p.date_debut, p.date_fin_prevue)


def exiger(condition: bool, message: str) -> None:
    if not condition:
        raise Refus(FAIT_INVALIDE, message)


def commun(fait: Fait) -> dict[str, str]:
    """The fields every aggregate event records about its origin."""
    return {"origine_event_id": fait.event_id, "emetteur": fait.emetteur.partner_id,
            "empreinte": fait.empreinte}


def jours_avec(p: Parcours, cle: str, debut: date, fin: date) -> int:
    """Days in enterprise once period ``cle`` runs ``debut`` .. ``fin`` (clipped to a closure)."""
    periodes = {i: (x["date_debut"], x["date_fin"]) for i, x in p.periodes.items()}
    periodes[cle] = (debut, fin)
    return droits.jours_en_entreprise(periodes.values(), p.date_cloture)


def periode_entreprise(p: Parcours, fait: Fait, nature: str) -> int:
    """A PFMP, stage or immersion that starts: valid SIRET, inside the parcours, no overlap,
    within 2/3 of the parcours. Returns the days in enterprise it makes."""
    f = fait.payload
    periode_id, debut, fin = f["periode_id"], f["date_debut"], f["date_fin_prevue"]
    cle = cle_periode(fait.emetteur.partner_id, periode_id)
    regles.siret_valide("enterprise", f["siret"], siret_valide(f["siret"]))
    exiger(cle not in p.periodes, f"period {periode_id} was already started")
    regles_temps.fin_apres_debut(f"period {periode_id}", debut, fin)
    dans_le_parcours(p, f"{nature} {periode_id}", debut, fin)
    regles.sans_chevauchement(cle, debut, fin, p.autres_periodes())
    regles.pfmp_deux_tiers(p.jours_en_entreprise, droits.jours(debut, fin),
                           p.date_debut, p.date_fin_prevue)
    return jours_avec(p, cle, debut, fin)


def fin_de_periode(p: Parcours, fait: Fait, natures: tuple[str, ...]) -> int:
    """A period that ends: known to its emitter, of the right kind, not ended yet, ends after
    its start; an extension is checked again against overlap and 2/3. After the closure the
    end is accepted whatever its date: the days stay counted up to the closure."""
    periode_id, fin = fait.payload["periode_id"], fait.payload["date_fin"]
    cle = cle_periode(fait.emetteur.partner_id, periode_id)
    periode = p.periodes.get(cle)
    exiger(periode is not None and periode["nature"] in natures,
           f"no {'/'.join(natures)} period {periode_id} of {fait.emetteur.partner_id} in this "
           "parcours")
    exiger(not periode["terminee"], f"period {periode_id} has already ended")
    regles_temps.fin_apres_debut(f"period {periode_id}", periode["date_debut"], fin)
    compte = min(fin, p.date_cloture) if p.clos else fin  # what counts in the parcours
    if p.ouvert:
        dans_le_parcours(p, f"end of period {periode_id}", fin)
    regles.sans_chevauchement(cle, periode["date_debut"], compte, p.autres_periodes(sauf=cle))
    autres = jours_avec(p, cle, periode["date_debut"], periode["date_debut"]) - 1
    regles.pfmp_deux_tiers(autres, droits.jours(periode["date_debut"], compte),
                           p.date_debut, p.date_fin_prevue)
    return jours_avec(p, cle, periode["date_debut"], fin)


def verifier_cloture(p: Parcours, quoi: str, jour: date) -> None:
    """A closure lies within the parcours (start .. start + 4 months) and after every fact
    already recorded."""
    regles.dans_le_parcours(quoi, jour, p.date_debut, regles.ajouter_mois(p.date_debut, 4))
    regles_temps.cloture_apres_les_faits(quoi, jour, p.dernier_fait)


def clore(p: Parcours, fait: Fait, issue: str, jour: date) -> None:
    """Close the parcours: the rights run until ``jour``; open periods end on it."""
    ouvertes = [cle for cle, x in p.periodes.items() if not x["terminee"]]
    bornes = [(x["date_debut"], x["date_fin"]) for x in p.periodes.values()]
    jours_entreprise = droits.jours_en_entreprise(bornes, jour)
    champs: dict[str, Any] = dict(
        droits_jusqu_au=jour, statut_scolaire_conserve=droits.statut_scolaire_conserve(issue),
        statut_structure_accueil=droits.statut_structure_accueil(issue),
        jours_en_entreprise=jours_entreprise, duree_jours=droits.jours(p.date_debut, jour),
        depassement_deux_tiers=droits.depassement_deux_tiers(jours_entreprise, p.date_debut, jour),
        periodes_terminees=ouvertes)
    p.parcours_clos(origine_event_id=fait.event_id, emetteur=fait.emetteur.partner_id,
                    numero=p.numero, issue=issue, date=jour, **champs)
