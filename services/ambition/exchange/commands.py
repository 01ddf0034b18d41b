"""``ambition rejected list|show|retry``: what the platform refused, why, and a re-submission
once the cause is fixed (a partner registered, a calendar corrected, a bug fixed)."""
from __future__ import annotations

import argparse
import hashlib
import sys

from ambition.config import Settings

SIGNATURE = "ambition-signature"


def _engine():
    from ambition.sqlstore import read_engine

    from .rejected import preparer
    engine = read_engine(Settings())
    preparer(engine)
    return engine


def _list(args) -> int:
    from .rejected import lister
    rows = lister(_engine(), reason=args.reason, partner=args.partner, topic=args.topic,
                  pending=args.pending, limit=args.limit)
    if not rows:
        print("no rejected message matches", file=sys.stderr)
        return 0
    print(f"{'first seen (UTC)':19}  {'reason':26} {'partner':26} {'where':40} {'retries':18} id")
    for r in rows:
        where = f"{r.topic}[{r.partition}]@{r.offset}"
        retries = f"{r.essais or 0} {r.dernier_resultat or ''}".strip()
        print(f"{r.first_seen:%Y-%m-%d %H:%M:%S}  {r.reason:26} {r.partner or '-':26} {where:40} "
              f"{retries:18} {r.rejet_id}")
    return 0


def _show(args) -> int:
    from .rejected import Introuvable, essais, headers_de, trouver
    engine = _engine()
    try:
        r = trouver(engine, args.id)
    except Introuvable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    original = r.original or b""
    print(f"rejection   {r.rejet_id}\nreason      {r.reason}\nmessage     {r.message}\n"
          f"partner     {r.partner or '-'}\nevent id    {r.event_id or '-'}\n"
          f"from        {r.topic} partition {r.partition} offset {r.offset}\n"
          f"first seen  {r.first_seen}\n"
          f"original    {len(original)} bytes, sha256 {hashlib.sha256(original).hexdigest()}\n"
          f"key         {(r.kafka_key or b'').decode(errors='replace') or '-'}\nheaders")
    for k, v in headers_de(r):
        shown = v.decode(errors="replace")
        print(f"  {k:20} {shown[:16] + '...' if k == SIGNATURE else shown}")
    history = essais(engine, r.rejet_id)
    print(f"retries     {r.essais or 0}, last result: {r.dernier_resultat or '-'}")
    for e in history:
        print(f"  {e.at:%Y-%m-%d %H:%M:%S}  {e.resultat:30} retry {e.retry_id}  ({e.topic}@{e.offset})")
    return 0


def _retry(args) -> int:
    from kafka import KafkaProducer

    from .rejected import Introuvable, attendre, lister, retry, trouver
    settings, engine = Settings(), _engine()
    try:
        rows = [trouver(engine, i) for i in args.ids]
    except Introuvable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.reason or args.partner:
        rows += lister(engine, reason=args.reason, partner=args.partner, pending=True, limit=args.limit)
    if not rows:
        print("nothing to retry: give rejection ids, or --reason / --partner", file=sys.stderr)
        return 2
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap, acks="all", enable_idempotence=True,
                             client_id="ambition-rejected-retry")
    code, sent = 0, []
    try:
        for r in {r.rejet_id: r for r in rows}.values():
            if r.dernier_resultat in ("accepte", "doublon") and not args.force:
                print(f"{r.rejet_id}: already accepted by a retry; nothing sent (--force sends again)")
                continue
            try:
                sent.append((r, retry(settings, r, producer)))
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                code = 2
                continue
            print(f"{r.rejet_id}: re-submitted to {r.topic} (retry {sent[-1][1]})")
    finally:
        producer.close()
    for r, retry_id in sent if args.wait else []:
        result = attendre(engine, r.rejet_id, retry_id, args.wait)
        print(f"{r.rejet_id}: {result or 'no result yet (see `ambition rejected show`)'}")
        if result is None or result.startswith("refuse"):
            code = code or 1
    return code


def register(subparsers) -> None:
    rej = subparsers.add_parser(
        "rejected", help="inspect and retry the messages the platform refused",
        description="Every refused partner message is kept (table vue_refus) with its reason code, "
                    "partner, topic, partition, offset, first-seen time and original bytes and headers.")
    sub = rej.add_subparsers(dest="rejected_command", required=True, metavar="COMMAND")
    lst = sub.add_parser(
        "list", help="list rejected messages, newest first",
        description="List rejected messages, newest first: first-seen time, reason code, partner, "
                    "origin (topic[partition]@offset), retries and last result, and the rejection id "
                    "to pass to `show` or `retry`.")
    lst.add_argument("--reason", help="only this reason code, e.g. SIGNATURE_INVALIDE, ORPHELIN")
    lst.add_argument("--partner", help="only this partner id, e.g. lycee:0753268V")
    lst.add_argument("--topic", help="only messages from this topic")
    lst.add_argument("--pending", action="store_true",
                     help="only rejections not (yet) accepted by a retry")
    lst.add_argument("--limit", type=int, default=50, help="at most this many rows (default 50)")
    lst.set_defaults(func=_list)

    show = sub.add_parser(
        "show", help="one rejection in full, with the results of its retries",
        description="Show one rejection: reason and explanation, partner, event id, origin, first-seen "
                    "time, size and sha256 of the original bytes, its Kafka key and headers, and every "
                    "retry with its result (accepte, doublon, parque, or refuse:<CODE>). The original "
                    "payload is not printed: it may hold personal data.")
    show.add_argument("id", help="rejection id (or a unique prefix of it), from `rejected list`")
    show.set_defaults(func=_show)

    retry = sub.add_parser(
        "retry", help="re-submit rejected messages after fixing the cause",
        description="Re-publish the original bytes and headers of rejected messages to their original "
                    "topic, marked with the header ambition-retry-of naming the rejection. Fix the cause "
                    "first (register the missing partner with `ambition partners add`, correct "
                    "AMBITION_CALENDRIER and restart `ambition ingest`, ...). Idempotent: the parcours "
                    "deduplicates by event id, so retrying twice has one effect. The result is recorded "
                    "and shown by `rejected show`.")
    retry.add_argument("ids", nargs="*", metavar="ID", help="rejection ids (or unique prefixes)")
    retry.add_argument("--reason", help="also every pending rejection with this reason code")
    retry.add_argument("--partner", help="also every pending rejection from this partner id")
    retry.add_argument("--limit", type=int, default=1000, help="at most this many for --reason/--partner")
    retry.add_argument("--force", action="store_true", help="re-submit even if a retry was already accepted")
    retry.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                       help="wait up to SECONDS for each result and print it (exit 1 if refused again)")
    retry.set_defaults(func=_retry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ambition")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
