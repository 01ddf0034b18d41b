"""A real Prometheus (Debian's binary) scrapes a running platform with infra/prometheus's
configuration and rules: every process is up, and every query of the Grafana dashboard returns
series."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml
from platform_support import arreter, demarrer, free_port, producteurs

from ambition.config import ROOT
from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import envoyer, generer

pytestmark = pytest.mark.e2e
JOBS = {"ambition-api": "api", "ambition-ingest": "ingest", "ambition-projections": "projection",
        "ambition-relay": "relay"}


def dashboard_queries() -> list[tuple[str, str]]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("dashboard", ROOT / "infra/grafana/dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.queries(module.build())


def prometheus_config(r, folder: Path) -> Path:
    """infra/prometheus/prometheus.yml with the targets of this platform's ports."""
    config = yaml.safe_load((ROOT / "infra/prometheus/prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    ports = {"api": r.settings.api_port, "ingest": r.settings.ingest_metrics_port,
             "projection": r.settings.projection_metrics_port, "relay": r.settings.relay_metrics_port}
    # `ambition up`'s own supervisor: not part of this harness (LocalPlatform, no supervisor)
    assert {j["job_name"] for j in config["scrape_configs"]} == set(JOBS) | {"ambition-supervisor"}
    config["scrape_configs"] = [j for j in config["scrape_configs"] if j["job_name"] in JOBS]
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [f"127.0.0.1:{ports[JOBS[job['job_name']]]}"]}]
    shutil.copy(ROOT / "infra/prometheus/alerts.yml", folder / "alerts.yml")
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    return folder / "prometheus.yml"


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    binary = shutil.which("prometheus")
    if not binary:
        pytest.fail("prometheus is missing: `make prometheus` installs Debian's package")
    base = tmp_path_factory.mktemp("prometheus")
    r = demarrer(base / "platform", AMBITION_PARKING_DELAY="2", AMBITION_PARKING_SWEEP="1")
    port = free_port()
    log = open(base / "prometheus.log", "wb")
    prom = subprocess.Popen([binary, f"--config.file={prometheus_config(r, base)}",
                             f"--storage.tsdb.path={base / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        yield r, f"http://127.0.0.1:{port}"
    finally:
        prom.terminate()
        prom.wait(timeout=30)
        arreter(r)


def query(url: str, expr: str) -> list:
    reponse = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10)
    reponse.raise_for_status()  # 503 while Prometheus starts: `wait_until` asks again
    body = reponse.json()
    assert body["status"] == "success", (expr, body)
    return body["data"]["result"]


def wait_until(check, what: str, timeout: float = 90):
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (httpx.HTTPError, AssertionError) as exc:
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{what}; last: {last}")


def test_prometheus_scrapes_every_process_and_loads_the_alert_rules(scraped):
    r, url = scraped
    up = wait_until(lambda: (res := query(url, 'up{job=~"ambition-.*"} == 1')) and len(res) == 4 and res,
                    "the four processes are not all up in Prometheus")
    assert {s["metric"]["job"] for s in up} == set(JOBS)
    rules = httpx.get(f"{url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    assert len([x for g in rules for x in g["rules"] if x["type"] == "alerting"]) >= 8


def test_every_dashboard_query_returns_series_from_a_working_platform(scraped):
    r, url = scraped
    # traffic that touches every panel: whole parcours, refusals, an orphan (parking released),
    # reads of the API and a read refused for want of a token
    cohorte = generer(demo_partners(r.settings), 6, seed=5, secret=r.settings.pseudonym_secret)
    prods = producteurs(r)
    try:
        envoyer(cohorte.faits, prods)
    finally:
        for p in prods.values():
            p.close()
    r.wait_for("/v1/psad/synthese", lambda b: b["entrees"] == cohorte.entrees
               and sum(b["refus"].values()) == sum(cohorte.refus.values()), timeout=90)
    assert httpx.get(f"{r.base_url}/v1/psad/synthese").status_code == 401
    missing = {}
    for title, expr in dashboard_queries():
        try:
            wait_until(lambda: query(url, expr), f"{title}: {expr} returns no series", timeout=60)
        except AssertionError as exc:
            missing[title] = str(exc)[:300]
    assert not missing, missing
