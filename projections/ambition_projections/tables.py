"""The read models' shared tables and columns.

Each projection module defines its own tables (generation-suffixed, see `generations`); this
module holds what is shared: `vue_refus` (the rejected store's projection, `refus.py`) and the
columns of a parcours follow-up (`suivi.py`) that several views keep.
"""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Integer, LargeBinary, MetaData,
                        String, Table, Text)

metadata = MetaData()


def colonnes_suivi(*sauf: str) -> list[Column]:
    """Fresh columns of a parcours follow-up (no INE, no name, no birth date, no health data),
    minus `sauf`; the primary key is (`parcours_id`, `numero`): every parcours of an élève is
    its own row, a second one never overwrites the first."""
    cols = [
        Column("parcours_id", String(36), primary_key=True),
        Column("numero", Integer, primary_key=True, autoincrement=False),
        Column("cle", String(64)),
        Column("etat", String(10), nullable=False),  # OUVERT | CLOS
        Column("uai", String(8), nullable=False, index=True),
        Column("mission_locale", String(14), index=True),
        Column("conseiller", String(200)),
        Column("referent", String(200)),
        Column("diplome", String(20)),
        Column("specialite", String(200)),
        Column("date_debut", Date, nullable=False),
        Column("date_fin_prevue", Date, nullable=False),
        Column("date_accueil", Date),
        Column("date_cloture", Date),
        Column("issue", String(30)),
        Column("boursier", Boolean),
        Column("interne", Boolean),
        Column("fonds_sociaux", Boolean),
        Column("statut_scolaire", Boolean, nullable=False),
        Column("pacea", Boolean, nullable=False),
        Column("solution_demarree_le", Date),
        Column("droits_jusqu_au", Date),  # from ParcoursClos: rights in force until that day
        Column("statut_structure_accueil", Boolean),  # from ParcoursClos / IssueCorrigee
        Column("jours_pfmp", Integer),  # days in enterprise, as the domain counted them
        Column("depassement_deux_tiers", Boolean),  # early closure past 2/3 (PFMP_DEUX_TIERS)
        Column("activites", JSON, nullable=False),  # ISO dates, in event order
        Column("periodes", JSON, nullable=False),  # periode_id -> nature, siret, debut, fin, terminee
    ]
    return [c for c in cols if c.name not in sauf]


# Every refusal, once: keyed by the rejected message's identity.
refus = Table(
    "vue_refus", metadata,
    Column("rejet_id", String(200), primary_key=True),
    Column("reason", String(60), nullable=False, index=True),
    Column("message", Text),
    Column("topic", String(200)),
    Column("partition", Integer),
    Column("offset", Integer),
    Column("event_id", String(64)),
    Column("partner", String(100)),
    Column("first_seen", DateTime(timezone=True)),
    Column("original", LargeBinary),
    # issue #6: what a retry needs, and the last retry's result (history: refus.essais)
    Column("kafka_key", LargeBinary),
    Column("headers", Text),  # JSON [[name, base64 value], ...]
    Column("essais", Integer, nullable=False, default=0),
    Column("dernier_resultat", String(80)),  # accepte | doublon | parque | refuse:<CODE>
    Column("dernier_essai", DateTime(timezone=True)),
)
