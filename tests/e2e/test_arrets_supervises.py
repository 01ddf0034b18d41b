"""`ambition up` when its own parts stop, as a user runs it (embedded broker, SQLite stores):

- a worker killed again and again is restarted each time, reported as crash-looping, while the
  others go on;
- the embedded broker killed with SIGKILL while partners are sending is restarted by the
  supervisor, and what the partners' outboxes held reaches every view;
- Ctrl-C while the processor is behind, then `ambition up` again: everything decided before is
  still there, once.

Each compares every view with the ground truth computed from what the partners sent. On memory
storage the embedded broker forgets what it held: a message it acknowledged but the processor had
not decided is lost unless the partner sends it again. Partners do that here by sending their
facts once more (the platform deduplicates by event id); an outbox that keeps each event until
the platform's receipt will do it by itself."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import httpx
import pytest
from platform_support import free_port
from verite import Verite, attendre, verifier_vues

from ambition.api.jetons import demo_tokens
from ambition.config import Settings
from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import envoyer, generer, melanger
from ambition.bootstrap import make_app
from ambition.sdk import PRODUCERS

pytestmark = pytest.mark.e2e


class Up:
    """`ambition up` as a process in its own session (Ctrl-C = SIGINT to it alone)."""

    def __init__(self, base):
        self.base = base
        ports = {k: free_port() for k in ("BROKER", "API", "INGEST_METRICS", "PROJECTION_METRICS",
                                          "RELAY_METRICS", "SUPERVISOR_METRICS")}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AMBITION_")}
        self.env.update({f"AMBITION_{k}_PORT": str(v) for k, v in ports.items()},
                        AMBITION_VAR_DIR=str(base / "var"), AMBITION_PARKING_SWEEP="1",
                        AMBITION_BATCH_SIZE="20", AMBITION_RESTART_BACKOFF_MAX="4")
        self.settings = Settings(var_dir=base / "var", broker_port=ports["BROKER"],
                                 api_port=ports["API"], supervisor_metrics_port=ports["SUPERVISOR_METRICS"])
        self.proc, self.tokens = None, None
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{ports['API']}", timeout=10)
        self.start()

    def start(self) -> None:
        out = open(self.base / "up.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "ambition.cli", "up"], env=self.env,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        attendre(lambda: all(w["state"] == "running" for w in self.etat().values())
                 and len(self.etat()) == 5, 90, "every process running")
        self.tokens = demo_tokens(self.settings)
        attendre(lambda: self.get("/health", None) is not None, 60, "the API answers")

    def etat(self) -> dict:
        try:
            data = json.loads(self.settings.supervisor_state.read_text())
        except (OSError, ValueError):
            return {}
        return {} if data.get("stopped") else data["workers"]

    def get(self, path: str, actor: str | None, **params):
        r = self.http.get(path, params=params,
                          headers={"Authorization": f"Bearer {self.tokens[actor or 'psad:national']}"})
        r.raise_for_status()
        return r.json()

    def metrique(self, name: str, **labels) -> float:
        url = f"http://127.0.0.1:{self.settings.supervisor_metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        want = ",".join(f'{k}="{v}"' for k, v in labels.items())
        return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
                   if l.startswith(f"{name}{{{want}") or l == f"{name} " + l.rsplit(" ", 1)[-1])

    def consommes(self) -> float:
        """Partner messages the current processor consumed (all outcomes) since it started."""
        url = f"http://127.0.0.1:{self.env['AMBITION_INGEST_METRICS_PORT']}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
                   if l.startswith("ambition_messages_consumed_total{"))

    def ctrl_c(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=90)


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    u = Up(tmp_path_factory.mktemp("up"))
    u.verite = Verite()
    u.store = make_app(u.settings)
    u.stockes = 0  # events the cohorts sent so far must give
    u.ouverts = []
    yield u
    _fermer(u)
    if u.proc.poll() is None:
        u.ctrl_c()


def _cohorte(u: Up, seed: int):
    c = generer(demo_partners(u.settings), 25, seed=seed, orphelins=False,
                secret=u.settings.pseudonym_secret)
    tous = melanger(c.faits, seed=seed)
    return c, [f for f in tous if not f.cloture], [f for f in tous if f.cloture]


def _producteurs(u: Up, outbox: str | None = None) -> dict:
    prods = {c.partner_id: PRODUCERS[c.type](
        c, settings=u.settings, **({"outbox_path": u.base / f"{outbox}-{c.partner_id}.sqlite"}
                                   if outbox else {}))
        for c in demo_partners(u.settings)}
    u.ouverts += prods.values()
    return prods


def _fermer(u: Up) -> None:
    """Close the partners' producers a test opened (left open, their client threads would go
    on reconnecting after the platform stops, for the rest of the session)."""
    while u.ouverts:
        u.ouverts.pop().close(timeout=1.0)


def _stockes(u: Up) -> int:
    return u.store.recorder.max_notification_id() or 0


def _finir(u: Up, c, faits, clotures, prods) -> None:
    """Wait until every fact is stored (each but the ineligible enrolment gives one event), send
    the closures, and compare every view with the ground truth."""
    u.stockes += len(faits) - 1
    attendre(lambda: _stockes(u) >= u.stockes, 120, f"{u.stockes} events stored")
    envoyer(clotures, prods)
    u.verite.ajouter(c)
    verifier_vues(u.get, u.verite)
    u.stockes = _stockes(u)
    _fermer(u)


def test_a_worker_killed_again_and_again_is_restarted_and_reported_while_the_others_go_on(up):
    c, faits, clotures = _cohorte(up, 41)
    autres = {n: w["pid"] for n, w in up.etat().items() if n != "ingest"}
    prods = _producteurs(up)
    tiers = len(faits) // 3
    for i in range(3):
        envoyer(faits[i * tiers:(i + 1) * tiers if i < 2 else len(faits)], prods)
        pid = up.etat()["ingest"]["pid"]
        os.kill(pid, signal.SIGKILL)  # in the middle of its batches
        attendre(lambda: up.etat()["ingest"]["pid"] not in (None, pid), 60, "ingest restarted")
        assert up.get("/v1/psad/synthese", None)["entrees"] >= 0  # the API answers meanwhile
    etat = up.etat()
    assert etat["ingest"]["restarts"] == 3
    assert etat["ingest"]["state"] == "crashloop" and etat["ingest"]["recent_exits"] == 3
    assert up.metrique("ambition_worker_crashloop", worker="ingest") == 1
    assert up.metrique("ambition_worker_restarts_total", worker="ingest") == 3
    assert {n: w["pid"] for n, w in etat.items() if n != "ingest"} == autres  # never touched
    _finir(up, c, faits, clotures, prods)


def test_the_embedded_broker_killed_mid_stream_is_restarted_and_nothing_is_lost(up):
    """The partners go on sending (their outbox keeps what the broker did not acknowledge)
    while the broker is killed and restarted by the supervisor; the broker dies when what it
    had acknowledged was decided (what it acknowledged and nobody decided is the Ctrl-C case)."""
    c, faits, clotures = _cohorte(up, 42)
    prods = _producteurs(up, outbox="broker")
    moitie = len(faits) // 2
    avant = up.consommes()
    envoyer(faits[:moitie], prods)
    for p in prods.values():
        assert p.flush(timeout=60), "the partner's outbox never emptied"
    attendre(lambda: up.consommes() >= avant + moitie, 90, "the first half decided")
    os.kill(up.etat()["broker"]["pid"], signal.SIGKILL)
    envoyer(faits[moitie:], prods)  # into the partners' outboxes while the broker is away
    attendre(lambda: up.etat().get("broker", {}).get("restarts") == 1
             and all(w["state"] in ("running", "crashloop") for w in up.etat().values()), 90,
             "broker restarted and every process running")
    for p in prods.values():
        assert p.flush(timeout=120), "the partner's outbox never emptied"
    _finir(up, c, faits, clotures, prods)


def test_ctrl_c_while_the_processor_is_behind_then_up_again_keeps_everything_decided_once(up):
    decide = up.verite.synthese()
    c, faits, clotures = _cohorte(up, 43)
    ingest = up.etat()["ingest"]["pid"]
    os.kill(ingest, signal.SIGSTOP)  # the processor falls behind
    prods = _producteurs(up)
    envoyer(faits, prods)  # acknowledged by the broker, not decided
    assert up.ctrl_c() == 0
    assert json.loads(up.settings.supervisor_state.read_text())["stopped"] is True
    up.start()
    # everything decided before the stop is still in every view, once
    verifier_vues(up.get, up.verite)
    assert up.verite.synthese() == decide
    # the facts the stopped broker forgot come again from the partners
    prods = _producteurs(up)
    envoyer(faits, prods)
    _finir(up, c, faits, clotures, prods)
