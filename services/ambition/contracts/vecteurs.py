"""The published test vectors (docs/vecteurs/): what a client in any language checks itself with.

- ``schemas.json``: every schema version's Parsing Canonical Form and CRC-64-AVRO fingerprint,
  in both hex conventions: ``empreinte_octets`` the 8 bytes as they appear in a message
  (little-endian), ``empreinte_long`` the 64-bit value as Java's ``parsingFingerprint64`` returns
  it, printed big-endian (``Long.toHexString``);
- ``partenaires.json``: the vectors' partners and their test keys (RFC 8032 section 7.1 keys 1
  and 2; published, so never registered on a real platform);
- ``messages/*.json``: signed messages with their exact bytes (key, value, headers, and the bytes
  the signature covers), the record they carry, and the verdict of the reading edge (opening
  sealed identities with the TEST identity key of ``identite.json``);
- ``identite.json``: the sealed-identity known answers of docs/contrats.md (HPKE suite, TEST
  X25519 key pair, ``info``, a sealed subject and a sealed ``identite`` with the SHA-256 of
  their plaintexts: no synthetic INE, name or birth date is published in clear).

``python -m ambition.contracts.vecteurs`` rewrites docs/vecteurs/ from the schemas; the suite
checks the files are current and that each verdict holds (tests/unit/contracts/test_vecteurs.py).
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, timezone
from pathlib import Path

from fastavro.schema import to_parsing_canonical_form

from ambition.config import ROOT

from ambition.identite import scellement, vecteurs as scelles
from ambition.identite.scellement import Ouvreur

from . import signing
from .codec import MAGIC, Registry, crc64_fingerprint

DOSSIER = ROOT / "docs" / "vecteurs"
# RFC 8032, 7.1, TEST 1 and TEST 2 secret keys (raw 32 bytes): public test keys, never real ones
CLES = {"lycee:0753268V": ("LYCEE", "0753268V",
                           "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
        "ml:13002526500013": ("MISSION_LOCALE", "13002526500013",
                              "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")}
TOPICS = {"LYCEE": "ambition.partenaires.lycee", "MISSION_LOCALE": "ambition.partenaires.missionlocale"}
CLE = "parcours:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"  # a parcours addressed by its reference
TIME = datetime(2026, 10, 5, 8, 30, 0, 123000, tzinfo=timezone.utc)


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _prive(pid: str) -> str:
    return _b64(bytes.fromhex(CLES[pid][2]))


def partenaires() -> list[dict]:
    return [{"id": pid, "type": t, "identifiant": i, "public_key": signing.public_key_of(_prive(pid)),
             "private_key_test_only": _prive(pid)} for pid, (t, i, _) in CLES.items()]


def schemas(registry: Registry) -> list[dict]:
    out = []
    for fullname in registry.fullnames():
        for v in registry.versions(fullname):
            sv = registry.schema(fullname, v)
            fp = crc64_fingerprint(sv.raw)
            out.append({"nom": fullname, "version": v, "fichier": str(sv.path.relative_to(ROOT)),
                        "forme_canonique": to_parsing_canonical_form(sv.raw),
                        "empreinte_octets": fp.hex(),
                        "empreinte_long": f"{int.from_bytes(fp, 'little'):016x}"})
    return out


def _sha256(texte: bytes) -> str:
    return hashlib.sha256(texte).hexdigest()


def identite() -> dict:
    """The sealed-identity vectors: what any HPKE implementation must open, and the SHA-256 of
    what it opens to. The plaintexts themselves (a synthetic élève's INE, names and birth date)
    are not published: an identity travels sealed, and a client checks its opening by digest."""
    sujet = scelles.SUJET.split(".")
    ine = Ouvreur([scellement.CLE_DE_TEST]).ine_du_sujet(scelles.SUJET, scelles.PARTENAIRE)
    return {"description": "Sealed identity (docs/contrats.md): HPKE RFC 9180 base mode, single shot; "
                           "sealed value = enc (32 bytes) || ciphertext; aad empty. TEST keys: never "
                           "in production.",
            "suite": {"mode": 0, "kem_id": 0x0020, "kdf_id": 0x0001, "aead_id": 0x0001,
                      "kem": "DHKEM(X25519, HKDF-SHA256)", "kdf": "HKDF-SHA256", "aead": "AES-128-GCM"},
            "cle_privee_test_only": scellement.CLE_DE_TEST, "cle_publique": scellement.CLE_PUBLIQUE_DE_TEST,
            "partenaire": scelles.PARTENAIRE, "info": scellement.info(scelles.PARTENAIRE).decode(),
            "sujet": {"valeur": scelles.SUJET, "pseudo": sujet[1], "ine_sha256": _sha256(ine.encode())},
            "identite": {"scelle_hex": scelles.IDENTITE_HEX,
                         "clair_sha256": _sha256(scelles.IDENTITE_CLAIRE),
                         "clair_champs": sorted(json.loads(scelles.IDENTITE_CLAIRE))}}


def _json(v):
    if isinstance(v, bytes):
        return {"bytes_hex": v.hex()}
    if isinstance(v, datetime):
        return {"timestamp-millis": int(v.timestamp() * 1000), "iso": v.isoformat()}
    if isinstance(v, date):
        return {"date": (v - date(1970, 1, 1)).days, "iso": v.isoformat()}
    if isinstance(v, dict):
        return {k: _json(x) for k, x in v.items()}
    return v


def _message(registry, nom, description, pid, fullname, champs, verdict, *, event_id,
             topic=None, alterer=None, headers_extra=None, ce_id=None, subject=CLE,
             key=CLE) -> tuple[str, dict]:
    ptype = CLES[pid][0]
    envelope = {"event_id": event_id, "source": pid, "type": fullname, "time": TIME, "subject": subject}
    record = {"envelope": envelope, **champs}
    value = registry.encode(fullname, record)
    headers = [(signing.PARTNER_HEADER, pid.encode()), ("ce_id", (ce_id or event_id).encode()),
               ("ce_source", pid.encode()), ("ce_type", fullname.encode()),
               ("ce_time", b"2026-10-05T08:30:00.123Z"), ("ce_specversion", b"1.0"),
               ("content-type", b"application/avro")] + list(headers_extra or [])
    signe = signing.signed_bytes(value, headers)
    headers.append((signing.SIGNATURE_HEADER, signing.sign(_prive(pid), value, headers)))
    if alterer is not None:
        value = alterer(value)
    return nom, {
        "description": description, "partenaire": pid, "topic": topic or TOPICS[ptype],
        "key": _b64(key.encode()), "value": _b64(value), "value_hex": value.hex(),
        "headers": [[n, _b64(v)] for n, v in headers],
        "octets_signes_hex": signe.hex(), "enregistrement": _json(record),
        "verdict_attendu": verdict}


def messages(registry: Registry) -> dict[str, dict]:
    activite = {"activite": "CONSOLIDATION_ACQUIS", "date": date(2026, 10, 2), "duree_heures": 6}
    accueil = {"siret": "13002526500013", "conseiller": "C-042", "date": date(2026, 10, 1)}
    lyc, ml = "lycee:0753268V", "ml:13002526500013"
    act, acc = "ambition.lycee.ActiviteLyceeRealisee", "ambition.missionlocale.AccueilRealise"
    flip = lambda v: v[:-1] + bytes([v[-1] ^ 0x01])  # noqa: E731
    inscription = {"identite": bytes.fromhex(scelles.IDENTITE_HEX), "uai": "0753268V", "diplome": "BAC_PRO",
                   "specialite": None, "session_examen": 2026, "resultat_examen": "OBTENU",
                   "en_emploi": False, "en_formation": False, "consentement_eleve": True,
                   "consentement_representant_legal": None, "referent": "M. Durand",
                   "mission_locale_pressentie": None, "date_debut": date(2026, 9, 15),
                   "date_fin_prevue": date(2027, 1, 8), "boursier": False, "interne": False,
                   "fonds_sociaux": False}
    cas = [
        _message(registry, "eleve-inscrit", "A lycée's enrolment (EleveInscrit v3): the subject is "
                 "the élève's INE sealed, the identity sealed in `identite` (identite.json opens both "
                 "with the TEST identity key); the Kafka key is the lycée's pseudonym of the élève.",
                 lyc, "ambition.lycee.EleveInscrit", inscription, {"statut": "accepte", "code": None},
                 event_id="5e2b9c4d-1a3f-4e6b-8c7d-9e0f1a2b3c4d", subject=scelles.SUJET,
                 key=scelles.SUJET.split(".")[1]),
        _message(registry, "activite-lycee", "A lycée's activity, signed: the reading edge accepts it "
                 "(the parcours rules then need the parcours to exist).", lyc, act, activite,
                 {"statut": "accepte", "code": None}, event_id="7d3c1f0e-2b4a-4c8e-9f10-1a2b3c4d5e6f"),
        _message(registry, "accueil-mission-locale", "A mission locale's accueil, signed.", ml, acc,
                 accueil, {"statut": "accepte", "code": None},
                 event_id="0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"),
        _message(registry, "signature-invalide", "The activity with its last byte changed after "
                 "signing.", lyc, act, activite, {"statut": "refuse", "code": "SIGNATURE_INVALIDE"},
                 event_id="7d3c1f0e-2b4a-4c8e-9f10-1a2b3c4d5e70", alterer=flip),
        _message(registry, "magique-invalide", "The activity without the C3 01 marker.", lyc, act,
                 activite, {"statut": "refuse", "code": "MAGIQUE_INVALIDE"},
                 event_id="7d3c1f0e-2b4a-4c8e-9f10-1a2b3c4d5e71", alterer=lambda v: b"\x00\x01" + v[2:]),
        _message(registry, "schema-inconnu", "A fingerprint no released schema has.", lyc, act, activite,
                 {"statut": "refuse", "code": "SCHEMA_INCONNU"}, event_id="7d3c1f0e-2b4a-4c8e-9f10-1a2b3c4d5e72",
                 alterer=lambda v: MAGIC + bytes(8) + v[10:]),
        _message(registry, "ce-id-different", "Signed, but the ce_id header is not the envelope's "
                 "event_id.", lyc, act, activite, {"statut": "refuse", "code": "ENVELOPPE_INVALIDE"},
                 event_id="7d3c1f0e-2b4a-4c8e-9f10-1a2b3c4d5e73", ce_id="7d3c1f0e-2b4a-4c8e-9f10-1a2b3c4d5e74"),
        _message(registry, "type-hors-topic", "A mission locale's accueil sent on the lycée topic.", ml,
                 acc, accueil, {"statut": "refuse", "code": "TYPE_HORS_TOPIC"},
                 event_id="0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6f", topic=TOPICS["LYCEE"]),
    ]
    return dict(cas)


def fichiers(registry: Registry) -> dict[str, str]:
    """Relative path -> content of every vector file."""
    dump = lambda x: json.dumps(x, indent=2, ensure_ascii=False) + "\n"  # noqa: E731
    out = {"schemas.json": dump(schemas(registry)), "partenaires.json": dump(partenaires()),
           "identite.json": dump(identite())}
    out.update({f"messages/{nom}.json": dump(m) for nom, m in messages(registry).items()})
    return out


def ecrire(dossier: Path = DOSSIER) -> list[Path]:
    from ambition.config import Settings

    written = []
    for rel, content in fichiers(Registry.load(Settings().schemas_dir)).items():
        path = dossier / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in ecrire():
        print(f"wrote {p.relative_to(ROOT)}")
