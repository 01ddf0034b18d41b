"""Enrolments (EleveInscrit) from a lycée's spreadsheet export, for lycées without an integration.

``lire(data, lycee)`` decodes the file (UTF-8 with or without BOM, else Windows-1252), detects
the separator (``;`` or ``,``) from the header line, parses every cell and runs the SDK's own
checks (``PartnerProducer.build``) on every line. It returns the built messages and a per-line
error report that names the line and the column, and never quotes an INE, a name, a birth date,
a référent or health data. The event_id of a line is derived from the UAI, the parcours key and
date_debut, so importing the same file again sends the same events (the platform drops them).
The columns are documented in docs/partenaires.md.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator

from .base import EvenementInvalide
from .lycee import LyceeProducer

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ambition-emploi:import-csv:lycee:v1")
TRUE, FALSE = {"oui", "o", "1", "true", "vrai", "x"}, {"non", "n", "0", "false", "faux", ""}
RESULTATS = {"OBTENU", "ECHEC", "BLOCS_PARTIELS"}
# cell values that are never repeated in a report (personal or health data)
PERSONNELLES = {"ine", "nom", "prenom", "date_naissance", "referent", "accompagnement_handicap"}
ALIASES = {"session_examen": "session", "resultat_examen": "resultat", "date_de_naissance": "date_naissance",
           "date_fin": "date_fin_prevue", "handicap": "accompagnement_handicap"}


class CelluleInvalide(ValueError):
    pass


def _texte(v: str) -> str:
    if not v.strip():
        raise CelluleInvalide("is empty")
    return " ".join(v.split())


def _date(v: str) -> date:
    v = v.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v) or None
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return date.fromisoformat(v)
    except ValueError:
        raise CelluleInvalide("is not a calendar date") from None
    raise CelluleInvalide("is not a date: write JJ/MM/AAAA or AAAA-MM-JJ")


def _bool(v: str) -> bool:
    s = _sans_accents(v).strip().lower()
    if s in TRUE or s in FALSE:
        return s in TRUE
    raise CelluleInvalide("is not a yes/no value: write oui/non, 1/0 or true/false")


def _bool_ou_vide(v: str) -> bool | None:
    return None if not v.strip() else _bool(v)


def _annee(v: str) -> int:
    if not re.fullmatch(r"\d{4}", v.strip()):
        raise CelluleInvalide("is not a year (4 digits, e.g. 2026)")
    return int(v)


def _code(v: str) -> str:  # "Bac pro" -> BAC_PRO, "Échec" -> ECHEC
    return re.sub(r"[\s.\-]+", "_", _sans_accents(_texte(v)).upper())


def _resultat(v: str) -> str:
    code = _code(v)
    if code not in RESULTATS:
        raise CelluleInvalide(f"is not one of {', '.join(sorted(RESULTATS))}")
    return code


def _optionnel(parse: Callable[[str], object]) -> Callable[[str], object]:
    return lambda v: parse(v) if v.strip() else None


def _siret(v: str) -> str:
    return re.sub(r"\s", "", v)


# column -> (field of EleveInscrit, parser, required)
COLONNES: dict[str, tuple[str, Callable[[str], object], bool]] = {
    "ine": ("ine", lambda v: _texte(v).upper(), True),
    "nom": ("nom", _texte, True),
    "prenom": ("prenom", _texte, True),
    "date_naissance": ("date_naissance", _date, True),
    "diplome": ("diplome", _code, True),
    "specialite": ("specialite", _optionnel(_texte), False),
    "session": ("session_examen", _annee, True),
    "resultat": ("resultat_examen", _resultat, True),
    "en_emploi": ("en_emploi", _bool, True),
    "en_formation": ("en_formation", _bool, True),
    "consentement_eleve": ("consentement_eleve", _bool, True),
    "consentement_representant_legal": ("consentement_representant_legal", _bool_ou_vide, False),
    "referent": ("referent", _texte, True),
    "date_debut": ("date_debut", _date, True),
    "date_fin_prevue": ("date_fin_prevue", _date, True),
    "boursier": ("boursier", _bool, False),
    "interne": ("interne", _bool, False),
    "fonds_sociaux": ("fonds_sociaux", _bool, False),
    "accompagnement_handicap": ("accompagnement_handicap", _bool, False),
    "mission_locale_pressentie": ("mission_locale_pressentie", _optionnel(_siret), False),
}
_COLONNE_DU_CHAMP = {f: c for c, (f, _, _) in COLONNES.items()}
_CODE_COLONNE = {"INE_INVALIDE": "ine", "UAI_INVALIDE": None, "SIRET_INVALIDE": "mission_locale_pressentie"}


@dataclass(frozen=True)
class Erreur:
    ligne: int  # 1 is the header line
    colonne: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.ligne}" + (f", column {self.colonne}" if self.colonne else "") + f": {self.message}"


@dataclass
class Lecture:
    encodage: str = ""
    separateur: str = ""
    lignes: int = 0  # data lines read (blank lines not counted)
    messages: list[tuple[int, bytes, list[tuple[str, bytes]], bytes]] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)


def _sans_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def decoder(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def separateur(entete: str) -> str:
    """The header names hold neither ';' nor ',': the one the header line uses is the separator."""
    counts = {s: entete.count(s) for s in ";,\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def nom_de_colonne(titre: str) -> str:
    nom = re.sub(r"[^a-z0-9]+", "_", _sans_accents(titre).strip().lower()).strip("_")
    return ALIASES.get(nom, nom)


def event_id(uai: str, pseudo: str, debut: date) -> str:
    """Stable per (lycée, élève, start date): a re-import sends the same event again. ``pseudo``
    is the lycée's pseudonym of the élève (never the INE: the event id travels in clear)."""
    return str(uuid.uuid5(NAMESPACE, f"{uai}|{pseudo}|{debut.isoformat()}"))


def lire(data: bytes, lycee: LyceeProducer, *, encodage: str | None = None,
         sep: str | None = None) -> Lecture:
    """Parse and check every line; build (not send) the message of every valid line."""
    if encodage:
        texte, enc = data.decode(encodage), encodage
    else:
        texte, enc = decoder(data)
    out = Lecture(encodage=enc)
    premiere = texte.splitlines()[0] if texte.strip() else ""
    out.separateur = sep or separateur(premiere)
    rows = csv.reader(io.StringIO(texte, newline=""), delimiter=out.separateur)
    entete = [nom_de_colonne(t) for t in next(rows, [])]
    out.erreurs += erreurs_d_entete(entete, set(COLONNES),
                                    [c for c, (_, _, req) in COLONNES.items() if req])
    if out.erreurs:
        return out
    vus: dict[str, int] = {}
    for n, cells in cellules(rows, entete, out):
        built = _ligne(n, cells, lycee, vus, out.erreurs)
        if built:
            out.messages.append(built)
    return out


def erreurs_d_entete(entete: list[str], connues: set[str], requises: list[str]) -> list[Erreur]:
    """The header's unknown, missing and repeated columns, each kind one error on line 1."""
    erreurs = []
    for quoi, noms in (("unknown column(s)", [t for t in entete if t not in connues]),
                       ("missing column(s)", [c for c in requises if c not in entete]),
                       ("column(s) given twice", sorted({t for t in entete if entete.count(t) > 1}))):
        if noms:
            erreurs.append(Erreur(1, None, f"{quoi}: {', '.join(noms)} (see docs/partenaires.md)"))
    return erreurs


def cellules(rows, entete: list[str], out: "Lecture") -> Iterator[tuple[int, dict[str, str]]]:
    """Each data line that is not blank, as (line number, {column: cell}), counted in
    ``out.lignes``; a line whose number of cells is not the header's is an error, not yielded."""
    for cells in rows:
        if not any(c.strip() for c in cells):
            continue
        out.lignes += 1
        if len(cells) != len(entete):
            out.erreurs.append(Erreur(rows.line_num, None, f"{len(cells)} cells, the header has {len(entete)}"))
            continue
        yield rows.line_num, dict(zip(entete, cells))


def _ligne(n, cells, lycee, vus, erreurs):
    fields, ok = {}, True
    for colonne, texte in cells.items():
        champ, parse, _ = COLONNES[colonne]
        try:
            fields[champ] = parse(texte)
        except CelluleInvalide as exc:
            shown = "the value" if colonne in PERSONNELLES else repr(texte.strip())
            erreurs.append(Erreur(n, colonne, f"{shown} {exc}"))
            ok = False
    if not ok:
        return None
    pseudo = lycee.pseudonyme(fields["ine"])  # this lycée's stable pseudonym: the INE never leaves
    if pseudo in vus:
        erreurs.append(Erreur(n, "ine", f"the same élève as line {vus[pseudo]}"))
        return None
    vus[pseudo] = n
    fields.setdefault("consentement_representant_legal", None)
    for f in ("boursier", "interne", "fonds_sociaux", "accompagnement_handicap"):
        fields.setdefault(f, False)
    fields.setdefault("specialite", None)
    fields.setdefault("mission_locale_pressentie", None)
    fields["uai"] = lycee.credentials.identifiant
    try:
        value, headers = lycee.build("EleveInscrit", lycee.cle(fields["ine"]), fields,
                                     event_id=event_id(fields["uai"], pseudo, fields["date_debut"]))
    except EvenementInvalide as exc:
        colonne = _CODE_COLONNE.get(exc.code, _COLONNE_DU_CHAMP.get(exc.message.split(" ")[0]))
        erreurs.append(Erreur(n, colonne, f"{exc.code}: {exc.message}"))
        return None
    except ValueError:  # the Avro encoder refused a value (its message may quote the record: not shown)
        erreurs.append(Erreur(n, None, "a value does not fit the EleveInscrit schema"))
        return None
    return n, value, headers, pseudo.encode()
