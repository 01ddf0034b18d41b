"""Building CSV exports the way spreadsheets write them."""
from __future__ import annotations

ENTETE = ["ine", "nom", "prénom", "date_naissance", "diplome", "session", "resultat", "en_emploi",
          "en_formation", "consentement_eleve", "consentement_representant_legal", "referent",
          "date_debut", "date_fin_prevue", "boursier", "interne", "fonds_sociaux",
          "accompagnement_handicap"]


def ligne(ine="0123456789A", **change) -> dict:
    row = dict(ine=ine, nom="Lefèvre", prénom="Zoé", date_naissance="14/03/2007", diplome="Bac pro",
               session="2026", resultat="Échec", en_emploi="non", en_formation="non",
               consentement_eleve="oui", consentement_representant_legal="", referent="Mme Hélène Roy",
               date_debut="2026-09-15", date_fin_prevue="09/01/2027", boursier="oui", interne="0",
               fonds_sociaux="false", accompagnement_handicap="non")
    row.update(change)
    return row


def csv_bytes(rows, sep=";", encoding="utf-8", bom=False, entete=ENTETE, crlf=True) -> bytes:
    nl = "\r\n" if crlf else "\n"
    text = nl.join([sep.join(entete)] + [sep.join(r[c] for c in entete) for r in rows]) + nl
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
