"""CLI hooks of the contracts: ``schemas check``, ``partners add|list``, ``catalogue build``.

The lead's argparse CLI calls ``register(subparsers)``; each command sets ``func(args) -> int``
(the exit code) with ``set_defaults``. ``python -m ambition.contracts.commands ...`` runs them alone.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ambition.config import ROOT, Settings

from .identifiants import PARTNER_TYPES


def _schemas_check(args) -> int:
    from .compat import check
    schemas_dir = Path(args.dir) if args.dir else Settings().schemas_dir
    problems = check(schemas_dir)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {schemas_dir}: keep every released version, and make each "
              "new one readable by all earlier ones (new fields need a default).", file=sys.stderr)
        return 1
    print(f"schemas OK: every version under {schemas_dir} reads all earlier versions")
    return 0


def _cle(path: str) -> str:
    from .cles import lire_cle_publique
    try:
        return lire_cle_publique(Path(path))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the public key: {exc}") from None


def _partners_add(args) -> int:
    from .cles import identifiant
    from .partners import PartnerError, add_partner
    settings = Settings()
    try:
        public = _cle(args.public_key) if args.public_key else None
        pid, private = add_partner(settings, args.type, args.id, public)
    except (PartnerError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .signing import public_key_of
    public = public or public_key_of(private)
    print(f"registered {pid} in {settings.partners_file}")
    print(f"public key  (kept by the platform): {public}  (id {identifiant(public)})")
    if private:
        print(f"private key (give it to the partner, shown ONCE, not stored): {private}")
    return 0


def _partners_rotate(args) -> int:
    from .partners import PartnerError, rotate_key
    settings = Settings()
    try:
        kid = rotate_key(settings, args.partner, _cle(args.public_key), args.fin_ancienne)
    except (PartnerError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.partner}: key {kid} added; the earlier key(s) sign until {args.fin_ancienne}")
    return 0


def _partners_revoke(args) -> int:
    from .partners import PartnerError, revoke_key
    settings = Settings()
    try:
        revoke_key(settings, args.partner, args.cle, args.motif or "")
    except PartnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.partner}: key {args.cle} revoked; what it signs is refused CLE_REVOQUEE")
    return 0


def _partners_list(args) -> int:
    from .cles import cles_de
    from .partners import PartnerDirectory
    settings = Settings()
    directory = PartnerDirectory.load(settings)
    if not len(directory):
        print(f"no partner in {settings.partners_file}: add one with `partners add`, "
              "or run the demo setup", file=sys.stderr)
    for p in directory:
        print(f"{p.id:28} {p.type:15} {p.identifiant:16} {p.public_key}")
        for c in cles_de(p) if p.cles else ():
            etat = (f"revoked {c['revoquee']}" if c["revoquee"] else
                    f"ends {c['fin']}" if c["fin"] else "in force")
            print(f"    key {c['id']}  added {c['ajoutee']}  {etat}")
    return 0


def _partners_verify(args) -> int:
    from .bac_a_sable import verifier_fichier
    return verifier_fichier(Path(args.file), Settings(), as_json=args.json)


def _catalogue_build(args) -> int:
    from .catalogue import write
    schemas_dir = Path(args.dir) if args.dir else Settings().schemas_dir
    out = Path(args.out) if args.out else ROOT / "docs"
    for path in write(schemas_dir, out):
        print(f"wrote {path}")
    return 0


def register(subparsers) -> None:
    schemas = subparsers.add_parser("schemas", help="Avro event schemas (schemas/*.avsc)")
    schemas_sub = schemas.add_subparsers(dest="schemas_command", required=True)
    check = schemas_sub.add_parser(
        "check", help="check that every schema version reads all earlier ones (exit 1 listing problems)",
        description="Transitive backward compatibility of every event's versions (Apache avro's checker), "
                    "plus file naming, namespaces, version numbering and field docs.")
    check.add_argument("--dir", help="schemas directory (default: AMBITION_SCHEMAS_DIR or ./schemas)")
    check.set_defaults(func=_schemas_check)

    partners = subparsers.add_parser("partners", help="registered partners and their signing keys")
    partners_sub = partners.add_subparsers(dest="partners_command", required=True)
    add = partners_sub.add_parser(
        "add", help="register a partner and print its key pair once",
        description="Register a partner in AMBITION_PARTNERS_FILE and print its Ed25519 key pair. "
                    "The private key is printed once and not stored: hand it to the partner.")
    add.add_argument("--type", required=True, choices=PARTNER_TYPES, help="partner type")
    add.add_argument("--id", required=True, metavar="UAI|SIRET|code",
                     help="UAI of a lycée (0753268V), SIRET of a mission locale, or Foquale/MLDS code (ac-paris)")
    add.add_argument("--public-key", metavar="FILE", help="register the partner's own Ed25519 public "
                     "key (PEM, or raw 32 bytes base64): no private key is made nor shown")
    add.set_defaults(func=_partners_add)
    rot = partners_sub.add_parser(
        "rotate", help="add a new key; the current one signs until an end date",
        description="Register a partner's new Ed25519 public key. Its key(s) in force so far keep "
                    "signing until --fin-ancienne, then messages they sign are refused CLE_EXPIREE.")
    rot.add_argument("partner", help="partner id, e.g. lycee:0753268V")
    rot.add_argument("--public-key", required=True, metavar="FILE", help="the new public key (PEM or base64)")
    rot.add_argument("--fin-ancienne", required=True, metavar="DATETIME",
                     help="when the earlier key(s) stop signing, ISO 8601 (UTC if no offset), e.g. 2026-12-31T00:00")
    rot.set_defaults(func=_partners_rotate)
    rev = partners_sub.add_parser(
        "revoke", help="revoke one key now (messages it signs are refused CLE_REVOQUEE)")
    rev.add_argument("partner", help="partner id, e.g. lycee:0753268V")
    rev.add_argument("--cle", required=True, metavar="KEY_ID", help="the key's id (see `partners list`)")
    rev.add_argument("--motif", help="why (recorded in the keys journal)")
    rev.set_defaults(func=_partners_revoke)
    lst = partners_sub.add_parser("list", help="list registered partners (id, type, identifier, keys)")
    lst.set_defaults(func=_partners_list)
    ver = partners_sub.add_parser(
        "verify", help="what the platform's reading edge says of a message file, offline",
        description="Check a message as a partner would produce it (a JSON file: topic, key, value "
                    "and headers in base64; see docs/integration.md) against the schemas and the "
                    "registered partners: framing, signature, envelope, identifiers. Exit 0 if "
                    "the edge accepts it, 1 with the reason code otherwise. The parcours rules "
                    "need the platform's state: use POST /v1/bac-a-sable for them.")
    ver.add_argument("file", help="the message file (JSON)")
    ver.add_argument("--json", action="store_true", help="print the verdict as JSON")
    ver.set_defaults(func=_partners_verify)

    catalogue = subparsers.add_parser("catalogue", help="the event catalogue generated from the schemas")
    catalogue_sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    build = catalogue_sub.add_parser("build", help="write docs/catalogue.md and docs/catalogue.html",
                                     description="Generate the event catalogue from the .avsc files.")
    build.add_argument("--dir", help="schemas directory (default: AMBITION_SCHEMAS_DIR or ./schemas)")
    build.add_argument("--out", help="output directory (default: ./docs)")
    build.set_defaults(func=_catalogue_build)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ambition", description="Ambition Emploi contracts commands")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
