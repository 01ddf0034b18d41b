import json

import pytest

from ambition.contracts import signing
from ambition.contracts.identifiants import identifiant_valide
from ambition.contracts.partners import PartnerDirectory, PartnerError, add_partner, demo_partners


def test_add_partner_returns_the_key_once(settings):
    pid, private = add_partner(settings, "LYCEE", "0010001W")
    assert pid == "lycee:0010001W"
    entry = json.loads(settings.partners_file.read_text())[0]
    assert entry == {"id": pid, "type": "LYCEE", "identifiant": "0010001W",
                     "public_key": signing.public_key_of(private)}
    assert private not in settings.partners_file.read_text()
    with pytest.raises(PartnerError, match="already registered"):
        add_partner(settings, "LYCEE", "0010001W")


@pytest.mark.parametrize("ptype,ident,msg", [
    ("LYCEE", "0010001A", "UAI"), ("MISSION_LOCALE", "123", "SIRET"), ("FOQUALE", "Ac Paris!", "code"),
    ("CFA", "x", "expected one of"),
])
def test_add_partner_checks_the_identifier(settings, ptype, ident, msg):
    with pytest.raises(PartnerError, match=msg):
        add_partner(settings, ptype, ident)


def test_demo_partners_are_idempotent_and_valid(settings):
    first = demo_partners(settings)
    assert [c.type for c in first].count("LYCEE") == 12
    assert [c.type for c in first].count("MISSION_LOCALE") == 4
    assert [c.type for c in first].count("FOQUALE") == 2
    assert all(identifiant_valide(c.type, c.identifiant) for c in first)
    assert len({c.identifiant[:3] for c in first if c.type == "LYCEE"}) >= 10  # several académies
    before = settings.partners_file.read_text()
    assert demo_partners(settings) == first and settings.partners_file.read_text() == before
    directory = PartnerDirectory.load(settings)
    assert len(directory) == 18
    assert directory.get("lycee:0753268V").public_key == signing.public_key_of(first[0].private_key)
    assert (settings.var_dir / "keys" / "lycee_0753268V.key").stat().st_mode & 0o077 == 0


def test_demo_partners_keep_other_partners(settings):
    pid, _ = add_partner(settings, "FOQUALE", "ac-lille")
    demo_partners(settings)
    assert PartnerDirectory.load(settings).get(pid) is not None
