"""What a new user sees: `ambition up` prints the addresses and tokens, then a live status and no
log line; `ambition status` and the client commands print only what their user needs."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from platform_support import free_port

# what a log line of Python's logging, Faust or kafka-python looks like on a terminal
LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|^\[\^|┌|│|kafka\.|aiokafka|faust")


class Output:
    """The lines a process writes, read in a thread so that the test can wait for one."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc):
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if re.search(pattern, line):
                    return line
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines[-40:]))


def run(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ambition.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_up_shows_the_addresses_then_a_live_status_and_no_log_line(tmp_path):
    ports = {k: str(free_port()) for k in ("BROKER", "API", "INGEST_METRICS", "PROJECTION_METRICS",
                                           "RELAY_METRICS")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMBITION_")}
    env.update({f"AMBITION_{k}_PORT": v for k, v in ports.items()}, AMBITION_VAR_DIR=str(tmp_path / "var"))
    up = subprocess.Popen([sys.executable, "-m", "ambition.cli", "up"], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    out = Output(up)
    try:
        out.wait_for(r"PSAD dashboard\s+http://127\.0\.0\.1:%s/psad/tableau-de-bord#token=" % ports["API"])
        out.wait_for(r"status: processes 4/4 up")
        client_env = dict(env, AMBITION_KAFKA_BOOTSTRAP=f"127.0.0.1:{ports['BROKER']}")
        sim = run(client_env, "simulate", "--eleves", "40", "--seed", "3")
        assert sim.returncode == 0, sim.stderr
        assert not [l for l in sim.stdout.splitlines() if LOG_LINE.search(l)], sim.stdout
        assert not LOG_LINE.search(sim.stderr), sim.stderr[-2000:]
        ineligible = int(re.search(r"(\d+) deliberately ineligible", sim.stdout).group(1))
        assert ineligible > 0
        out.wait_for(rf"status: processes 4/4 up \| in \d+/s decided \d+/s \| refused {ineligible} \|")
        status = run(client_env, "status")
        assert status.returncode == 0, status.stdout + status.stderr
        assert re.search(r"processes up\s+4/4", status.stdout)
        assert re.search(rf"refused \(total\)\s+{ineligible}\b", status.stdout)
        assert str(tmp_path / "var" / "log") in status.stdout
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
        out.thread.join(timeout=5)
    assert up.returncode == 0
    assert out.lines[-1] == "stopped."
    logs = [l for l in out.lines if LOG_LINE.search(l)]
    assert not logs, "log lines on the terminal:\n" + "\n".join(logs[:20])
    for name in ("broker", "ingest", "relay", "projections", "api"):
        assert (tmp_path / "var" / "log" / f"{name}.log").exists(), name
    assert "INFO" in (tmp_path / "var" / "log" / "ingest.log").read_text()  # the logs went there


def test_status_of_a_platform_that_is_not_running_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMBITION_")}
    env.update({f"AMBITION_{k}_PORT": str(free_port()) for k in ("API", "INGEST_METRICS",
                                                                  "PROJECTION_METRICS", "RELAY_METRICS")})
    status = run(env, "status")
    assert status.returncode == 1
    assert re.search(r"processes up\s+0/4\s+down: ingest, relay, projections, api", status.stdout)
