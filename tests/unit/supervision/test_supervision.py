"""The supervisor of `ambition up`: an exited process is restarted after a growing back-off, one
that keeps exiting is reported as crash-looping while the others keep running, and the state
file says so (fake processes and a fake clock: the real processes are in tests/e2e)."""
from __future__ import annotations

import json

from ambition.supervision import Supervisor


class Horloge:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Processus:
    """A fake process: `meurt()` makes it exit; each start gives a new pid."""

    def __init__(self):
        self.pids, self.code = 0, None

    def start(self) -> int:
        self.pids += 1
        self.code = None
        return 100 + self.pids

    def poll(self):
        return self.code

    def meurt(self, code: int = 1) -> None:
        self.code = code


def _sup(tmp_path, horloge):
    sup = Supervisor(tmp_path / "run" / "supervisor.json", backoff_max=8, crashloop_exits=3,
                     crashloop_window=300, clock=horloge)
    procs = {n: Processus() for n in ("ingest", "relay")}
    for n, p in procs.items():
        sup.add(n, p.start, p.poll)
    return sup, procs


def _etat(tmp_path) -> dict:
    return json.loads((tmp_path / "run" / "supervisor.json").read_text())["workers"]


def test_an_exited_worker_is_restarted_after_a_back_off_and_the_others_keep_running(tmp_path):
    h = Horloge()
    sup, procs = _sup(tmp_path, h)
    procs["ingest"].meurt()
    h.t += 1
    sup.tick()
    assert _etat(tmp_path)["ingest"]["state"] == "waiting"
    assert _etat(tmp_path)["relay"] == {**_etat(tmp_path)["relay"], "state": "running", "pid": 101}
    h.t += 0.5
    sup.tick()  # 1 s back-off not over yet
    assert procs["ingest"].pids == 1
    h.t += 0.6
    sup.tick()
    assert procs["ingest"].pids == 2
    etat = _etat(tmp_path)["ingest"]
    assert (etat["state"], etat["pid"], etat["restarts"], etat["last_exit_code"]) == ("running", 102, 1, 1)
    assert procs["relay"].pids == 1  # never touched


def test_a_worker_that_keeps_exiting_backs_off_up_to_the_cap_and_is_reported(tmp_path):
    h = Horloge()
    sup, procs = _sup(tmp_path, h)
    pauses = []
    for _ in range(5):
        procs["ingest"].meurt()
        sup.tick()
        debut = h.t
        while procs["ingest"].poll() is not None:  # until restarted
            h.t += 0.25
            sup.tick()
        pauses.append(h.t - debut)
        h.t += 2  # it runs 2 s, then exits again
    assert pauses == [1, 2, 4, 8, 8]  # doubling, capped by backoff_max
    assert _etat(tmp_path)["ingest"]["state"] == "crashloop"
    assert _etat(tmp_path)["ingest"]["recent_exits"] == 5
    assert _etat(tmp_path)["relay"]["state"] == "running"


def test_a_long_healthy_run_resets_the_back_off_and_old_exits_are_forgotten(tmp_path):
    h = Horloge()
    sup, procs = _sup(tmp_path, h)
    for _ in range(3):
        procs["relay"].meurt()
        sup.tick()
        h.t += 10
        sup.tick()
    assert _etat(tmp_path)["relay"]["state"] == "crashloop"
    h.t += 400  # a healthy run longer than the window
    sup.tick()
    assert _etat(tmp_path)["relay"]["state"] == "running"
    procs["relay"].meurt()
    sup.tick()
    assert _etat(tmp_path)["relay"]["next_restart_in"] == 1.0


def test_a_held_process_is_neither_restarted_nor_counted_until_released(tmp_path):
    h = Horloge()
    sup, procs = _sup(tmp_path, h)
    sup.hold("ingest", lambda: procs["ingest"].meurt(0))
    for _ in range(10):
        h.t += 5
        sup.tick()
    assert procs["ingest"].pids == 1
    assert _etat(tmp_path)["ingest"] == {**_etat(tmp_path)["ingest"], "state": "waiting",
                                         "recent_exits": 0, "restarts": 0}
    sup.release("ingest")
    sup.tick()
    assert procs["ingest"].pids == 2 and _etat(tmp_path)["ingest"]["state"] == "running"
