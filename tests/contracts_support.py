"""Shared by the contract tests (unit and integration): schemas, demo partners in a tmp dir, producers."""
from __future__ import annotations

from datetime import date

import pytest

from ambition.config import ROOT, Settings
from ambition.contracts.codec import Registry
from ambition.contracts.partners import PartnerDirectory, demo_partners
from ambition.sdk import LyceeProducer
from ambition.sdk.foquale import FoqualeProducer
from ambition.sdk.missionlocale import MissionLocaleProducer

SCHEMAS = ROOT / "schemas"


class FakeKafkaProducer:
    """Records what would be sent; ``send`` returns a completed future-like object."""

    def __init__(self):
        self.sent: list[dict] = []

    def send(self, topic, value=None, key=None, headers=None):
        self.sent.append(dict(topic=topic, value=value, key=key, headers=headers))
        return self

    def get(self, timeout=None):
        return len(self.sent) - 1

    def flush(self):
        pass

    def close(self):
        pass


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.load(SCHEMAS)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(var_dir=tmp_path / "var",
                    schemas_dir=SCHEMAS)


@pytest.fixture
def creds(settings):
    return {c.partner_id: c for c in demo_partners(settings)}


@pytest.fixture
def directory(settings, creds) -> PartnerDirectory:
    return PartnerDirectory.load(settings)


def _producer(cls, settings, registry, partner_id, creds):
    return cls(creds[partner_id], settings=settings, registry=registry, producer=FakeKafkaProducer())


@pytest.fixture
def lycee(settings, registry, creds) -> LyceeProducer:
    return _producer(LyceeProducer, settings, registry, "lycee:0753268V", creds)


@pytest.fixture
def ml(settings, registry, creds) -> MissionLocaleProducer:
    return _producer(MissionLocaleProducer, settings, registry, "ml:13002526500013", creds)


@pytest.fixture
def foquale(settings, registry, creds) -> FoqualeProducer:
    return _producer(FoqualeProducer, settings, registry, "foquale:ac-paris", creds)


INSCRIPTION = dict(
    ine="0123456789A", nom="Martin", prenom="Lina", date_naissance=date(2006, 3, 14), diplome="BAC_PRO",
    session_examen=2025, resultat_examen="ECHEC", en_emploi=False, en_formation=False,
    consentement_eleve=True, referent="M. Durand", date_debut=date(2025, 9, 15),
    date_fin_prevue=date(2026, 1, 9), boursier=True)


def resceller(producer, record: dict, **changes) -> dict:
    """``record`` (a decoded EleveInscrit v3) with its sealed identity changed as a partner
    bypassing the SDK would: opened with the TEST key, changed, sealed again."""
    import json
    from ambition.identite import scellement
    clair = json.loads(scellement.Ouvreur([scellement.CLE_DE_TEST]).ouvrir(
        record["identite"], producer.credentials.partner_id))
    clair.update({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in changes.items()})
    out = dict(record)
    out["identite"] = scellement.sceller(scellement.CLE_PUBLIQUE_DE_TEST, json.dumps(clair).encode(),
                                         producer.credentials.partner_id)
    return out


def bad_inputs(lycee, ml, registry, cle: str) -> dict[str, tuple[bytes, list]]:
    """One bad message per reason code of the reading edge: {code: (value, headers)}, all on the
    lycée topic. ``ml`` is a MissionLocaleProducer (its event does not belong on that topic)."""
    from ambition.contracts import signing
    from ambition.contracts.codec import MAGIC

    good, headers = lycee.build("PfmpTerminee", cle, dict(periode_id="p", date_fin=date(2025, 11, 1)))

    def resigned(value, h):
        h = [(k, v) for k, v in h if k != signing.SIGNATURE_HEADER]
        return h + [(signing.SIGNATURE_HEADER, signing.sign(lycee.credentials.private_key, value, h))]

    record = registry.decode(good).record
    pfmp = registry.encode("ambition.lycee.PfmpDebutee", {**record, "siret": "44321868900019",
                           "date_debut": date(2025, 10, 1), "date_fin_prevue": date(2025, 10, 9),
                           "envelope": {**record["envelope"], "type": "ambition.lycee.PfmpDebutee"}})
    pfmp_headers = [(k, b"ambition.lycee.PfmpDebutee" if k == "ce_type" else v) for k, v in headers]
    forged = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
    forged.append((signing.SIGNATURE_HEADER, signing.sign(signing.new_key_pair()[0], good, forged)))
    pacea, pacea_headers = ml.build("PaceaSigne", cle, dict(date_signature=date(2025, 10, 2)))
    return {
        "MESSAGE_TRONQUE": (good[:7], headers),
        "MAGIQUE_INVALIDE": (b"\x00\x01" + good[2:], headers),
        "SCHEMA_INCONNU": (MAGIC + b"\xff" * 8 + good[10:], headers),
        "DECODAGE_IMPOSSIBLE": (good[:12], resigned(good[:12], headers)),
        "SIGNATURE_INVALIDE": (good, forged),
        "TYPE_HORS_TOPIC": (pacea, pacea_headers),
        "SIRET_INVALIDE": (pfmp, resigned(pfmp, pfmp_headers)),
    }
