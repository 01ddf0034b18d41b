"""The common part of the partner producers: envelope, checks, encoding, signature, headers, send."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, ClassVar

from kafka import KafkaProducer
from kafka.errors import KafkaError

from ambition.config import Settings, load_topics
from ambition.contracts import signing
from ambition.contracts.codec import Registry
from ambition.contracts.partners import Credentials
from ambition.contracts.regles import Invalide, verifier

class EvenementInvalide(Invalide):
    """The event would be rejected by the platform: nothing was sent. ``code`` is the reason code."""

class EnvoiImpossible(RuntimeError):
    """The broker did not acknowledge the message (check the bootstrap address and that it runs)."""

def rfc3339(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"

class PartnerProducer:
    partner_type: ClassVar[str]
    namespace: ClassVar[str]

    def __init__(self, credentials: Credentials, bootstrap: str | None = None, *,
                 settings: Settings | None = None, registry: Registry | None = None,
                 secret: str | None = None, topic: str | None = None,
                 producer: KafkaProducer | None = None, send_timeout: float = 30.0, **kafka_config: Any):
        if credentials.type != self.partner_type:
            raise ValueError(f"{type(self).__name__} needs {self.partner_type} credentials, "
                             f"got {credentials.partner_id} ({credentials.type})")
        settings = settings or Settings()
        self.credentials = credentials
        self.registry = registry or Registry.load(settings.schemas_dir)
        self.secret = settings.pseudonym_secret if secret is None else secret
        self.topic = topic or load_topics().partenaires[self.partner_type]
        self.send_timeout = send_timeout
        self._producer = producer or KafkaProducer(
            bootstrap_servers=bootstrap or settings.bootstrap, acks="all", enable_idempotence=True,
            client_id=credentials.partner_id, **kafka_config)

    def build(self, name: str, cle: str, fields: dict, *, event_id: str | None = None,
              time: datetime | None = None, version: int | None = None) -> tuple[bytes, list[tuple[str, bytes]]]:
        """Check, encode and sign one event; returns (value, headers). Raises EvenementInvalide."""
        fullname = f"{self.namespace}.{name}"
        now = time or datetime.now(timezone.utc)
        if now.tzinfo is None:
            raise ValueError("time must be timezone-aware (UTC)")
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Avro keeps milliseconds
        envelope = {"event_id": str(event_id or uuid.uuid4()), "source": self.credentials.partner_id,
                    "type": fullname, "time": now, "subject": cle}
        try:
            uuid.UUID(envelope["event_id"])
        except ValueError:
            raise EvenementInvalide("ENVELOPPE_INVALIDE", "event_id must be a UUID") from None
        try:
            verifier(fullname, envelope, fields, self.secret)
        except Invalide as exc:
            raise EvenementInvalide(exc.code, exc.message) from None
        value = self.registry.encode(fullname, {"envelope": envelope, **fields}, version)
        headers = [(signing.PARTNER_HEADER, self.credentials.partner_id.encode()),
                   ("ce_id", envelope["event_id"].encode()),
                   ("ce_source", envelope["source"].encode()),
                   ("ce_type", fullname.encode()),
                   ("ce_time", rfc3339(now).encode()),
                   ("ce_specversion", b"1.0"),
                   ("content-type", b"application/avro")]
        headers.append((signing.SIGNATURE_HEADER, signing.sign(self.credentials.private_key, value, headers)))
        return value, headers

    def emit(self, name: str, cle: str, fields: dict, **options: Any):
        value, headers = self.build(name, cle, fields, **options)
        return self.send_raw(value, headers, cle.encode())

    def send_raw(self, value: bytes | None, headers: list[tuple[str, bytes]], key: bytes | None):
        """Send bytes as they are (no check): for tests of bad input. Returns RecordMetadata."""
        try:
            return self._producer.send(self.topic, value=value, key=key, headers=headers) \
                .get(timeout=self.send_timeout)
        except KafkaError as exc:
            raise EnvoiImpossible(f"{self.topic}: the broker did not acknowledge the message: {exc}") from exc

    def flush(self) -> None:
        self._producer.flush()

    def close(self) -> None:
        self._producer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
