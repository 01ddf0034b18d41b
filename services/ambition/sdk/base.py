"""The common part of the partner producers: envelope, checks, encoding, signature, headers, send."""
from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Iterable

from kafka import KafkaProducer
from kafka.errors import KafkaError

from ambition import metrics
from ambition.config import Settings, load_topics
from ambition.contracts import signing
from ambition.contracts.identifiants import ine_valide
from ambition.contracts.identite import CHAMPS, REFERENCE, VERSION_SCELLEE, identite_json
from ambition.contracts.inbound import CONTENT_TYPE, SPECVERSION, rfc3339
from ambition.identite import scellement
from ambition.contracts.codec import Registry
from ambition.contracts.partners import Credentials
from ambition.contracts.regles import Invalide, verifier

from .accuses import Accuses
from .atelier import SEUIL, Appel, Atelier, Construit, constructeur, construire_ici, modele
from .outbox import Drainer, Outbox

log = logging.getLogger(__name__)

# kafka-python's idempotent producer never recovers once a batch has expired during a broker
# outage (measured with kafka-python 3.0.12 and a SIGSTOPped broker): so no idempotence, one
# request in flight to keep the order; duplicates carry the same event_id, which the platform
# deduplicates. Callers may override any of these through **kafka_config.
KAFKA_DEFAULTS = dict(acks="all", enable_idempotence=False, max_in_flight_requests_per_connection=1)
# With an outbox, fail fast and let the outbox retry: a blocked send would delay close().
OUTBOX_KAFKA_DEFAULTS = dict(KAFKA_DEFAULTS, request_timeout_ms=10_000, delivery_timeout_ms=20_000,
                             max_block_ms=5_000, bootstrap_timeout_ms=5_000, linger_ms=5)

# élèves whose sealed subject a producer keeps for their next messages: about 400 bytes each,
# 40 MB full
SUJETS_GARDES = 100_000


class EvenementInvalide(Invalide):
    """The event would be rejected by the platform: nothing was sent. ``code`` is the reason code."""

class EnvoiImpossible(RuntimeError):
    """The broker did not acknowledge the message (check the bootstrap address and that it runs)."""

class PartnerProducer:
    partner_type: ClassVar[str]
    namespace: ClassVar[str]

    def __init__(self, credentials: Credentials, bootstrap: str | None = None, *,
                 settings: Settings | None = None, registry: Registry | None = None,
                 topic: str | None = None,
                 identity_public_key: str | None = None,
                 producer: KafkaProducer | None = None, send_timeout: float = 30.0,
                 outbox_path: str | Path | None = None, api_url: str | None = None,
                 api_token: str | None = None, renvoi_apres: float | None = None, **kafka_config: Any):
        """Without ``outbox_path``, each event is sent and waited for (EnvoiImpossible if the broker
        does not acknowledge it). With it, each event is first written to that SQLite file and a
        background thread sends it; the call returns at once (see ``pending``, ``flush``).
        With ``api_token`` (the partner's API token; default AMBITION_PARTNER_TOKEN) the outbox
        keeps each event until the platform's receipt says it was decided, and sends it again
        if no receipt came after ``renvoi_apres`` seconds (AMBITION_OUTBOX_RESEND_AFTER);
        ``accuses()`` reads the receipts."""
        if credentials.type != self.partner_type:
            raise ValueError(f"{type(self).__name__} needs {self.partner_type} credentials, "
                             f"got {credentials.partner_id} ({credentials.type})")
        settings = settings or Settings()
        self.settings = settings
        self.credentials = credentials
        self._builder: PartnerProducer | None = None  # a copy that only builds (``build_many``)
        self._sujets: OrderedDict[str, str] = OrderedDict()  # pseudonym -> sealed subject
        self._sujets_lock = threading.Lock()
        self.registry = registry or Registry.load(settings.schemas_dir)
        # what identities are sealed to (partners hold no platform secret)
        self.cle_publique = identity_public_key or settings.identity_public_key
        self._pseudo = hashlib.sha256(b"ambition-pseudonyme-v1" +
                                      base64.b64decode(credentials.private_key)).digest()
        self.topic = topic or load_topics().partenaires[self.partner_type]
        self.send_timeout = send_timeout
        self.outbox: Outbox | None = None
        self._drainer: Drainer | None = None
        self._backlog, self._backlog_lock = 0, threading.Lock()
        token = settings.partner_token if api_token is None else api_token
        self._accuses = Accuses(api_url or settings.api_url, token) if token else None
        bootstrap = bootstrap or settings.bootstrap
        if outbox_path is None:
            self._producer = producer or KafkaProducer(
                bootstrap_servers=bootstrap, client_id=credentials.partner_id,
                **{**KAFKA_DEFAULTS, **kafka_config})
            return
        self._producer = producer
        config = {**OUTBOX_KAFKA_DEFAULTS, **kafka_config}
        self.outbox = Outbox(outbox_path)
        self._drainer = Drainer(
            self.outbox, lambda: producer or KafkaProducer(
                bootstrap_servers=bootstrap, client_id=credentials.partner_id, **config),
            on_change=self._count_backlog,
            recus=self._accuses.lire if self._accuses is not None else None,
            renvoi_apres=settings.outbox_resend_after if renvoi_apres is None else renvoi_apres)
        self._count_backlog(self.outbox.pending())
        self._drainer.start()

    def _count_backlog(self, n: int) -> None:
        with self._backlog_lock:
            metrics.PARTNER_OUTBOX_BACKLOG.labels(self.partner_type).inc(n - self._backlog)
            self._backlog = n

    # -- addressing the élève without any platform secret ----------------------------------

    def pseudonyme(self, ine: str) -> str:
        """This partner's own stable pseudonym of an élève (32 hex): the Kafka key of its
        messages about that élève, so they stay in order; not linkable across partners."""
        return scellement.pseudonyme(self._pseudo, ine)

    def cle(self, ine: str) -> str:
        """A subject addressing the élève: its INE sealed to the platform's public key (a new
        sealing each call, the same élève for the platform). Any method's ``cle`` also takes
        the INE itself, or a parcours reference ``parcours:<id>``."""
        if not ine_valide(ine):
            raise EvenementInvalide("INE_INVALIDE", "ine must be 11 characters: 10 of [0-9A-Z] then a "
                                                    "letter [A-Z] (value not repeated: personal data)")
        return scellement.sujet(self.cle_publique, ine, self.credentials.partner_id, self.pseudonyme(ine))

    def _adresse(self, cle: str) -> tuple[str, str]:
        """(subject, Kafka key) for what a caller passed as ``cle``. An INE's subject is sealed
        once and kept for the élève's next messages (``SUJETS_GARDES`` élèves, the least recent
        forgotten): sealing is an X25519 exchange, most of an event's building, and a new
        sealing would hide nothing, the pseudonym in front of it (and the Kafka key) already
        linking this partner's messages about the élève. The cache holds sealed values by
        pseudonym, never an INE."""
        if isinstance(cle, str) and ine_valide(cle):
            pseudo = self.pseudonyme(cle)
            with self._sujets_lock:
                sujet = self._sujets.get(pseudo)
                if sujet is not None:
                    self._sujets.move_to_end(pseudo)
            if sujet is None:
                sujet = scellement.sujet(self.cle_publique, cle, self.credentials.partner_id, pseudo)
                with self._sujets_lock:
                    self._sujets[pseudo] = sujet
                    if len(self._sujets) > SUJETS_GARDES:
                        self._sujets.popitem(last=False)
            return sujet, pseudo
        if isinstance(cle, str) and scellement.est_scelle(cle):
            return cle, cle.split(".")[1]
        return cle, cle

    def build(self, name: str, cle: str, fields: dict, *, event_id: str | None = None,
              time: datetime | None = None, version: int | None = None) -> tuple[bytes, list[tuple[str, bytes]]]:
        """Check, encode and sign one event; returns (value, headers). Raises EvenementInvalide.
        ``cle``: the élève's INE, a subject from ``cle(ine)``, or ``parcours:<reference>``."""
        fullname = f"{self.namespace}.{name}"
        sujet = self._adresse(cle)[0]
        now = time or datetime.now(timezone.utc)
        if now.tzinfo is None:
            raise ValueError("time must be timezone-aware (UTC)")
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Avro keeps milliseconds
        envelope = {"event_id": str(event_id or uuid.uuid4()), "source": self.credentials.partner_id,
                    "type": fullname, "time": now, "subject": sujet}
        try:
            uuid.UUID(envelope["event_id"])
        except ValueError:
            raise EvenementInvalide("ENVELOPPE_INVALIDE", "event_id must be a UUID") from None
        try:
            verifier(fullname, envelope, fields)
        except Invalide as exc:
            raise EvenementInvalide(exc.code, exc.message) from None
        if not (scellement.est_scelle(sujet) or REFERENCE.fullmatch(sujet or "")):
            raise EvenementInvalide("SUJET_INVALIDE", "cle must be the élève's INE, a subject from cle(ine) "
                                                      "or parcours:<reference>")
        if "ine" in fields:  # an enrolment: the identity travels sealed, never in clear
            if version is not None and version < VERSION_SCELLEE:
                raise ValueError(f"{name} v{version} carries the identity in clear: the platform refuses it")
            identite = identite_json(fields)
            fields = {k: v for k, v in fields.items() if k not in CHAMPS}
            fields["identite"] = scellement.sceller(self.cle_publique, identite, self.credentials.partner_id)
        value = self.registry.encode(fullname, {"envelope": envelope, **fields}, version)
        headers = [(signing.PARTNER_HEADER, self.credentials.partner_id.encode()),
                   ("ce_id", envelope["event_id"].encode()),
                   ("ce_source", envelope["source"].encode()),
                   ("ce_type", fullname.encode()),
                   ("ce_time", rfc3339(now).encode()),
                   ("ce_specversion", SPECVERSION.encode()),
                   ("content-type", CONTENT_TYPE.encode())]
        headers.append((signing.SIGNATURE_HEADER, signing.sign(self.credentials.private_key, value, headers)))
        return value, headers

    def emit(self, name: str, cle: str, fields: dict, **options: Any):
        sujet, key = self._adresse(cle)
        value, headers = self.build(name, sujet, fields, **options)
        return self.send_raw(value, headers, key.encode())

    def build_many(self, calls: list[Appel], atelier: Atelier | None = None) -> list[Construit]:
        """Build and sign, without sending, the messages of calls to this producer's event
        methods, e.g. ``[("eleve_inscrit", {"ine": ..., ...}), ...]``: (value, headers, Kafka
        key) in order, what ``send_many`` takes. With ``atelier`` (worker processes, see
        ``sdk.atelier``) a large batch is built on every core. Raises EvenementInvalide (and
        builds nothing more) at the first call that would be refused."""
        calls = list(calls)
        if atelier is not None and len(calls) >= SEUIL:
            return atelier.construire(self, calls)
        if self._builder is None:
            self._builder = constructeur(modele(self), self.registry, self.settings)
        return construire_ici(self._builder, calls)

    def emit_many(self, calls: list[Appel], atelier: Atelier | None = None) -> list:
        """``build_many`` then ``send_many``: nothing is sent unless every call builds."""
        return self.send_many(self.build_many(calls, atelier))

    def send_raw(self, value: bytes | None, headers: list[tuple[str, bytes]], key: bytes | None):
        """Send bytes as they are (no check): for tests of bad input. Returns RecordMetadata, or
        with an outbox the ``Depose`` receipt (the message is sent in the background)."""
        if self.outbox is not None:
            return self.send_many([(value, headers, key)])[0]
        try:
            return self._producer.send(self.topic, value=value, key=key, headers=headers) \
                .get(timeout=self.send_timeout)
        except KafkaError as exc:
            raise EnvoiImpossible(f"{self.topic}: the broker did not acknowledge the message: {exc}") from exc

    def send_many(self, messages: Iterable[tuple[bytes | None, list[tuple[str, bytes]], bytes | None]]) -> list:
        """Send built (value, headers, key) messages. With an outbox they are written in ONE
        transaction (all or none) and sent in the background: returns ``Depose`` receipts."""
        messages = list(messages)
        if self.outbox is None:  # all handed to the client, then each acknowledgement awaited
            try:
                envois = [self._producer.send(self.topic, value=v, key=k, headers=h) for v, h, k in messages]
                return [e.get(timeout=self.send_timeout) for e in envois]
            except KafkaError as exc:
                raise EnvoiImpossible(f"{self.topic}: the broker did not acknowledge a message: {exc}") from exc
        self.outbox.put((self.topic, k, v, h) for v, h, k in messages)
        self._count_backlog(self.outbox.pending())
        self._drainer.wake()
        return [Depose(self.topic, next((x.decode() for n, x in h if n == "ce_id"), None))
                for v, h, k in messages]

    def accuses(self, depuis: int = 0, limite: int = 500) -> list[dict]:
        """The platform's receipts for this partner's messages after position ``depuis``
        (docs/integration.md): needs the partner's API token."""
        if self._accuses is None:
            raise ValueError("no API token: pass api_token= (or set AMBITION_PARTNER_TOKEN)")
        return self._accuses.lire(depuis, limite)

    def verdicts(self) -> dict[str, tuple[str | None, str | None]]:
        """With an outbox: event_id -> (verdict, reason code) of each event it holds."""
        return self.outbox.verdicts() if self.outbox is not None else {}

    def pending(self) -> int:
        """Events written to the outbox and not yet settled: acknowledged by the broker, or
        with an API token decided by the platform (0 without outbox)."""
        return self.outbox.pending() if self.outbox is not None else 0

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything is acknowledged (the outbox is empty); False if ``timeout``
        (seconds) passed first: the rest stays in the outbox and is still being sent."""
        if self.outbox is None:
            try:
                self._producer.flush(timeout)
            except KafkaError:
                return False
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.outbox.pending():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self._drainer.wake()
            time.sleep(0.05)
        return True

    drain = flush

    def close(self, timeout: float = 5.0) -> None:
        """Stop sending. With an outbox, first wait up to ``timeout`` s for it to empty; what is
        still there is kept in the file and sent by the next producer opened on it."""
        if self.outbox is None:
            self._producer.close()
            return
        if not self._drainer.is_alive():  # closed already
            return
        self.flush(timeout)
        self._drainer.stop()
        self._drainer.join(timeout + 10)
        producer = self._drainer.producer
        if producer is not None:
            _close_kafka(producer)
        left = self.outbox.pending()
        if left:
            log.warning("%d event(s) left in the outbox %s: they will be sent by the next producer "
                        "opened on it", left, self.outbox.path)
        self._count_backlog(0)
        self.outbox.close()
        if self._accuses is not None:
            self._accuses.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Depose:
    """Receipt of an event written to the outbox (sent in the background)."""

    def __init__(self, topic: str, event_id: str | None):
        self.topic, self.event_id = topic, event_id

    def __repr__(self) -> str:
        return f"Depose({self.topic!r}, {self.event_id!r})"


def _close_kafka(producer) -> None:
    """KafkaProducer.close() raises when records are still pending (broker away) and then leaves
    its threads running: force the sender closed in that case (the outbox still has the rows)."""
    try:
        producer.close(timeout=1)
    except KafkaError:
        sender = getattr(producer, "_sender", None)
        if sender is not None:
            sender.force_close()
            sender.join(5)
        try:
            producer.close(timeout=0)
        except KafkaError:
            log.warning("the Kafka producer could not be closed cleanly while the broker is away")
