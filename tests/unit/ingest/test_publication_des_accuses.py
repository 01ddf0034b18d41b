"""The receipts are published beside the ingestion: a signal after a batch wakes one task that
sends what is unpublished, the sweep may publish at the same moment, and each receipt reaches
the receipts topic once, in position order (SQLite file, a topic in memory: unit tier)."""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from ambition.accuses import registre
from ambition.accuses.publication import Publieur
from ambition.sqlstore import make_engine, sqlalchemy_url

LU = SimpleNamespace(topic="ambition.partenaires.lycee", partition=0, offset=1)


class Sujet:
    """A topic whose every send yields to the event loop before it is acknowledged, as the
    broker's client does."""

    def __init__(self):
        self.recus: list[int] = []

    async def send(self, key: bytes, value: bytes):
        await asyncio.sleep(0)
        self.recus.append(json.loads(value)["position"])
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


async def sur_place(fn, *args):
    return fn(*args)


def _engine(tmp_path, n: int):
    e = make_engine(sqlalchemy_url("", tmp_path / "store.sqlite"))
    registre.creer(e)
    with e.begin() as conn:
        registre.inserer(conn, [registre.ligne(f"r{i}", "lycee:0753268V", "accepte", LU,
                                               event_id=f"e{i}") for i in range(n)])
    return e


async def _attendre(condition) -> None:
    for _ in range(10_000):  # polled: the task runs when the loop is free
        if condition():
            return
        await asyncio.sleep(0)


def test_signal_and_sweep_together_publish_each_receipt_once_in_order(tmp_path):
    engine, sujet = _engine(tmp_path, 5), Sujet()
    publieur = Publieur(sujet, lambda: engine, sur_place)

    async def scenario():
        publieur.signaler()
        publieur.signaler()
        await publieur.publier()  # the sweep, while the signalled task is pending
        await _attendre(lambda: not registre.a_publier(engine))
        await publieur.arreter()

    asyncio.run(scenario())
    assert sujet.recus == [1, 2, 3, 4, 5]
    assert registre.a_publier(engine) == []


def test_one_signal_publishes_more_than_a_page(tmp_path):
    engine, sujet = _engine(tmp_path, 5), Sujet()
    publieur = Publieur(sujet, lambda: engine, sur_place, limite=2)

    async def scenario():
        publieur.signaler()
        await _attendre(lambda: len(sujet.recus) == 5)
        await publieur.arreter()

    asyncio.run(scenario())
    assert sujet.recus == [1, 2, 3, 4, 5]
    assert registre.a_publier(engine) == []
