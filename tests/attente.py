"""Waiting for a condition, never for a fixed time: poll with a generous deadline, fail with what
was still missing. A slow machine makes a test slower, never wrong."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")
DELAI = 60.0  # seconds; generous: only a broken system waits that long


def jusqua(condition: Callable[[], T], quoi: str, delai: float = DELAI, pas: float = 0.1) -> T:
    """Call ``condition`` until it returns a true value, and return that value."""
    fin = time.monotonic() + delai
    while True:
        valeur = condition()
        if valeur:
            return valeur
        if time.monotonic() > fin:
            raise AssertionError(f"after {delai:.0f} s, still not: {quoi}")
        time.sleep(pas)


def consommer(consumer, garder: Callable, assez: Callable[[list], bool], quoi: str,
              delai: float = DELAI) -> list:
    """Poll a kafka-python consumer, keep ``garder(record)`` when not None, until ``assez(kept)``."""
    gardes: list = []
    fin = time.monotonic() + delai
    while not assez(gardes):
        if time.monotonic() > fin:
            raise AssertionError(f"after {delai:.0f} s, still not: {quoi} (kept {len(gardes)})")
        for records in consumer.poll(timeout_ms=200).values():
            for r in records:
                g = garder(r)
                if g is not None:
                    gardes.append(g)
    return gardes
