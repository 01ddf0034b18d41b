"""Configuration from AMBITION_* environment variables, each with a working local default."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Development values: published in this repository, refused when AMBITION_ENV=production.
DEV_PSEUDONYM_SECRET = "dev-only-pseudonym-secret"
DEV_CIPHER_KEY = "ZGV2LW9ubHktY2lwaGVyLWtleS0zMi1ieXRlcyEhISE="
# the published TEST key pair of sealed identities (docs/contrats.md): raw X25519, base64
DEV_IDENTITY_PRIVATE_KEY = "RS8dRmkjrypMxrs7TyUNnQ4PsiJQi7H+Oe8EOIbrpFM="
ENVS = ("development", "production")


def _env(name: str, default: str) -> str:
    return os.environ.get(f"AMBITION_{name}", default)


@dataclass(frozen=True)
class Topics:
    lycee: str
    missionlocale: str
    foquale: str
    parcours: str
    rejets: str
    accuses: str
    partitions: int
    replication_factor: int

    @property
    def partenaires(self) -> dict[str, str]:
        """Partner type -> its inbound topic."""
        return {"LYCEE": self.lycee, "MISSION_LOCALE": self.missionlocale, "FOQUALE": self.foquale}

    def all(self) -> list[str]:
        return [self.lycee, self.missionlocale, self.foquale, self.parcours, self.rejets, self.accuses]


def load_topics(path: Path | None = None, settings: "Settings | None" = None) -> Topics:
    """The topics of infra/topics.toml; partitions and replication overridable by settings."""
    settings = settings or Settings()
    data = tomllib.loads((path or ROOT / "infra" / "topics.toml").read_text())
    t = data["topics"]
    return Topics(
        lycee=t["lycee"]["name"],
        missionlocale=t["missionlocale"]["name"],
        foquale=t["foquale"]["name"],
        parcours=t["parcours"]["name"],
        rejets=t["rejets"]["name"],
        accuses=t["accuses"]["name"],
        partitions=int(settings.partitions or data["partitions"]),
        replication_factor=int(settings.replication_factor or data["replication_factor"]),
    )


@dataclass(frozen=True)
class Settings:
    """Everything a process needs, read once from the environment."""

    var_dir: Path = field(default_factory=lambda: Path(_env("VAR_DIR", str(ROOT / "var"))))
    # empty = start the embedded broker
    kafka_bootstrap: str = field(default_factory=lambda: _env("KAFKA_BOOTSTRAP", ""))
    broker_port: int = field(default_factory=lambda: int(_env("BROKER_PORT", "19092")))
    api_host: str = field(default_factory=lambda: _env("API_HOST", "127.0.0.1"))
    api_port: int = field(default_factory=lambda: int(_env("API_PORT", "8080")))
    ingest_metrics_port: int = field(default_factory=lambda: int(_env("INGEST_METRICS_PORT", "9101")))
    projection_metrics_port: int = field(
        default_factory=lambda: int(_env("PROJECTION_METRICS_PORT", "9102"))
    )
    # "" = SQLite file under var/; a postgresql://... DSN selects PostgreSQL
    event_store: str = field(default_factory=lambda: _env("EVENT_STORE", ""))
    read_store: str = field(default_factory=lambda: _env("READ_STORE", ""))
    schemas_dir: Path = field(default_factory=lambda: Path(_env("SCHEMAS_DIR", str(ROOT / "schemas"))))
    # "development" (default: demo secrets, keys and tokens allowed) or "production" (refused)
    env: str = field(default_factory=lambda: _env("ENV", "development"))
    # secret of the pseudonymous parcours key (HMAC of the INE); never leaves the platform
    pseudonym_secret: str = field(
        default_factory=lambda: _env("PSEUDONYM_SECRET", DEV_PSEUDONYM_SECRET)
    )
    # master key of the identity store (base64 AES key): wraps the per-élève data keys
    cipher_key: str = field(default_factory=lambda: _env("CIPHER_KEY", DEV_CIPHER_KEY))
    # the SQLite file of the per-élève data keys, apart from the event store; empty = under var_dir
    key_store_path: str = field(default_factory=lambda: _env("KEY_STORE", ""))
    # the platform's X25519 private keys opening sealed identities, comma separated: the current
    # one first, then those still accepted during a rotation (base64, raw 32 bytes)
    identity_private_keys: str = field(
        default_factory=lambda: _env("IDENTITY_PRIVATE_KEYS", DEV_IDENTITY_PRIVATE_KEY))
    # what a partner's SDK seals to (base64); empty: the public key of the current private key
    identity_public_key_setting: str = field(default_factory=lambda: _env("IDENTITY_PUBLIC_KEY", ""))
    # embedded-broker friendly group timings (seconds); production: raise to client defaults
    session_timeout: float = field(default_factory=lambda: float(_env("KAFKA_SESSION_TIMEOUT", "6")))
    heartbeat_interval: float = field(default_factory=lambda: float(_env("KAFKA_HEARTBEAT_INTERVAL", "1")))
    # worker processes reading the partner messages (signature, decoding, identity opened); 0 =
    # in the ingestion's own process. 2 on a 2-core machine lets the reading use both cores
    ingest_readers: int = field(default_factory=lambda: int(_env("INGEST_READERS", "0")))
    # projection workers sharing the views (PostgreSQL): each page of a worker applies the
    # ceil(1/N) of the views furthest behind that no other worker is applying; 1: every view
    # a page, a second worker waits (a hot standby)
    projection_shares: int = field(default_factory=lambda: int(_env("PROJECTION_SHARES", "1")))
    batch_size: int = field(default_factory=lambda: int(_env("BATCH_SIZE", "200")))
    # longest wait (seconds) for a batch to fill before it is processed anyway
    batch_wait: float = field(default_factory=lambda: float(_env("BATCH_WAIT", "0.05")))
    # longest time the broker may hold an idle fetch of the processor (milliseconds)
    fetch_max_wait_ms: int = field(default_factory=lambda: int(_env("FETCH_MAX_WAIT_MS", "100")))
    relay_metrics_port: int = field(default_factory=lambda: int(_env("RELAY_METRICS_PORT", "9103")))
    # rentrée dates overriding the national defaults, JSON {"2026": "2026-09-01"}
    calendrier: str = field(default_factory=lambda: _env("CALENDRIER", ""))
    # JSON {actor: token} of the API; empty = the tokens file (demo tokens, development only)
    api_tokens: str = field(default_factory=lambda: _env("API_TOKENS", "").strip())
    # requests per actor (and per client address without a valid token); empty = no limit
    api_rate_limit: str = field(default_factory=lambda: _env("API_RATE_LIMIT", "50/second;1500/minute"))
    # JSON mapping a UAI or a 3-digit département to a PSAD territory (overrides the académies)
    territoires: str = field(default_factory=lambda: _env("TERRITOIRES", ""))
    # seconds a fact waits for its parcours before ORPHELIN; seconds between two parking sweeps
    parking_delay: float = field(default_factory=lambda: float(_env("PARKING_DELAY", "3600")))
    parking_sweep: float = field(default_factory=lambda: float(_env("PARKING_SWEEP", "30")))
    # days a partner's receipts stay readable (then deleted on a sweep, once published); 0 = kept
    accuses_retention_days: float = field(
        default_factory=lambda: float(_env("ACCUSES_RETENTION_DAYS", "90")))
    # names of the lycées and missions locales shown on the dashboard (TOML); empty = demo list
    etablissements_file: str = field(default_factory=lambda: _env("ETABLISSEMENTS_FILE", ""))
    # empty = under var_dir
    partners_path: str = field(default_factory=lambda: _env("PARTNERS_FILE", ""))
    api_tokens_path: str = field(default_factory=lambda: _env("API_TOKENS_FILE", ""))
    # empty = the counts of infra/topics.toml
    partitions: str = field(default_factory=lambda: _env("PARTITIONS", ""))
    replication_factor: str = field(default_factory=lambda: _env("REPLICATION_FACTOR", ""))

    # the partner SDK: its API token (receipts, feed) and when an undecided event is sent again
    partner_token: str = field(default_factory=lambda: _env("PARTNER_TOKEN", ""))
    outbox_resend_after: float = field(default_factory=lambda: float(_env("OUTBOX_RESEND_AFTER", "60")))
    # the API as a partner reaches it; empty = http://<api_host>:<api_port>
    api_url_setting: str = field(default_factory=lambda: _env("API_URL", ""))
    # every change to the partners' keys; empty = under var_dir
    partners_journal_path: str = field(default_factory=lambda: _env("PARTNERS_JOURNAL", ""))

    @property
    def api_url(self) -> str:
        """The platform's HTTP API as a partner reaches it (receipts, feed, sandbox)."""
        return self.api_url_setting or f"http://{self.api_host}:{self.api_port}"

    # supervision by `ambition up`: longest pause before restarting an exited worker (seconds);
    # a worker that exits `crashloop_exits` times within `crashloop_window` seconds is reported
    restart_backoff_max: float = field(default_factory=lambda: float(_env("RESTART_BACKOFF_MAX", "30")))
    crashloop_exits: int = field(default_factory=lambda: int(_env("CRASHLOOP_EXITS", "3")))
    crashloop_window: float = field(default_factory=lambda: float(_env("CRASHLOOP_WINDOW", "300")))
    supervisor_metrics_port: int = field(
        default_factory=lambda: int(_env("SUPERVISOR_METRICS_PORT", "9104"))
    )

    @property
    def supervisor_state(self) -> Path:
        """What `ambition up` supervises, for `ambition status` (JSON, rewritten as it changes)."""
        return self.var_dir / "run" / "supervisor.json"

    @property
    def production(self) -> bool:
        if self.env not in ENVS:
            raise ValueError(f"AMBITION_ENV={self.env!r}: expected one of {', '.join(ENVS)}")
        return self.env == "production"

    @property
    def identity_public_key(self) -> str:
        if self.identity_public_key_setting:
            return self.identity_public_key_setting
        from ambition.identite.scellement import publique

        return publique(self.identity_private_keys.split(",")[0].strip())

    @property
    def partners_file(self) -> Path:
        """The registered partners and their public keys (JSON)."""
        return Path(self.partners_path or self.var_dir / "partners.json")

    @property
    def api_tokens_file(self) -> Path:
        """The API tokens (JSON), used when ``api_tokens`` is empty."""
        return Path(self.api_tokens_path or self.var_dir / "api-tokens.json")

    @property
    def key_store(self) -> Path:
        """The key store (SQLite): erasing an élève destroys its data key there."""
        return Path(self.key_store_path or self.var_dir / "cles.sqlite")

    @property
    def log_dir(self) -> Path:
        """Where `ambition up` writes each process's log."""
        return self.var_dir / "log"

    @property
    def partners_journal(self) -> Path:
        """Every change to the partners' keys (JSON lines): added, rotated, revoked."""
        return Path(self.partners_journal_path or self.var_dir / "partners-journal.jsonl")

    @property
    def bootstrap(self) -> str:
        return self.kafka_bootstrap or f"127.0.0.1:{self.broker_port}"

    @property
    def topics(self) -> Topics:
        return load_topics(settings=self)
