"""Facts of a mission locale or a Foquale/MLDS network from a spreadsheet export (CSV).

One fact a line: column ``evenement`` names it (``AccueilRealise``, ``PaceaSigne``,
``PositionnementRealise``...: the events of the partner's namespace), column ``parcours`` the
parcours it is about (its reference ``parcours:<id>``, a sealed subject, or the élève's INE,
which the SDK seals), and the event's own fields each in the column of the same name
(docs/evenements.md); a column a line's event does not have stays empty. Cells are read by the
schema's types: dates ``JJ/MM/AAAA`` or ``AAAA-MM-JJ``, enums by their symbol (case, accents and
spaces ignored), lists (``participants``) separated by ``|`` or ``+``; an optional field may be
empty. Every line then goes through the SDK's own checks (``PartnerProducer.build``).

The event id of a line is derived from the partner, the event and its content, so importing
the same file again sends the same events (the platform counts each once). The report names
the line and the column and never quotes the ``parcours`` cell. The file's encoding and separator are
read as for the lycée import (``csv_import.decoder``, ``separateur``).
"""
from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any, Callable

from .base import EvenementInvalide, PartnerProducer
from .csv_import import (CelluleInvalide, Erreur, Lecture, _code, _date, _texte, cellules, decoder,
                         erreurs_d_entete, nom_de_colonne, separateur)

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ambition-emploi:import-csv:faits:v1")
FIXES = ("evenement", "parcours")


def _type(t: Any) -> tuple[Callable[[str], Any], bool]:
    """(parser, optional) for an Avro field type of the partner schemas."""
    if isinstance(t, list):  # ["null", T]
        parse, _ = _type([x for x in t if x != "null"][0])
        return parse, True
    if isinstance(t, dict) and t.get("logicalType") == "date":
        return _date, False
    if isinstance(t, dict) and t.get("type") == "enum":
        symbols = t["symbols"]

        def enum(v: str) -> str:
            code = _code(v)
            if code not in symbols:
                raise CelluleInvalide(f"is not one of {', '.join(symbols)}")
            return code
        return enum, False
    if isinstance(t, dict) and t.get("type") == "array":
        item, _ = _type(t["items"])
        return (lambda v: [item(x) for x in re.split(r"[|+]", v) if x.strip()]), False
    if t == "int":
        def entier(v: str) -> int:
            if not re.fullmatch(r"-?\d+", v.strip()):
                raise CelluleInvalide("is not a whole number")
            return int(v)
        return entier, False
    return _texte, False


def champs(producer: PartnerProducer) -> dict[str, dict[str, tuple[Callable[[str], Any], bool]]]:
    """Event short name -> {field: (parser, optional)}, from the latest schemas."""
    out = {}
    for fullname in producer.registry.fullnames():
        ns, _, name = fullname.rpartition(".")
        if ns != producer.namespace:
            continue
        raw = producer.registry.schema(fullname).raw
        out[name] = {f["name"]: _type(f["type"]) for f in raw["fields"] if f["name"] != "envelope"}
    return out


def event_id(partner: str, evenement: str, cle: str, fields: dict) -> str:
    contenu = "|".join(f"{k}={fields[k]}" for k in sorted(fields))
    return str(uuid.uuid5(NAMESPACE, f"{partner}|{evenement}|{cle}|{contenu}"))


def lire(data: bytes, producer: PartnerProducer, *, encodage: str | None = None,
         sep: str | None = None) -> Lecture:
    """Parse and check every line; build (not send) the message of every valid line."""
    texte, enc = (data.decode(encodage), encodage) if encodage else decoder(data)
    out = Lecture(encodage=enc)
    premiere = texte.splitlines()[0] if texte.strip() else ""
    out.separateur = sep or separateur(premiere)
    rows = csv.reader(io.StringIO(texte, newline=""), delimiter=out.separateur)
    entete = [nom_de_colonne(t) for t in next(rows, [])]
    evenements = champs(producer)
    connues = set(FIXES) | {f for fs in evenements.values() for f in fs}
    out.erreurs += erreurs_d_entete(entete, connues, list(FIXES))
    if out.erreurs:
        return out
    for n, cells in cellules(rows, entete, out):
        built = _ligne(n, cells, producer, evenements, out.erreurs)
        if built:
            out.messages.append(built)
    return out


def _ligne(n: int, cells: dict, producer: PartnerProducer, evenements: dict, erreurs: list):
    nom = re.sub(r"\s+", "", cells["evenement"])
    if nom not in evenements:
        erreurs.append(Erreur(n, "evenement", f"{nom!r} is not one of {', '.join(sorted(evenements))}"))
        return None
    cle = cells["parcours"].strip()
    fields, ok = {}, True
    for champ, (parse, optionnel) in evenements[nom].items():
        texte = cells.get(champ, "")
        if not texte.strip():
            if optionnel:
                fields[champ] = None
                continue
            if champ == "siret" and nom == "AccueilRealise":
                fields[champ] = producer.credentials.identifiant  # the mission locale's own
                continue
            erreurs.append(Erreur(n, champ, f"is empty: {nom} needs it"))
            ok = False
            continue
        try:
            fields[champ] = parse(texte)
        except CelluleInvalide as exc:
            erreurs.append(Erreur(n, champ, f"{texte.strip()!r} {exc}"))
            ok = False
    for champ, texte in cells.items():
        if champ not in FIXES and champ not in evenements[nom] and texte.strip():
            erreurs.append(Erreur(n, champ, f"{nom} has no such field: leave the cell empty"))
            ok = False
    if not ok:
        return None
    try:
        value, headers = producer.build(nom, cle, fields, event_id=event_id(
            producer.credentials.partner_id, nom, cle, fields))
    except EvenementInvalide as exc:
        colonne = "parcours" if exc.code == "SUJET_INVALIDE" else None
        erreurs.append(Erreur(n, colonne, f"{exc.code}: {exc.message}"))
        return None
    except ValueError:
        erreurs.append(Erreur(n, None, f"a value does not fit the {nom} schema"))
        return None
    return n, value, headers, cle.encode()
