"""Sealed identity: the published test vectors open with the published TEST key; a value sealed
for one partner or to another key does not open; a rotation accepts the previous key."""
from __future__ import annotations

import json
import re

import pytest

from ambition.config import ROOT
from ambition.identite import scellement
from ambition.identite.scellement import Illisible, Ouvreur

DOC = (ROOT / "docs" / "contrats.md").read_text()


def published(label: str) -> str:
    return re.search(label, DOC).group(1)


def test_the_published_vectors_open_with_the_published_test_key():
    private = published(r"TEST private key \(base64, raw X25519\): `([^`]+)`")
    public = published(r"its public key: `([^`]+)`")
    assert scellement.publique(private) == public
    subject = published(r"\n    (hpke1\.[^\n]+)\n")
    identite = bytes.fromhex("".join(re.search(r"`identite` \(hex\).*?\n\n((?:    [0-9a-f]+\n)+)", DOC,
                                               re.S).group(1).split()))
    ouvreur = Ouvreur([private])
    # the known answers, written out by hand in the page
    assert ouvreur.ine_du_sujet(subject, "lycee:0753268V") == "0123456789" + "A"
    assert json.loads(ouvreur.ouvrir(identite, "lycee:0753268V")) == {
        "accompagnement_handicap": False, "date_naissance": "2006-03-14", "ine": "0123456789" + "A",
        "nom": "Martin", "prenom": "Lina"}
    assert len(identite) == 32 + len(json.dumps(json.loads(ouvreur.ouvrir(identite, "lycee:0753268V")),
                                               sort_keys=True).encode()) + 16  # enc ‖ ct ‖ tag


def test_a_value_sealed_for_one_partner_does_not_open_as_another():
    blob = scellement.sceller(scellement.CLE_PUBLIQUE_DE_TEST, b"x", "lycee:0753268V")
    with pytest.raises(Illisible):
        Ouvreur([scellement.CLE_DE_TEST]).ouvrir(blob, "lycee:0010001W")


def test_a_rotation_accepts_the_previous_key_and_then_forgets_it():
    import base64
    import os
    nouvelle = base64.b64encode(os.urandom(32)).decode()
    ancien = scellement.sceller(scellement.CLE_PUBLIQUE_DE_TEST, b"avant", "ml:13002526500013")
    neuf = scellement.sceller(scellement.publique(nouvelle), b"apres", "ml:13002526500013")
    pendant = Ouvreur.depuis(f"{nouvelle},{scellement.CLE_DE_TEST}")
    assert pendant.ouvrir(ancien, "ml:13002526500013") == b"avant"
    assert pendant.ouvrir(neuf, "ml:13002526500013") == b"apres"
    with pytest.raises(Illisible):
        Ouvreur.depuis(nouvelle).ouvrir(ancien, "ml:13002526500013")
