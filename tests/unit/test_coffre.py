"""The identity cipher: records in the event store, data keys in the key store (in memory)."""
from __future__ import annotations

import json
import os
import struct
import uuid
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from ambition.config import DEV_CIPHER_KEY
from ambition.identite.cles import MEMOIRE, Trousseau
from ambition.identite.coffre import Coffre

IDENTITE = {"ine": "1234567890A", "nom": "Durand", "prenom": "Léa",
            "date_naissance": date(2008, 5, 1), "accompagnement_handicap": False}


def test_le_record_ne_contient_pas_la_cle_et_se_lit_avec_celle_du_trousseau():
    coffre, pid = Coffre(DEV_CIPHER_KEY, Trousseau(MEMOIRE)), uuid.uuid4()
    record = coffre.chiffrer({pid: IDENTITE})[pid]
    enveloppe = coffre.trousseau.lire(pid)
    assert enveloppe is not None and enveloppe not in record
    assert coffre.dechiffrer(pid, record) == IDENTITE


def test_un_eleve_qui_a_deja_une_cle_la_garde():
    """A batch retried after a conflict, or a rival processor, encrypts under the same key:
    the record committed by either one stays readable."""
    coffre, pid = Coffre(DEV_CIPHER_KEY, Trousseau(MEMOIRE)), uuid.uuid4()
    premier = coffre.chiffrer({pid: IDENTITE})[pid]
    enveloppe = coffre.trousseau.lire(pid)
    second = coffre.chiffrer({pid: IDENTITE})[pid]
    assert coffre.trousseau.lire(pid) == enveloppe
    assert coffre.dechiffrer(pid, premier) == coffre.dechiffrer(pid, second) == IDENTITE


def test_un_lot_de_plus_de_500_eleves_depose_et_rend_la_cle_de_chacun():
    """The key store answers a large batch by slices: every élève gets its own key back,
    the one it had already for those that had one."""
    trousseau = Trousseau(MEMOIRE)
    anciens = {uuid.uuid4(): os.urandom(60) for _ in range(3)}
    trousseau.deposer(anciens)
    nouvelles = {uuid.uuid4(): os.urandom(60) for _ in range(1201)}
    rendues = trousseau.deposer({**nouvelles, **{pid: b"autre" for pid in anciens}})
    assert rendues == {**nouvelles, **anciens}
    assert all(trousseau.lire(pid) == e for pid, e in {**nouvelles, **anciens}.items())


def test_oublier_detruit_la_cle_et_toute_copie_du_record_devient_illisible():
    coffre, pid = Coffre(DEV_CIPHER_KEY, Trousseau(MEMOIRE)), uuid.uuid4()
    copie = coffre.chiffrer({pid: IDENTITE})[pid]
    coffre.oublier(pid)
    assert coffre.trousseau.lire(pid) is None and coffre.dechiffrer(pid, copie) is None


def test_un_record_ne_se_lit_pas_comme_celui_d_un_autre_eleve():
    coffre, a, b = Coffre(DEV_CIPHER_KEY, Trousseau(MEMOIRE)), uuid.uuid4(), uuid.uuid4()
    record = coffre.chiffrer({a: IDENTITE})[a]
    coffre.trousseau.deposer({b: coffre.trousseau.lire(a)})  # same key: only the parcours differs
    with pytest.raises(InvalidTag):
        coffre.dechiffrer(b, record)


def test_un_record_d_avant_le_trousseau_cle_incluse_se_lit_encore():
    maitre = AESCipher(Environment("t", {"CIPHER_KEY": DEV_CIPHER_KEY}))
    cle, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    clair = json.dumps({**IDENTITE, "date_naissance": "2008-05-01"}, sort_keys=True).encode()
    enveloppe = maitre.encrypt(cle)
    ancien = struct.pack(">H", len(enveloppe)) + enveloppe + nonce + AESGCM(cle).encrypt(nonce, clair, None)
    assert Coffre(DEV_CIPHER_KEY, Trousseau(MEMOIRE)).dechiffrer(uuid.uuid4(), ancien) == IDENTITE


def test_ambition_reenvelopper_demande_l_ancienne_cle_et_ne_change_rien_si_elle_est_fausse(
        tmp_path, monkeypatch, capsys):
    from ambition.identite import commands

    pid, ancienne = uuid.uuid4(), Coffre(DEV_CIPHER_KEY, Trousseau(tmp_path / "cles.sqlite"))
    record = ancienne.chiffrer({pid: IDENTITE})[pid]
    ancienne.close()
    nouvelle = AESCipher.create_key(32)
    monkeypatch.setenv("AMBITION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("AMBITION_CIPHER_KEY", nouvelle)
    monkeypatch.setattr(commands.getpass, "getpass", lambda prompt: nouvelle)
    assert commands._reenvelopper(None) == 1 and "nothing was changed" in capsys.readouterr().err
    monkeypatch.setattr(commands.getpass, "getpass", lambda prompt: DEV_CIPHER_KEY)
    assert commands._reenvelopper(None) == 0 and "1 data keys" in capsys.readouterr().out
    assert Coffre(nouvelle, Trousseau(tmp_path / "cles.sqlite")).dechiffrer(pid, record) == IDENTITE
