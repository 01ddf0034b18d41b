"""``ambition oublier``: the right to erasure, by crypto-shredding; ``ambition reenvelopper``:
the master key's rotation (docs/vie-privee.md)."""
from __future__ import annotations

import getpass
import sys
import uuid


def _oublier(args) -> int:
    from ambition.bootstrap import make_app
    from ambition.config import Settings
    from ambition.contracts.identifiants import ine_valide
    from ambition.parcours import Parcours
    from ambition.pseudonym import cle_parcours

    settings = Settings()
    if args.parcours:
        try:
            pid = uuid.UUID(args.parcours)
        except ValueError:
            print("error: --parcours takes a parcours id (a UUID, as the views show it)", file=sys.stderr)
            return 2
    else:  # typed, never on the command line (shell history, process list)
        ine = getpass.getpass("INE of the élève to forget: ").strip().upper()
        if not ine_valide(ine):
            print("error: not an INE (10 of [0-9A-Z] then a letter)", file=sys.stderr)
            return 2
        pid = Parcours.id_pour(cle_parcours(ine, settings.pseudonym_secret))
    app = make_app(settings)
    app.oublier_parcours(pid)
    print(f"parcours {pid}: identity and its data key destroyed; the pseudonymous history stays "
          "(views show 'identité effacée')")
    return 0


def _reenvelopper(args) -> int:
    from ambition.config import Settings
    from ambition.identite.cles import Trousseau
    from ambition.identite.coffre import Coffre

    settings = Settings()
    # typed, never on the command line (shell history, process list)
    ancienne = getpass.getpass("previous master key (base64) of the key store: ").strip()
    coffre = Coffre(settings.cipher_key, Trousseau(settings.key_store))
    try:
        n = coffre.reenvelopper(ancienne)
    except ValueError as exc:  # a tag that does not verify, or not a key
        print(f"error: a data key of {settings.key_store} does not open with that previous key "
              f"({type(exc).__name__}); nothing was changed. Already re-wrapped, or another key?",
              file=sys.stderr)
        return 1
    finally:
        coffre.close()
    print(f"{n} data keys of {settings.key_store} now wrapped by AMBITION_CIPHER_KEY; start the "
          "platform with it, then destroy the previous key")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("oublier", help="forget an élève (right to erasure): destroy its identity "
                              "and data key, keep the pseudonymous history")
    p.add_argument("--parcours", help="the parcours id (as the views show it); without it, the INE "
                   "is asked for on the terminal")
    p.set_defaults(func=_oublier)
    p = subparsers.add_parser("reenvelopper", help="master-key rotation: wrap every data key of the "
                              "key store with the new AMBITION_CIPHER_KEY (the previous key is asked "
                              "for on the terminal); run it with the platform stopped")
    p.set_defaults(func=_reenvelopper)
