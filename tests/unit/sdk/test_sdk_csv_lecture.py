"""CSV import of enrolments: encodings, separators, the error report, idempotent event ids."""
from __future__ import annotations

from datetime import date

import pytest

from ambition.sdk.csv_import import lire
from csv_support import ENTETE, csv_bytes, ligne


def decoded(registry, lecture):
    """The records, their sealed identity opened with the TEST key (as the platform would)."""
    import json
    from ambition.identite.scellement import CLE_DE_TEST, Ouvreur
    ouvreur, out = Ouvreur([CLE_DE_TEST]), []
    for _, value, headers, _ in lecture.messages:
        record = registry.decode(value).record
        record.update(json.loads(ouvreur.ouvrir(record.pop("identite"), dict(headers)["ce_source"].decode())))
        record["date_naissance"] = date.fromisoformat(record["date_naissance"])
        out.append(record)
    return out


@pytest.mark.parametrize("sep,encoding,bom", [(";", "utf-8", False), (";", "utf-8", True),
                                              (",", "utf-8", True), (";", "cp1252", False),
                                              (",", "cp1252", False)])
def test_both_encodings_and_both_separators(lycee, registry, sep, encoding, bom):
    data = csv_bytes([ligne(), ligne("1123456789B", nom="Dupont-Aït", date_naissance="2007-01-02")],
                     sep=sep, encoding=encoding, bom=bom)
    lecture = lire(data, lycee)
    assert lecture.erreurs == [] and lecture.separateur == sep and lecture.lignes == 2
    assert lecture.encodage == {"utf-8": "utf-8-sig" if bom else "utf-8", "cp1252": "cp1252"}[encoding]
    first, second = decoded(registry, lecture)
    assert first["nom"] == "Lefèvre" and first["prenom"] == "Zoé" and second["nom"] == "Dupont-Aït"
    assert first["referent"] == "Mme Hélène Roy" and first["diplome"] == "BAC_PRO"
    assert first["resultat_examen"] == "ECHEC" and first["uai"] == "0753268V"
    assert first["date_naissance"] == date(2007, 3, 14) and first["date_fin_prevue"] == date(2027, 1, 9)
    assert first["boursier"] is True and first["interne"] is False
    assert first["consentement_representant_legal"] is None
    assert second["date_naissance"] == date(2007, 1, 2)


def test_the_error_report_names_line_and_column_never_personal_data(lycee):
    rows = [ligne(),                                                      # line 2: fine
            ligne("BAD", date_naissance="31/02/2007"),                    # line 3: two cells
            ligne("2123456789C", date_debut="15/13/2026", resultat="Admis"),  # line 4
            ligne("3123456789D", date_fin_prevue="01/09/2026"),           # line 5: ends before start
            ligne("4123456789E", en_emploi="peut-être"),                  # line 6
            ligne("0123456789A", nom="Autre")]                            # line 7: same élève as 2
    lecture = lire(csv_bytes(rows), lycee)
    report = [str(e) for e in lecture.erreurs]
    assert [(e.ligne, e.colonne) for e in lecture.erreurs] == [
        (3, "date_naissance"), (4, "resultat"), (4, "date_debut"), (5, "date_fin_prevue"),
        (6, "en_emploi"), (7, "ine")]
    assert "line 7, column ine: the same élève as line 2" in report
    assert any("line 5" in r and "DATE_INVALIDE" in r for r in report)
    text = "\n".join(report)
    for secret in ("0123456789A", "BAD", "2123456789C", "Lefèvre", "Autre", "Zoé", "14/03/2007",
                   "31/02/2007", "Hélène"):
        assert secret not in text
    assert [n for n, *_ in lecture.messages] == [2]  # only the good line is built


def test_an_invalid_ine_is_reported_by_the_sdk_check_without_the_value(lycee):
    lecture = lire(csv_bytes([ligne("12345678901")]), lycee)
    assert len(lecture.erreurs) == 1 and lecture.messages == []
    e = lecture.erreurs[0]
    assert (e.ligne, e.colonne) == (2, "ine") and "INE_INVALIDE" in e.message
    assert "12345678901" not in str(e)


def test_header_problems_stop_everything(lycee):
    entete = [c for c in ENTETE if c != "referent"] + ["classe"]
    lecture = lire(csv_bytes([dict(ligne(), classe="T1")], entete=entete), lycee)
    assert lecture.messages == [] and [e.ligne for e in lecture.erreurs] == [1, 1]
    assert "unknown column(s): classe" in str(lecture.erreurs[0])
    assert "missing column(s): referent" in str(lecture.erreurs[1])


def test_headers_are_read_whatever_their_case_and_accents(lycee):
    entete = [c.upper().replace("_", " ") for c in ENTETE]
    lecture = lire(csv_bytes([ligne()], entete=ENTETE).replace(
        csv_bytes([], entete=ENTETE), csv_bytes([], entete=entete)), lycee)
    assert lecture.erreurs == [] and len(lecture.messages) == 1


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(lycee):
    data = csv_bytes([ligne()]) + b";;;;\r\n\r\n" + csv_bytes([ligne("1123456789B", session="26")])[
        len(csv_bytes([])):]
    lecture = lire(data, lycee)
    assert [(e.ligne, e.colonne) for e in lecture.erreurs] == [(5, "session")]


def test_reimport_gives_the_same_event_ids_and_content(lycee, registry):
    data = csv_bytes([ligne(), ligne("1123456789B")])
    a, b = lire(data, lycee), lire(data, lycee)
    ids = lambda lec: [r["envelope"]["event_id"] for r in decoded(registry, lec)]  # noqa: E731
    assert ids(a) == ids(b) and len(set(ids(a))) == 2
    strip = lambda lec: [{k: v for k, v in r.items() if k != "envelope"} for r in decoded(registry, lec)]  # noqa: E731
    assert strip(a) == strip(b)
    other_start = lire(csv_bytes([ligne(date_debut="2026-10-01")]), lycee)
    assert ids(other_start)[0] != ids(a)[0]


def test_a_line_with_a_missing_or_extra_cell_is_reported_and_not_sent(lycee):
    """A spreadsheet that lost the last cell of a line must not send that line with a default
    (here: accompagnement_handicap would silently become False)."""
    good = csv_bytes([ligne()])
    short = good.rstrip(b"\r\n").rsplit(b";", 1)[0] + b"\r\n"  # header + line 2 without its last cell
    extra = good.rstrip(b"\r\n") + b";oui\r\n"
    for data, cells in ((short, len(ENTETE) - 1), (extra, len(ENTETE) + 1)):
        lecture = lire(data, lycee)
        assert lecture.messages == [] and lecture.lignes == 1
        assert [str(e) for e in lecture.erreurs] == [f"line 2: {cells} cells, the header has {len(ENTETE)}"]


def test_each_cell_error_says_what_to_write(lycee):
    """The messages a lycée's secretary reads, one per kind of cell, with the value when it is
    not personal (here: dates of the parcours, yes/no answers, session, result, diploma)."""
    rows = [ligne("0123456789A", date_debut="15/13/2026"),        # line 2
            ligne("1123456789B", date_debut="demain"),            # line 3
            ligne("2123456789C", en_formation="peut-être"),       # line 4
            ligne("3123456789D", session="26"),                   # line 5
            ligne("4123456789E", resultat="Admis"),               # line 6
            ligne("5123456789F", diplome=" "),                    # line 7
            ligne("6123456789G", nom=""),                         # line 8
            ligne("7123456789H", date_naissance="31/02/2007")]    # line 9
    assert [str(e) for e in lire(csv_bytes(rows), lycee).erreurs] == [
        "line 2, column date_debut: '15/13/2026' is not a calendar date",
        "line 3, column date_debut: 'demain' is not a date: write JJ/MM/AAAA or AAAA-MM-JJ",
        "line 4, column en_formation: 'peut-être' is not a yes/no value: write oui/non, 1/0 or true/false",
        "line 5, column session: '26' is not a year (4 digits, e.g. 2026)",
        "line 6, column resultat: 'Admis' is not one of BLOCS_PARTIELS, ECHEC, OBTENU",
        "line 7, column diplome: '' is empty",
        "line 8, column nom: the value is empty",
        "line 9, column date_naissance: the value is not a calendar date"]


def test_optional_columns_blank_or_written_with_spaces(lycee, registry):
    """specialite and mission_locale_pressentie may be left blank (null); a SIRET may be written
    in groups of digits, as on paper."""
    entete = ENTETE + ["specialite", "mission_locale_pressentie"]
    rows = [dict(ligne(), specialite="  Commerce   et vente ", mission_locale_pressentie="130 025 265 00013"),
            dict(ligne("1123456789B"), specialite="", mission_locale_pressentie=" ")]
    lecture = lire(csv_bytes(rows, entete=entete), lycee)
    assert lecture.erreurs == []
    first, second = decoded(registry, lecture)
    assert (first["specialite"], first["mission_locale_pressentie"]) == ("Commerce et vente", "13002526500013")
    assert (second["specialite"], second["mission_locale_pressentie"]) == (None, None)


def test_columns_left_out_of_the_file_take_their_documented_defaults(lycee, registry):
    """Optional columns absent from the header: no bourse, no internat, no fonds sociaux, no
    disability support (never assumed), no spécialité, no guardian's answer, no mission locale."""
    facultatives = {"consentement_representant_legal", "boursier", "interne", "fonds_sociaux",
                    "accompagnement_handicap"}
    entete = [c for c in ENTETE if c not in facultatives]
    lecture = lire(csv_bytes([ligne()], entete=entete), lycee)
    assert lecture.erreurs == []
    r, = decoded(registry, lecture)
    assert (r["boursier"], r["interne"], r["fonds_sociaux"], r["accompagnement_handicap"]) == (False,) * 4
    assert (r["specialite"], r["consentement_representant_legal"], r["mission_locale_pressentie"]) == (None,) * 3


def test_a_lines_event_id_is_the_documented_uuid5(lycee, registry):
    """uuid5(UAI | the lycée's pseudonym of the élève | date_debut) in the import's namespace; the
    pseudonym is also the Kafka key (never the INE: both travel in clear)."""
    import uuid

    lecture = lire(csv_bytes([ligne()]), lycee)
    r, = decoded(registry, lecture)
    espace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ambition-emploi:import-csv:lycee:v1")
    pseudo = lycee.pseudonyme("0123456789A")
    assert r["envelope"]["event_id"] == str(uuid.uuid5(espace, f"0753268V|{pseudo}|2026-09-15"))
    assert lecture.messages[0][3] == pseudo.encode()


def test_encodings_a_byte_cp1252_does_not_define_and_an_explicit_encoding(lycee, registry):
    """0x81 is undefined in Windows-1252: the cell gets a replacement character instead of the
    whole file being refused; an encoding given by the user wins over the guess."""
    data = csv_bytes([ligne(nom="Lef\u00e8vre")], encoding="cp1252").replace(b"Lef\xe8vre", b"Lef\x81vre")
    lecture = lire(data, lycee)
    assert lecture.encodage == "cp1252" and decoded(registry, lecture)[0]["nom"] == "Lef\ufffdvre"
    latin = csv_bytes([ligne()], encoding="latin-1")
    lecture = lire(latin, lycee, encodage="latin-1")
    assert lecture.encodage == "latin-1" and decoded(registry, lecture)[0]["prenom"] == "Zoé"


def test_separators_tab_and_default_and_a_header_given_twice(lycee):
    tab = csv_bytes([ligne()], sep="\t")
    lecture = lire(tab, lycee)
    assert lecture.separateur == "\t" and lecture.erreurs == []
    assert lire(b"", lycee).separateur == ";"
    assert [str(e) for e in lire(b"", lycee).erreurs] == [
        "line 1: missing column(s): ine, nom, prenom, date_naissance, diplome, session, resultat, en_emploi, "
        "en_formation, consentement_eleve, referent, date_debut, date_fin_prevue (see docs/partenaires.md)"]
    doubled = csv_bytes([dict(ligne())], entete=ENTETE + ["nom", "referent"])
    assert [str(e) for e in lire(doubled, lycee).erreurs] == [
        "line 1: column(s) given twice: nom, referent (see docs/partenaires.md)"]


def test_column_titles_written_by_hand(lycee):
    from ambition.sdk.csv_import import nom_de_colonne

    assert nom_de_colonne("  Date de naissance ") == "date_naissance"
    assert nom_de_colonne("Résultat_examen") == "resultat"
    assert nom_de_colonne("__Prénom__") == "prenom"
    assert nom_de_colonne("Handicap") == "accompagnement_handicap"
