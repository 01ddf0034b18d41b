from ambition.parcours.identifiants import ine_valide, siret_valide, uai_valide


def test_uai_cle_lettre():
    assert uai_valide("0753268V") and uai_valide("0010001W")
    assert not uai_valide("0753268W") and not uai_valide("753268V") and not uai_valide("0753268v")


def test_siret_luhn():
    assert siret_valide("73282932000074")  # a well-known valid SIRET
    assert not siret_valide("73282932000075")
    assert not siret_valide("7328293200007") and not siret_valide("7328293200007A")


def test_ine_format():
    assert ine_valide("1234567890A") and ine_valide("AB12CD34EFG")
    assert not ine_valide("1234567890") and not ine_valide("12345678901") and not ine_valide("1234567890a")
