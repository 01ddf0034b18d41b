from ambition.contracts.identifiants import cle_valide, ine_valide, siret_valide, uai_valide


def test_uai():
    assert uai_valide("0010001W") and uai_valide("0753268V")
    assert not uai_valide("0753268A")  # wrong key letter
    assert not uai_valide("075326V") and not uai_valide("0753268v") and not uai_valide(None)


def test_siret_luhn():
    assert siret_valide("13002526500013") and siret_valide("44321868900018")
    assert not siret_valide("44321868900019")
    assert not siret_valide("4432186890001") and not siret_valide("4432186890001A")


def test_ine():
    assert ine_valide("0123456789A") and ine_valide("ABCDEFGHIJK")
    assert not ine_valide("0123456789") and not ine_valide("01234567890") and not ine_valide("0123456789a")


def test_cle():
    assert cle_valide("0" * 32) and not cle_valide("0" * 31) and not cle_valide("G" * 32)
