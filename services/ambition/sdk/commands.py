"""CLI of the partner SDK: ``ambition import-csv lycee FILE``.

Listed in ``ambition.cli.COMMAND_MODULES``; ``register(subparsers)`` adds the subcommand.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from ambition.config import Settings

DESCRIPTION = """\
Publish enrolments (EleveInscrit) of a lycée from a spreadsheet export (CSV).

The file: UTF-8 (with or without BOM) or Windows-1252; ';' or ',' separated (detected from the
header line); one élève a line; French column headers (case and accents ignored):
  required: ine;nom;prenom;date_naissance;diplome;session;resultat;en_emploi;en_formation;
            consentement_eleve;referent;date_debut;date_fin_prevue
  optional: specialite;consentement_representant_legal;boursier;interne;fonds_sociaux;
            accompagnement_handicap;mission_locale_pressentie
Dates JJ/MM/AAAA or AAAA-MM-JJ; yes/no as oui/non, 1/0, true/false (empty optional = non);
resultat OBTENU, ECHEC or BLOCS_PARTIELS; diplome BAC_PRO, CAP, BMA, DTMS ("Bac pro" is read
as BAC_PRO; other diplomas are sent and refused by the platform with the reason).

Every line is checked first (the SDK's own checks). If any line is in error, NOTHING is sent
(unless --lignes-valides) and the report lists each error by line number and column, without
ever quoting an INE, a name or a birth date. Importing the same file again is safe: a line
always gives the same event id (UAI + élève + date_debut), so the platform counts it once.
Events go through a local outbox file first: if the broker is away, they wait there and the
next run of the command sends them. See docs/partenaires.md.

With the lycée's API token (--jeton, or AMBITION_PARTNER_TOKEN), the command waits for the
platform's receipt of every line and reports each line's verdict (accepte, doublon, parque, or
refuse with its reason code); an event with no receipt is sent again (the outbox keeps it).

Exit codes: 0 all sent (with a token: all decided, none refused); 1 lines in error; 2 unusable
file or credentials; 3 events still waiting in the outbox after --attente seconds; 4 (with a
token) lines refused by the platform."""


# kind -> (partner type, option naming the partner, what a line is, what the identifier is)
KINDS = {"lycee": ("LYCEE", "uai", "enrolment(s)", "a UAI (7 digits and the key letter)"),
         "missionlocale": ("MISSION_LOCALE", "siret", "fact(s)", "a SIRET (14 digits, Luhn)"),
         "foquale": ("FOQUALE", "code", "fact(s)", "a Foquale/MLDS code, e.g. ac-paris")}


def _credentials(args, settings: Settings):
    from ambition.contracts.identifiants import identifiant_valide, partner_id
    from ambition.contracts.partners import Credentials

    ptype, option, _, attendu = KINDS[args.import_kind]
    ident = getattr(args, option)
    if not identifiant_valide(ptype, ident):
        raise ValueError(f"{ident!r} is not {attendu}")
    pid = partner_id(ptype, ident)
    key_file = Path(args.key_file) if args.key_file else settings.var_dir / "keys" / f"{pid.replace(':', '_')}.key"
    if not key_file.exists():
        raise ValueError(f"no private key at {key_file}: pass --key-file with the partner's "
                         "private key (the one `ambition partners add` printed)")
    return Credentials(pid, ptype, ident, key_file.read_text().strip())


class _SansEnvoi:
    """The producer's Kafka side for --dry-run: nothing can be sent."""

    def send(self, *a, **k):
        raise RuntimeError("dry run: nothing is sent")

    def flush(self, timeout=None):
        pass

    def close(self, timeout=None):
        pass


def import_csv(args) -> int:
    from . import PRODUCERS, csv_faits, csv_import

    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # the outbox reports what matters
    settings = Settings()
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return 2
    try:
        creds = _credentials(args, settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ptype, option, quoi, _ = KINDS[args.import_kind]
    lire = csv_import.lire if ptype == "LYCEE" else csv_faits.lire
    Producer = PRODUCERS[ptype]
    outbox = Path(args.outbox) if args.outbox else \
        settings.var_dir / "outbox" / f"{args.import_kind}_{getattr(args, option)}.sqlite"
    checker = Producer(creds, settings=settings, producer=_SansEnvoi())
    try:
        lecture = lire(path.read_bytes(), checker, encodage=args.encodage, sep=args.separateur)
    except (UnicodeDecodeError, LookupError) as exc:
        print(f"error: {path.name} cannot be read as {args.encodage}: {type(exc).__name__}; "
              "leave --encodage out to detect it", file=sys.stderr)
        return 2
    for e in lecture.erreurs:
        print(e, file=sys.stderr)
    print(f"{path.name}: {lecture.lignes} line(s) read ({lecture.encodage}, separator "
          f"{lecture.separateur!r}): {len(lecture.messages)} valid, "
          f"{lecture.lignes - len(lecture.messages)} in error")
    if lecture.erreurs and not lecture.lignes and not lecture.messages:
        return 2 if any(e.ligne == 1 for e in lecture.erreurs) else 1
    if lecture.erreurs and not args.lignes_valides:
        print("nothing sent: fix the lines above and import the file again "
              "(or --lignes-valides to send the valid lines now)", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"dry run: {len(lecture.messages)} {quoi} would be sent")
        return 1 if lecture.erreurs else 0
    token = settings.partner_token if args.jeton is None else args.jeton
    attendu = "the platform's verdict" if token else "the broker"
    with Producer(creds, settings=settings, outbox_path=outbox, api_token=token or None) as producer:
        producer.send_many((v, h, k) for _, v, h, k in lecture.messages)
        deadline = time.monotonic() + args.attente
        while not producer.flush(timeout=2) and time.monotonic() < deadline:
            print(f"  {producer.pending()} event(s) waiting for {attendu}...", file=sys.stderr)
        left = producer.pending()
        verdicts = producer.verdicts()
        producer.close(timeout=0)
    if left:
        print(f"{left} event(s) not yet settled ({attendu}): kept in {outbox}; run the "
              "command again later (any file, or the same one) to send them", file=sys.stderr)
        return 3
    print(f"sent {len(lecture.messages)} {quoi} from {creds.partner_id}")
    if not token:
        return 1 if lecture.erreurs else 0
    refusees = _rapport_verdicts(lecture.messages, verdicts)
    return 4 if refusees else 1 if lecture.erreurs else 0


def _rapport_verdicts(messages, verdicts) -> int:
    """Each line's verdict, as the platform's receipt gave it; returns how many were refused."""
    from collections import Counter

    compte, refusees = Counter(), 0
    for ligne, _, headers, _ in messages:
        event_id = dict(headers)["ce_id"].decode()
        verdict, code = verdicts.get(event_id, (None, None))
        compte[verdict or "inconnu"] += 1
        if verdict == "refuse":
            refusees += 1
            print(f"line {ligne}: refused by the platform: {code} (docs/integration.md lists "
                  "each reason and its fix)", file=sys.stderr)
    print("platform verdicts: " + ", ".join(f"{n} {v}" for v, n in sorted(compte.items())))
    return refusees


DESCRIPTION_FAITS = """\
Publish the facts of a {qui} from a spreadsheet export (CSV): one fact a line.

Columns: evenement (the event: {evenements}), parcours (the parcours key), then the event's
own fields, each in the column of its name (docs/evenements.md), empty where a line's event
has no such field. Dates JJ/MM/AAAA or AAAA-MM-JJ; enums by their symbol (case and accents
ignored); participants separated by | or +. Encoding, separator, outbox, --jeton, the report
and the exit codes are those of `import-csv lycee` (docs/partenaires.md). Importing the same
file again is safe: a line always gives the same event id (partner, event and content)."""


def _options(p, option: str, aide: str, defaut: str) -> None:
    p.add_argument("file", metavar="FILE", help="the CSV file")
    p.add_argument(f"--{option}", required=True, help=aide)
    p.add_argument("--key-file", help="the partner's private signing key (base64, as printed by "
                   f"`ambition partners add`); default: the demo key var/keys/{defaut}.key (dev only)")
    p.add_argument("--dry-run", action="store_true", help="check the file and report; send nothing")
    p.add_argument("--lignes-valides", action="store_true",
                   help="send the valid lines even if other lines are in error (default: nothing)")
    p.add_argument("--encodage", help="force the encoding (default: UTF-8, else Windows-1252)")
    p.add_argument("--separateur", help="force the separator (default: detected from the header)")
    p.add_argument("--outbox", help="the outbox file (default: var/outbox/<kind>_<identifier>.sqlite)")
    p.add_argument("--attente", type=float, default=60.0,
                   help="seconds to wait for the acknowledgements (default 60)")
    p.add_argument("--jeton", help="the partner's API token: wait for the platform's verdict of each "
                   "line (default: AMBITION_PARTNER_TOKEN; empty: the broker's acknowledgement only); "
                   "write --jeton=TOKEN, since a token may begin with '-'")
    p.set_defaults(func=import_csv)


def register(subparsers) -> None:
    imp = subparsers.add_parser("import-csv", help="publish partner events from a spreadsheet export")
    kinds = imp.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    p = kinds.add_parser("lycee", help="enrolments (EleveInscrit) of one lycée from a CSV file",
                         description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    _options(p, "uai", "UAI of the lycée, e.g. 0753268V", "lycee_<UAI>")
    ml = kinds.add_parser("missionlocale", help="a mission locale's accueils, PACEA, activities, stages, "
                          "bilans from a CSV file", formatter_class=argparse.RawDescriptionHelpFormatter,
                          description=DESCRIPTION_FAITS.format(
                              qui="mission locale", evenements="AccueilRealise, PaceaSigne, PaceaTermine, "
                              "ActiviteMissionLocaleRealisee, StageDebute, StageTermine, BilanRealise, "
                              "IssueCorrigee"))
    _options(ml, "siret", "SIRET of the mission locale", "ml_<SIRET>")
    fq = kinds.add_parser("foquale", help="a Foquale/MLDS network's positionnements and solutions "
                          "from a CSV file", formatter_class=argparse.RawDescriptionHelpFormatter,
                          description=DESCRIPTION_FAITS.format(
                              qui="Foquale/MLDS network", evenements="PositionnementRealise, "
                              "SolutionProposee, SolutionDemarree"))
    _options(fq, "code", "code of the Foquale/MLDS network, e.g. ac-paris", "foquale_<code>")
