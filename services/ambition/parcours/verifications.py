"""Small checks shared by the decisions of every partner's facts."""
from __future__ import annotations

from datetime import date

from ambition.parcours import regles
from ambition.parcours.aggregate import Parcours
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


def periode_entreprise(p: Parcours, fait: Fait, nature: str) -> None:
    """A PFMP, stage or immersion that starts: valid SIRET, inside the parcours, no overlap,
    within 2/3 of the parcours."""
    f = fait.payload
    periode_id, debut, fin = f["periode_id"], f["date_debut"], f["date_fin_prevue"]
    regles.siret_entreprise(f["siret"], siret_valide(f["siret"]))
    exiger(periode_id not in p.periodes, f"period {periode_id} was already started")
    exiger(fin >= debut, f"period {periode_id} ends ({fin}) before it starts ({debut})")
    dans_le_parcours(p, f"{nature} {periode_id}", debut, fin)
    regles.sans_chevauchement(periode_id, debut, fin, p.autres_periodes())
    regles.pfmp_deux_tiers(p.jours_en_entreprise, regles.jours(debut, fin),
                           p.date_debut, p.date_fin_prevue)


def fin_de_periode(p: Parcours, fait: Fait, natures: tuple[str, ...]) -> None:
    """A period that ends: known, of the right kind, not ended yet, ends after its start;
    an extension is checked again against overlap and 2/3."""
    periode_id, fin = fait.payload["periode_id"], fait.payload["date_fin"]
    periode = p.periodes.get(periode_id)
    exiger(periode is not None and periode["nature"] in natures,
           f"no {'/'.join(natures)} period {periode_id} in this parcours")
    exiger(not periode["terminee"], f"period {periode_id} has already ended")
    exiger(fin >= periode["date_debut"], f"period {periode_id} ends ({fin}) before it starts "
                                         f"({periode['date_debut']})")
    dans_le_parcours(p, f"end of period {periode_id}", fin)
    regles.sans_chevauchement(periode_id, periode["date_debut"], fin,
                              p.autres_periodes(sauf=periode_id))
    autres = p.jours_en_entreprise - regles.jours(periode["date_debut"], periode["date_fin"])
    regles.pfmp_deux_tiers(autres, regles.jours(periode["date_debut"], fin),
                           p.date_debut, p.date_fin_prevue)
