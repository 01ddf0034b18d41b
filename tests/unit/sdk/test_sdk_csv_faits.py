"""The facts import of a mission locale and of a Foquale/MLDS network: one fact a line, read by
the schema's types, checked by the SDK, each error named by line and column."""
from __future__ import annotations

from datetime import date

from ambition.contracts.codec import Registry
from ambition.sdk.csv_faits import lire
from contracts_support import SCHEMAS

CLE = "parcours:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
ENTETE = "evenement;parcours;conseiller;date;date_signature;activite;participants;issue;detail;siret"


def decode(value: bytes) -> dict:
    return Registry.load(SCHEMAS).decode(value).record


def test_a_mission_locales_file_gives_one_signed_fact_a_line(ml):
    texte = "\n".join([ENTETE,
                       f"AccueilRealise;{CLE};C-042;01/10/2026;;;;;;",
                       f"PaceaSigne;{CLE};;;2026-10-03;;;;;",
                       f"Activite Mission Locale Realisee;{CLE};;05/10/2026;;Atelier TRE;;;;",
                       f"BilanRealise;{CLE};;20/11/2026;;;jeune|conseiller ml+referent parcours;Emploi;;"])
    lecture = lire(texte.encode(), ml)
    assert lecture.erreurs == [] and lecture.lignes == 4
    records = [decode(v) for _, v, _, _ in lecture.messages]
    assert [r["envelope"]["type"].rsplit(".", 1)[1] for r in records] == \
        ["AccueilRealise", "PaceaSigne", "ActiviteMissionLocaleRealisee", "BilanRealise"]
    assert records[0]["siret"] == "13002526500013"  # the mission locale's own by default
    assert (records[0]["conseiller"], records[0]["date"]) == ("C-042", date(2026, 10, 1))
    assert records[2]["activite"] == "ATELIER_TRE"
    assert records[3]["participants"] == ["JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS"]
    assert (records[3]["issue"], records[3]["detail"]) == ("EMPLOI", None)
    assert all(k == CLE.encode() for _, _, _, k in lecture.messages)
    again = lire(texte.encode(), ml)  # the same file: the same event ids
    assert [r["envelope"]["event_id"] for r in records] == \
        [decode(v)["envelope"]["event_id"] for _, v, _, _ in again.messages]


def test_each_error_names_its_line_and_column(ml):
    texte = "\n".join([ENTETE,
                       f"AccueilRealise;{CLE};;01/10/2026;;;;;;",          # conseiller missing
                       f"PaceaSigne;{CLE};;;31/02/2026;;;;;",             # no such date
                       f"StageInconnu;{CLE};;;;;;;;",                      # not an event
                       f"PaceaSigne;{CLE};C-1;;2026-10-03;;;;;",           # a field PaceaSigne has not
                       f"ActiviteMissionLocaleRealisee;{CLE};;05/10/2026;;YOGA;;;;",
                       "PaceaSigne;pas-une-cle;;;2026-10-03;;;;;"])
    lecture = lire(texte.encode(), ml)
    assert lecture.messages == []
    assert [(e.ligne, e.colonne) for e in lecture.erreurs] == [
        (2, "conseiller"), (3, "date_signature"), (4, "evenement"), (5, "conseiller"), (6, "activite"),
        (7, "parcours")]
    assert "SUJET_INVALIDE" in str(lecture.erreurs[-1])


def test_a_foquale_file_and_an_unknown_column(foquale):
    ok = lire(("evenement;parcours;date;solution_id;solution\n"
               f"PositionnementRealise;{CLE};02/10/2026;;\n"
               f"SolutionProposee;{CLE};03/10/2026;sol-1;Remobilisation\n").encode(), foquale)
    assert ok.erreurs == [] and [decode(v)["envelope"]["type"] for _, v, _, _ in ok.messages] == \
        ["ambition.foquale.PositionnementRealise", "ambition.foquale.SolutionProposee"]
    bad = lire(f"evenement;parcours;couleur\nPositionnementRealise;{CLE};bleu\n".encode(), foquale)
    assert [(e.ligne, str(e)) for e in bad.erreurs] == \
        [(1, "line 1: unknown column(s): couleur (see docs/partenaires.md)")]
