"""The read models' tables. Each projection owns its tables; `tracking` is shared bookkeeping."""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, Integer, LargeBinary, MetaData, String,
                        Table, Text)

metadata = MetaData()

# One row per parcours: what every actor's view is computed from. No INE, no name, no birth
# date here; health data never reaches the read side.
parcours = Table(
    "vue_parcours", metadata,
    Column("parcours_id", String(36), primary_key=True),
    Column("cle", String(64), nullable=False, index=True),
    Column("version", Integer, nullable=False),  # last applied aggregate version: the dedupe
    Column("numero", Integer, nullable=False, default=1),
    Column("etat", String(20), nullable=False),  # OUVERT | CLOS
    Column("uai", String(8), nullable=False, index=True),
    Column("diplome", String(20)),
    Column("specialite", String(200)),
    Column("referent", String(200)),
    Column("mission_locale", String(14), index=True),
    Column("conseiller", String(200)),
    Column("date_debut", Date),
    Column("date_fin_prevue", Date),
    Column("date_accueil", Date),
    Column("date_derniere_activite", Date),
    Column("jours_pfmp", Integer, nullable=False, default=0),
    Column("pacea", Boolean, nullable=False, default=False),
    Column("issue", String(30)),
    Column("date_cloture", Date),
    Column("boursier", Boolean),
    Column("interne", Boolean),
    Column("fonds_sociaux", Boolean),
    Column("statut_scolaire", Boolean, nullable=False, default=True),
)

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
