"""An enrolment of a schema version that carried the identity in clear (v1, v2) is refused
IDENTITE_EN_CLAIR, and nothing of it is kept: the rejected-topic document has no original
bytes, nothing is parked or stored, and the INE, names and birth date appear in no document the
platform writes. Real broker, real PostgreSQL event store."""
from __future__ import annotations

import json
import random
from datetime import date

import psycopg
import pytest

from ambition.contracts import signing
from ambition.exchange.cohorte import RENTREE, TODAY
from ambition.ingest.parking import A_ENVOYER, PARQUE
from ambition.simulator import inscription

pytestmark = pytest.mark.integration
UAI = "0753268V"


def en_clair_v2(producteur, registry, champs: dict) -> tuple[bytes, list]:
    """The enrolment as a v2 writer would send it: identity fields in the record, signed."""
    valeur, entetes = producteur.build("EleveInscrit", champs["ine"], dict(champs))
    record = registry.decode(valeur).record
    record.pop("identite")
    record.update({k: champs[k] for k in ("ine", "nom", "prenom", "date_naissance",
                                          "accompagnement_handicap")})
    v2 = registry.encode("ambition.lycee.EleveInscrit", record, version=2)
    entetes = [(k, v) for k, v in entetes if k != signing.SIGNATURE_HEADER]
    return v2, entetes + [(signing.SIGNATURE_HEADER,
                           signing.sign(producteur.credentials.private_key, v2, entetes))]


def test_a_clear_identity_enrolment_is_refused_and_nothing_of_it_is_kept(
        enregistreur, processor_factory, registry, settings):
    lycee = enregistreur.producteurs[f"lycee:{UAI}"]
    champs, _ = inscription(random.Random(8), UAI, RENTREE, TODAY)
    champs.update(uai=UAI, nom="Zébulon-Testeur", prenom="Anatole", date_naissance=date(2008, 2, 29))
    valeur, entetes = en_clair_v2(lycee, registry, champs)
    assert champs["ine"].encode() in valeur  # the message does carry the identity in clear
    enregistreur.kafka.send(lycee.topic, value=valeur, key=b"k" * 32, headers=entetes)
    lot = processor_factory().handle(enregistreur.nouveaux())

    assert [(o.statut, o.reason) for o in lot.outcomes] == [("refuse", "IDENTITE_EN_CLAIR")]
    (envoi,) = lot.envois
    document = json.loads(envoi.document)
    assert document["reason"] == "IDENTITE_EN_CLAIR" and not document.get("original")
    ecrits = envoi.document + envoi.key + json.dumps(
        [o.__dict__ for o in lot.outcomes], default=str).encode()
    proc = processor_factory()
    assert proc.attente.compte(PARQUE) == 0 and proc.attente.compte(A_ENVOYER) <= 1
    with psycopg.connect(settings.event_store) as conn:  # every table of the event store's database
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            for ligne in conn.execute(f'SELECT * FROM "{table}"'):
                ecrits += repr(ligne).encode()
    for secret in (champs["ine"], "Zébulon-Testeur", "Anatole", "2008-02-29", "13938"):
        assert secret.encode() not in ecrits, secret
    assert proc.app.parcours(lycee.cle(champs["ine"])) is None
