"""Two processors and two projection workers on PostgreSQL (event store and views), as a
production deployment runs them, and what they keep when things stop:

- one processor and one projection worker killed with SIGKILL in the middle of a stream and
  NOT restarted: the other processor takes over their partitions (consumer group), the other
  projection worker goes on from the views' positions; every view equals the ground truth
  computed from what the partners sent, and the event store holds each event once;
- PostgreSQL itself restarted in the middle of a stream, the two killed workers (and the relay)
  started again while it is away: every worker waits and reconnects, none exits, nothing is refused for it (the refusals view holds only the cohort's
  own refusals) and nothing is lost.

The two projection workers share the views (`AMBITION_PROJECTION_SHARES=2`): each page of a
worker locks the views furthest behind that the other does not hold, so they apply different
views at the same time, and the one left alone takes the shares in turn (docs/fiabilite.md,
*Several workers*). The processors split the partner topics' partitions (4 each in
infra/topics.toml).

PostgreSQL is a private cluster started by the test (tests/pgcluster.py), never the shared one."""
from __future__ import annotations

import pytest
from pgcluster import ClusterPrive
from platform_support import arreter, demarrer, instance, producteurs
from verite import Verite, attendre, verifier_vues

from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import envoyer, generer, melanger

pytestmark = pytest.mark.e2e


def _total(port: int, nom: str) -> float:
    """The sum of every sample of one metric of a worker (0 when it does not answer: killed)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    except httpx.HTTPError:
        return 0.0
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == nom)


def _partages(r) -> bool:
    """Both processors hold partner partitions, and together all of them (a rebalance done)."""
    tenues = [_total(p, PARTITIONS) for p in r.ingest.values()]
    return all(tenues) and sum(tenues) == 3 * r.settings.topics.partitions


def _somme(ports, nom: str) -> float:
    return sum(_total(p, nom) for p in ports)


def _appliques(r, vue: str = "chronologie") -> float:
    """Events the projection workers alive have applied to one view (each counts its own)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for port in r.projections.values():
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        except httpx.HTTPError:
            continue
        total += sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                     if s.name == APPLIQUES and s.labels == {"projection": vue, "outcome": "applique"})
    return total


DECIDES = "ambition_messages_consumed_total"  # partner messages decided, every outcome
APPLIQUES = "ambition_projection_events_total"  # events applied to a view (or found applied)
OUTAGES = "ambition_store_outages_total"
PARTITIONS = "ambition_ingest_partitions_assigned"  # partner partitions a processor holds


def _evenements(dsn: str) -> int:
    """Domain events in the event store (counted: PostgreSQL's notification ids may have gaps)."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM parcoursapp_events").fetchone()[0]


def _chronologie(dsn: str) -> int:
    """Rows of the served timeline view: one per domain event applied, keyed by (parcours,
    version), so an event applied twice cannot add one and an event missed lacks one."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        gen = conn.execute("SELECT generation FROM vue_generations WHERE projection = 'chronologie'"
                           ).fetchone()[0]
        return conn.execute(f"SELECT count(*) FROM vue_chronologie_g{gen}").fetchone()[0]


def _chaque_evenement_dans_les_vues(r) -> None:
    attendre(lambda: _chronologie(r.vues) == r.attendus, 60,
             "every stored event in the timeline view")
    assert _evenements(r.evenements) == r.attendus == _chronologie(r.vues)


def _attendus(faits) -> int:
    """Every fact gives one event but the cohort's ineligible enrolment; a bilan also closes."""
    return len(faits) - 1 + sum(f.cloture for f in faits)


@pytest.fixture(scope="module")
def deux_et_deux(tmp_path_factory):
    with ClusterPrive() as pg:
        evenements, vues = pg.nouvelle_base(), pg.nouvelle_base()
        r = demarrer(tmp_path_factory.mktemp("scaleout"), AMBITION_EVENT_STORE=evenements,
                     AMBITION_READ_STORE=vues, AMBITION_PARKING_SWEEP="1", AMBITION_BATCH_SIZE="20",
                     AMBITION_PROJECTION_SHARES="2")
        try:
            r.pg, r.evenements, r.vues, r.verite, r.attendus = pg, evenements, vues, Verite(), 0
            r.ingest = {"ingest": r.settings.ingest_metrics_port}
            r.projections = {"projections": r.settings.projection_metrics_port}
            nom, port = instance(r, "ingest")
            r.ingest[nom] = port
            nom, port = instance(r, "projections")
            r.projections[nom] = port
            r.tues = set()
            # the second processor's join ends in a rebalance; facts sent before it would all go
            # to the first, leaving nothing for the second to decide
            attendre(lambda: _partages(r), 90, "the partner partitions split between the processors")
            yield r
        finally:
            arreter(r)


def _vivants(r) -> None:
    morts = set(r.platform.dead()) - r.tues
    assert not morts, f"worker(s) exited: {morts}"


def test_one_processor_and_one_projection_worker_killed_the_others_take_over(deux_et_deux):
    r = deux_et_deux
    cohorte = generer(demo_partners(r.settings), 40, seed=1201, orphelins=False,
                      secret=r.settings.pseudonym_secret)
    faits = melanger(cohorte.faits, seed=12)
    prods = producteurs(r)
    moitie = len(faits) // 2
    envoyer(faits[:moitie], prods)
    # both processors decide messages: the partner topics' partitions are split between them
    attendre(lambda: all(_total(p, DECIDES) > 0 for p in r.ingest.values()), 60,
             "both processors deciding messages")
    attendre(lambda: _somme(r.projections.values(), "ambition_projection_events_total") > 0, 60,
             "the views following the store")
    r.platform.kill("ingest")  # SIGKILL, mid-stream; neither is restarted
    r.platform.kill("projections")
    r.tues |= {"ingest", "projections"}
    envoyer(faits[moitie:], prods)

    r.attendus += _attendus(faits)
    r.verite.ajouter(cohorte)
    attendre(lambda: _evenements(r.evenements) >= r.attendus, 90, "every fact stored")
    _vivants(r)
    verifier_vues(lambda path, actor, **p: r.get(path, actor, **p), r.verite)
    assert _evenements(r.evenements) == r.attendus  # each fact stored once
    _chaque_evenement_dans_les_vues(r)
    _vivants(r)


def test_postgresql_restarted_under_two_and_two_workers_loses_and_refuses_nothing(deux_et_deux):
    r = deux_et_deux
    cohorte = generer(demo_partners(r.settings), 30, seed=1202, orphelins=False,
                      secret=r.settings.pseudonym_secret)
    tous = melanger(cohorte.faits, seed=13)
    faits, clotures = [f for f in tous if not f.cloture], [f for f in tous if f.cloture]
    prods = producteurs(r)
    moitie = len(faits) // 2
    avant = _evenements(r.evenements)
    envoyer(faits[:moitie], prods)
    attendre(lambda: _evenements(r.evenements) > avant + 10, 60, "facts stored")
    appliques = _appliques(r)  # the survivor's count; the two started below count from 0
    attendus_avant = r.attendus
    r.platform.kill("relay")  # it too will start while PostgreSQL is away
    r.tues.add("relay")
    r.pg.stop()  # sessions terminated (AdminShutdown), as `pg_ctlcluster restart` does
    for nom in sorted(r.tues):  # back to two and two, started while PostgreSQL is away
        r.platform.start_worker(nom)
    r.tues.clear()
    envoyer(faits[moitie:], prods)  # the broker takes them; the processors must wait
    # each waits for it, those just started included (before they join a group or take a step)
    ports = (*r.ingest.values(), *r.projections.values(), r.settings.relay_metrics_port)
    attendre(lambda: _vivants(r) or all(_total(p, OUTAGES) >= 1 for p in ports), 60,
             "every worker showing the store away")
    _vivants(r)
    r.pg.start()

    r.attendus += _attendus(tous)
    attendre(lambda: _evenements(r.evenements) >= r.attendus - len(clotures) * 2, 90,
             "every fact stored after the restart")
    envoyer(clotures, prods)
    r.verite.ajouter(cohorte)
    attendre(lambda: _evenements(r.evenements) >= r.attendus, 60, "every bilan stored")
    # the API's event-store pool reconnects with its own back-off (psycopg_pool: 1 s doubling):
    # a lycée's list, which opens identities from the event store, answers 5xx until it has
    attendre(lambda: all(r.get(f"/v1/lycees/{uai}/eleves", f"lycee:{uai}", limit=1)
                         for uai in r.verite.par_lycee), 60, "the lycées' lists answer again")
    # the refusals (vue_refus) are compared too: one caused by the outage would show there
    verifier_vues(lambda path, actor, **p: r.get(path, actor, **p), r.verite)
    assert _evenements(r.evenements) == r.attendus
    _chaque_evenement_dans_les_vues(r)
    # no event applied twice by the two projection workers (the rows themselves would not show
    # it: a view's rows are keyed, a second application rewrites them); fewer can be counted, a
    # transaction committed as PostgreSQL stopped being counted by no one
    assert _appliques(r) - appliques <= r.attendus - attendus_avant
    _vivants(r)
